#include "dev/virtio_net.h"

#include "core/console.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/lib/string.h"
#include "core/platform.h"
#include "core/vm.h"
#include "core/vswitch.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"
#include "trapeze/netmac.h"

#define VNET_MAX        8       /* NICs in all VMs (one per VM) */
#define VNET_RXQ        0       /* 5.1.2: receiveq1, transmitq1 */
#define VNET_TXQ        1
#define VNET_CFG_LEN    8       /* 5.1.4: mac[6], status */
#define VNET_STAGE      64      /* transmitted frames staged per NIC (power of 2) */
#define VNET_BUF        2048    /* one staged or host frame with its header */
#define UPLINK_RX       64      /* receive buffers posted to the host device */
#define UPLINK_TX       64      /* transmit buffers */

struct vnet_switch;

struct vnet {
	struct virtio_mmio_dev *dev;
	struct vm *vm;
	struct vnet_switch *sw;
	unsigned port;
	uint8_t mac[NETMAC_LEN];
	bool down;                      /* quiesced: takes no frames (d->lock) */
	/* The staging ring: filled under d->lock (st_head), drained by the
	 * one hart that holds `sending` (st_tail). */
	uint32_t st_head, st_tail, sending, tx_blocked;
	uint16_t st_len[VNET_STAGE];
	uint64_t st_pa;                 /* VNET_STAGE buffers of VNET_BUF */
	struct virtq_req walk;          /* d->lock held while in use */
};

struct vnet_switch {
	struct spinlock lock;           /* sw */
	struct vswitch sw;
	bool used;
	int uplink_port;                /* -1: none */
	struct vnet *nic[VSWITCH_PORTS_MAX];    /* NULL for the uplink's port */
};

struct uplink_buf {
	struct vhost_req hreq;          /* first: the done hook finds it */
	uint64_t pa;
	int next_free;                  /* tx free list */
};

struct vnet_uplink {
	struct vhost_dev *host;
	struct spinlock lock;           /* tx free list */
	int tx_free;
	struct uplink_buf rx[UPLINK_RX];
	struct uplink_buf tx[UPLINK_TX];
	uint64_t rx_frames, tx_frames, tx_dropped, rx_dropped;
};

static struct vnet vnets[VNET_MAX];
static unsigned nvnets;
static struct vnet_switch switches[VNET_SWITCHES];
static struct vnet_uplink uplink;

static uint64_t vnet_now_ns(void)
{
	uint64_t hz = platform.timebase_hz ? platform.timebase_hz : 1000000000ULL;

	return platform_time() / hz * 1000000000ULL + platform_time() % hz * 1000000000ULL / hz;
}

static void vnet_switch_input(struct vnet_switch *s, unsigned in_port, const uint8_t *frame,
			      uint32_t len);

/* ---- the NIC ------------------------------------------------------------- */

static uint64_t vnet_features(struct virtio_mmio_dev *d)
{
	(void)d;
	return 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS | 1ULL << VIRTIO_F_EVENT_IDX;
}

static void vnet_cfg_read(struct virtio_mmio_dev *d, uint8_t *buf)
{
	struct vnet *n = d->model;

	memcpy(buf, n->mac, NETMAC_LEN);
	buf[6] = VIRTIO_NET_S_LINK_UP;  /* status, little-endian */
	buf[7] = 0;
}

/* A used buffer notification unless the driver suppressed it: with
 * EVENT_IDX, Linux asks for one only every few transmitted frames. */
static void vnet_notify(struct vnet *n, unsigned q, uint16_t old_used)
{
	if (virtq_needs_interrupt(n->vm, &n->dev->vq[q], old_used,
				  virtio_mmio_has_feature(n->dev, VIRTIO_F_EVENT_IDX)))
		virtio_mmio_notify_used(n->dev);
}

/* Take what the driver queued for transmission into the staging ring,
 * while it has room; d->lock held. */
static void vnet_tx_kick(struct vnet *n)
{
	struct virtio_mmio_dev *d = n->dev;
	struct virtq_req *w = &n->walk;
	uint16_t old_used = d->vq[VNET_TXQ].used_idx;
	bool event_idx = virtio_mmio_has_feature(d, VIRTIO_F_EVENT_IDX), published = false;

	while (!d->broken && d->vq[VNET_TXQ].ready) {
		uint32_t head = n->st_head, tail = __atomic_load_n(&n->st_tail, __ATOMIC_ACQUIRE);
		if (head - tail == VNET_STAGE) {
			__atomic_store_n(&n->tx_blocked, 1, __ATOMIC_SEQ_CST);
			break;
		}
		int got = virtq_pop(n->vm, &d->vq[VNET_TXQ], w);
		if (got < 0) {
			virtio_mmio_needs_reset(d);
			return;
		}
		if (got == 0) {
			/* EVENT_IDX: the next request is to be notified;
			 * then look once more, for one added meanwhile. */
			if (!event_idx || published)
				break;
			virtq_set_avail_event(n->vm, &d->vq[VNET_TXQ], d->vq[VNET_TXQ].last_avail);
			published = true;
			continue;
		}
		published = false;
		/* QEMU virtio_net_flush_tx: a header that is not all readable
		 * is virtio_error. */
		if (w->nread != w->nseg || w->read_len < VIRTIO_NET_HDR_LEN) {
			virtio_mmio_needs_reset(d);
			return;
		}
		uint64_t len = w->read_len - VIRTIO_NET_HDR_LEN;
		if (len < VSWITCH_FRAME_MIN || len > VSWITCH_FRAME_MAX) {
			n->vm->stats.net_tx_dropped++;
		} else {
			uint8_t *buf = (uint8_t *)hostmem_va(n->st_pa) + (head % VNET_STAGE) * VNET_BUF;
			if (virtq_req_gather(n->vm, w, VIRTIO_NET_HDR_LEN, buf, len) == len) {
				n->st_len[head % VNET_STAGE] = (uint16_t)len;
				__atomic_store_n(&n->st_head, head + 1, __ATOMIC_SEQ_CST);
			} else {
				n->vm->stats.net_tx_dropped++;
			}
		}
		if (virtq_push(n->vm, &d->vq[VNET_TXQ], w->head, 0) != 0) {
			virtio_mmio_needs_reset(d);
			return;
		}
	}
	if (d->vq[VNET_TXQ].used_idx != old_used)
		vnet_notify(n, VNET_TXQ, old_used);
}

static void vnet_notify_queue(struct virtio_mmio_dev *d, unsigned q)
{
	/* New receive buffers need nothing now: frames for a NIC without
	 * one were dropped, not kept. With EVENT_IDX the receive queue's
	 * avail_event is never moved, so the driver hardly ever notifies it
	 * (an exit saved per refill). */
	if (q == VNET_TXQ)
		vnet_tx_kick(d->model);
}

/* One frame into the guest's next receive buffer (5.1.6.3), or dropped. */
static void vnet_deliver(struct vnet *n, const uint8_t *frame, uint32_t len)
{
	struct virtio_mmio_dev *d = n->dev;
	struct virtq *q = &d->vq[VNET_RXQ];
	struct virtq_req *w = &n->walk;
	/* 5.1.6: flags, gso_type NONE, ...; num_buffers 1 (no MRG_RXBUF). */
	uint8_t hdr[VIRTIO_NET_HDR_LEN] = { [10] = 1 };

	spin_lock(&d->lock);
	if (n->down || d->broken || !(d->status & VIRTIO_STATUS_DRIVER_OK) || !q->ready) {
		spin_unlock(&d->lock);
		return;
	}
	int got = virtq_pop(n->vm, q, w);
	if (got < 0) {
		virtio_mmio_needs_reset(d);
	} else if (got == 0) {
		n->vm->stats.net_rx_dropped++;
	} else if (w->nread != 0) {
		/* QEMU: "virtio-net receive queue contains no in buffers". */
		virtio_mmio_needs_reset(d);
	} else if (w->write_len < VIRTIO_NET_HDR_LEN + (uint64_t)len) {
		/* QEMU without MRG_RXBUF puts the buffer back and drops the
		 * frame. */
		q->last_avail--;
		n->vm->stats.net_rx_dropped++;
	} else if (virtq_req_scatter(n->vm, w, 0, hdr, sizeof(hdr)) != sizeof(hdr) ||
		   virtq_req_scatter(n->vm, w, sizeof(hdr), frame, len) != len ||
		   virtq_push(n->vm, q, w->head, VIRTIO_NET_HDR_LEN + len) != 0) {
		virtio_mmio_needs_reset(d);
	} else {
		n->vm->stats.net_rx++;
		vnet_notify(n, VNET_RXQ, (uint16_t)(q->used_idx - 1));
	}
	spin_unlock(&d->lock);
}

/* The staged frames to the switch; no device lock held. One hart drains a
 * NIC's ring at a time; a hart that finds another draining leaves its
 * frames to it (the drainer looks again after letting go). */
static void vnet_flush(struct virtio_mmio_dev *d)
{
	struct vnet *n = d->model;

	for (;;) {
		if (__atomic_load_n(&n->st_head, __ATOMIC_SEQ_CST) ==
		    __atomic_load_n(&n->st_tail, __ATOMIC_SEQ_CST) &&
		    !__atomic_load_n(&n->tx_blocked, __ATOMIC_SEQ_CST))
			return;
		if (__atomic_exchange_n(&n->sending, 1, __ATOMIC_SEQ_CST))
			return;
		uint32_t tail = n->st_tail;
		while (tail != __atomic_load_n(&n->st_head, __ATOMIC_ACQUIRE)) {
			const uint8_t *buf = (const uint8_t *)hostmem_va(n->st_pa) +
					     (tail % VNET_STAGE) * VNET_BUF;
			n->vm->stats.net_tx++;
			vnet_switch_input(n->sw, n->port, buf, n->st_len[tail % VNET_STAGE]);
			tail++;
			__atomic_store_n(&n->st_tail, tail, __ATOMIC_RELEASE);
		}
		/* The ring had filled up: take what the driver still has. */
		if (__atomic_exchange_n(&n->tx_blocked, 0, __ATOMIC_SEQ_CST)) {
			spin_lock(&d->lock);
			vnet_tx_kick(n);
			spin_unlock(&d->lock);
		}
		__atomic_store_n(&n->sending, 0, __ATOMIC_SEQ_CST);
	}
}

static void vnet_reset(struct virtio_mmio_dev *d)
{
	struct vnet *n = d->model;

	n->down = false;        /* a VM reset after a quiesce brings it back */
	__atomic_store_n(&n->tx_blocked, 0, __ATOMIC_SEQ_CST);
}

/* A VM reset or destroy: no frame is copied into its RAM from now until
 * its reset; a delivery under way ends before this returns. */
static void vnet_quiesce(struct virtio_mmio_dev *d)
{
	struct vnet *n = d->model;

	spin_lock(&d->lock);
	n->down = true;
	spin_unlock(&d->lock);
}

static const struct virtio_ops vnet_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.nqueues = 2,
	.features = vnet_features,
	.cfg_len = VNET_CFG_LEN,
	.cfg_read = vnet_cfg_read,
	.notify = vnet_notify_queue,
	.reset = vnet_reset,
	.quiesce = vnet_quiesce,
	.flush = vnet_flush,
};

/* ---- the uplink ------------------------------------------------------------ */

static void uplink_send(const uint8_t *frame, uint32_t len);

static struct vnet *vnet_by_mac(const uint8_t *mac)
{
	for (unsigned i = 0; i < nvnets; i++)
		if (memcmp(vnets[i].mac, mac, NETMAC_LEN) == 0)
			return &vnets[i];
	return NULL;
}

static void uplink_post_rx(struct uplink_buf *b)
{
	struct vhost_seg seg = { b->pa, VNET_BUF, true };

	if (!vhost_submit(uplink.host, VNET_RXQ, &seg, 1, 0, &b->hreq))
		uplink.rx_dropped++;    /* cannot happen: fewer buffers than descriptors */
}

/* A frame from the host's network: to the switch of the VM it names, or
 * to every uplinked switch. */
static void uplink_rx_done(struct vhost_req *hr, uint32_t len)
{
	struct uplink_buf *b = (struct uplink_buf *)hr;
	const uint8_t *buf = hostmem_va(b->pa);

	if (len > VIRTIO_NET_HDR_LEN && len <= VNET_BUF) {
		const uint8_t *frame = buf + VIRTIO_NET_HDR_LEN;
		uint32_t flen = len - VIRTIO_NET_HDR_LEN;
		struct vnet *to = flen >= VSWITCH_FRAME_MIN && !vswitch_mac_is_group(frame) ?
				  vnet_by_mac(frame) : NULL;
		__atomic_fetch_add(&uplink.rx_frames, 1, __ATOMIC_RELAXED);
		for (unsigned i = 0; i < VNET_SWITCHES; i++) {
			struct vnet_switch *s = &switches[i];
			if (s->used && s->uplink_port >= 0 && (to == NULL || to->sw == s))
				vnet_switch_input(s, (unsigned)s->uplink_port, frame, flen);
		}
	}
	uplink_post_rx(b);
}

static void uplink_tx_done(struct vhost_req *hr, uint32_t len)
{
	struct uplink_buf *b = (struct uplink_buf *)hr;

	(void)len;
	spin_lock(&uplink.lock);
	b->next_free = uplink.tx_free;
	uplink.tx_free = (int)(b - uplink.tx);
	spin_unlock(&uplink.lock);
}

static struct uplink_buf *uplink_tx_buf(void)
{
	struct uplink_buf *b = NULL;

	spin_lock(&uplink.lock);
	if (uplink.tx_free >= 0) {
		b = &uplink.tx[uplink.tx_free];
		uplink.tx_free = b->next_free;
	}
	spin_unlock(&uplink.lock);
	return b;
}

/* A frame to the host's network: copied behind a zero header (no
 * offloads: 5.1.6.2 flags 0, GSO_NONE). */
static void uplink_send(const uint8_t *frame, uint32_t len)
{
	struct uplink_buf *b = uplink_tx_buf();

	if (b == NULL) {
		vhost_poll(uplink.host);        /* reap what QEMU has sent */
		b = uplink_tx_buf();
	}
	if (b == NULL) {
		__atomic_fetch_add(&uplink.tx_dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	uint8_t *buf = hostmem_va(b->pa);
	memset(buf, 0, VIRTIO_NET_HDR_LEN);
	memcpy(buf + VIRTIO_NET_HDR_LEN, frame, len);
	struct vhost_seg seg = { b->pa, VIRTIO_NET_HDR_LEN + len, false };
	if (!vhost_submit(uplink.host, VNET_TXQ, &seg, 1, 0, &b->hreq)) {
		uplink_tx_done(&b->hreq, 0);
		__atomic_fetch_add(&uplink.tx_dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&uplink.tx_frames, 1, __ATOMIC_RELAXED);
}

static bool uplink_start(struct vhost_dev *h)
{
	if (uplink.host)
		return uplink.host == h;
	/* No offloads, no control queue: QEMU's device stays promiscuous. */
	if (!vhost_start(h, 0, 2))
		return false;
	/* Sent frames are reaped when their buffers run out (and with every
	 * receive interrupt), not by an interrupt each. */
	vhost_quiet(h, VNET_TXQ);
	uint64_t pa = frame_alloc_contig((UPLINK_RX + UPLINK_TX) * VNET_BUF / FRAME_SIZE, 1);
	if (pa == 0)
		return false;
	uplink.host = h;
	uplink.tx_free = -1;
	for (unsigned i = 0; i < UPLINK_TX; i++) {
		struct uplink_buf *b = &uplink.tx[i];
		b->hreq.done = uplink_tx_done;
		b->pa = pa + (UPLINK_RX + i) * VNET_BUF;
		b->next_free = uplink.tx_free;
		uplink.tx_free = (int)i;
	}
	for (unsigned i = 0; i < UPLINK_RX; i++) {
		struct uplink_buf *b = &uplink.rx[i];
		b->hreq.done = uplink_rx_done;
		b->pa = pa + i * VNET_BUF;
		uplink_post_rx(b);
	}
	return true;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * A DHCPDISCOVER from mac (RFC 2131, 4.4.1; BOOTP layout RFC 951), sent
 * through the uplink before any VM runs: QEMU's DHCP server (libslirp)
 * gives each new client MAC the next free address from 10.0.2.15 up and
 * keeps it for that MAC, so the VMs' addresses follow the config's order
 * however their boots race, as the launcher assumed for hostfwd.
 */
static void uplink_register_dhcp(const uint8_t *mac)
{
	enum { ETH = 14, IP = 20, UDP = 8, BOOTP = 300 };
	uint8_t f[ETH + IP + UDP + BOOTP];
	uint8_t *ip = f + ETH, *udp = ip + IP, *bp = udp + UDP;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, NETMAC_LEN);                    /* broadcast */
	memcpy(f + 6, mac, NETMAC_LEN);
	put_be16(f + 12, 0x0800);                       /* IPv4 */
	ip[0] = 0x45;                                   /* version 4, 5 words */
	put_be16(ip + 2, IP + UDP + BOOTP);
	ip[8] = 64;                                     /* TTL */
	ip[9] = 17;                                     /* UDP */
	memset(ip + 16, 0xff, 4);                       /* to 255.255.255.255 */
	uint32_t sum = 0;
	for (unsigned i = 0; i < IP; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put_be16(ip + 10, (uint16_t)~sum);
	put_be16(udp + 0, 68);                          /* bootpc -> bootps */
	put_be16(udp + 2, 67);
	put_be16(udp + 4, UDP + BOOTP);                 /* checksum 0: none */
	bp[0] = 1;                                      /* BOOTREQUEST */
	bp[1] = 1;                                      /* Ethernet */
	bp[2] = NETMAC_LEN;
	memcpy(bp + 4, mac + 2, 4);                     /* xid */
	memcpy(bp + 28, mac, NETMAC_LEN);               /* chaddr */
	static const uint8_t opts[] = { 99, 130, 83, 99, 53, 1, 1, 255 };  /* cookie, DISCOVER */
	memcpy(bp + 236, opts, sizeof(opts));
	uplink_send(f, sizeof(f));
}

/* ---- the switches ------------------------------------------------------------ */

static void vnet_switch_input(struct vnet_switch *s, unsigned in_port, const uint8_t *frame,
			      uint32_t len)
{
	spin_lock(&s->lock);
	uint32_t mask = vswitch_route(&s->sw, in_port, frame, len, vnet_now_ns());
	spin_unlock(&s->lock);
	for (unsigned p = 0; mask; p++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		if ((int)p == s->uplink_port)
			uplink_send(frame, len);
		else if (s->nic[p])
			vnet_deliver(s->nic[p], frame, len);
	}
}

static struct vnet_switch *vnet_switch_get(unsigned i, struct vhost_dev *up)
{
	struct vnet_switch *s = &switches[i];

	if (!s->used) {
		vswitch_init(&s->sw);
		s->uplink_port = -1;
		s->used = true;
	}
	if (up && s->uplink_port < 0) {
		if (!uplink_start(up))
			return NULL;
		int p = vswitch_add_port(&s->sw);
		if (p < 0)
			return NULL;
		vswitch_set_up(&s->sw, (unsigned)p, true);
		s->uplink_port = p;
	}
	return s;
}

bool virtio_net_create(struct virtio_mmio_dev *d, struct vm *vm, unsigned sw,
		       struct vhost_dev *up, bool dhcp)
{
	if (nvnets == VNET_MAX || sw >= VNET_SWITCHES)
		return false;
	struct vnet_switch *s = vnet_switch_get(sw, up);
	if (s == NULL)
		return false;
	struct vnet *n = &vnets[nvnets];
	memset(n, 0, sizeof(*n));
	n->st_pa = frame_alloc_contig(VNET_STAGE * VNET_BUF / FRAME_SIZE, 1);
	int port = vswitch_add_port(&s->sw);
	if (n->st_pa == 0 || port < 0)
		return false;
	n->dev = d;
	n->vm = vm;
	n->sw = s;
	n->port = (unsigned)port;
	netmac_from_name(vm->name, n->mac);
	s->nic[port] = n;
	vswitch_set_up(&s->sw, n->port, true);
	nvnets++;
	virtio_mmio_attach(d, &vnet_ops, n);
	if (dhcp && s->uplink_port >= 0)
		uplink_register_dhcp(n->mac);
	log_info("vm %s: virtio-net in slot %u: %02x:%02x:%02x:%02x:%02x:%02x on switch %u%s",
		 vm->name, d->slot, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
		 n->mac[5], sw, s->uplink_port >= 0 ? " (uplink)" : "");
	return true;
}
