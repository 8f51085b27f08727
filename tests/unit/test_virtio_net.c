/*
 * Unit tests of src/dev/virtio_net.c behind the transport, on fake VMs of
 * guest RAM: the configuration space (the MAC derived from the VM's name,
 * link up), a frame from one VM's transmit queue reaching the other VM's
 * receive buffer on the same switch (header with num_buffers 1, the frame
 * intact) and the uplink (the host's virtio-net, faked), never a VM on
 * another switch; runt and oversized frames dropped and counted; a frame
 * for a NIC without receive buffers dropped and counted; a transmit
 * request with a writable buffer setting DEVICE_NEEDS_RESET; frames from
 * the host's network delivered by destination MAC; the DHCP registration
 * of `address = dhcp`; a quiesced NIC taking nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/hostmem.h"
#include "core/platform.h"
#include "core/vm.h"
#include "core/vswitch.h"
#include "dev/virtio_host.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_net.h"
#include "fakes/fake_guest_ram.h"
#include "trapeze/netmac.h"

struct platform platform = { .timebase_hz = 10000000 };
uint64_t platform_time(void) { return 0; }

/* ---- the fake host virtio-net ---------------------------------------------- */

static struct vhost_dev host;
static struct { struct vhost_req *r; uint64_t pa; uint32_t len; unsigned q; } pend[256];
static unsigned npend;
static uint8_t sent[8][2048];
static uint32_t sent_len[8];
static unsigned nsent;
static uint8_t first[2048];             /* the first frame ever sent to the host */
static uint32_t first_len;

bool vhost_start(struct vhost_dev *d, uint64_t wanted, unsigned nqueues)
{
	assert_int_equal(wanted, 0);
	d->nqueues = nqueues;
	d->started = true;
	return true;
}

bool vhost_submit(struct vhost_dev *d, unsigned q, const struct vhost_seg *segs, unsigned n,
		  uint64_t table_pa, struct vhost_req *r)
{
	(void)d, (void)table_pa;
	assert_int_equal(n, 1);
	if (q == 1 && first_len == 0) {
		memcpy(first, hostmem_va(segs[0].pa), segs[0].len);
		first_len = segs[0].len;
	}
	if (q == 1 && nsent < 8) {
		memcpy(sent[nsent], hostmem_va(segs[0].pa), segs[0].len);
		sent_len[nsent++] = segs[0].len;
	}
	pend[npend].r = r;
	pend[npend].pa = segs[0].pa;
	pend[npend].len = segs[0].len;
	pend[npend++].q = q;
	return true;
}

void vhost_poll(struct vhost_dev *d) { (void)d; }
void vhost_quiet(struct vhost_dev *d, unsigned q) { (void)d, (void)q; }
uint32_t vhost_cfg_read32(struct vhost_dev *d, unsigned off) { (void)d, (void)off; return 0; }

/* The host's network sends frame: the first posted receive buffer takes it. */
static void host_receive(const uint8_t *frame, uint32_t len)
{
	for (unsigned i = 0; i < npend; i++) {
		if (pend[i].q != 0)
			continue;
		struct vhost_req *r = pend[i].r;
		uint8_t *b = hostmem_va(pend[i].pa);
		memset(b, 0, VIRTIO_NET_HDR_LEN);
		memcpy(b + VIRTIO_NET_HDR_LEN, frame, len);
		pend[i] = pend[--npend];
		r->done(r, VIRTIO_NET_HDR_LEN + len);
		return;
	}
	fail_msg("no receive buffer posted to the host device");
}

/* ---- three VMs: a and b on switch 0 (uplinked), c on switch 1 ---------------- */

#define DESC    0x0000
#define AVAIL   0x0100
#define USED    0x0200
#define TXQ     0x0400          /* the transmit queue's areas: + DESC/AVAIL/USED */
#define RXBUF   0x1000
#define TXBUF   0x2000
#define QNUM    8

static struct vm *vms[3];
static struct virtio_mmio_dev slots[3];
static uint16_t tx_avail[3], rx_avail[3];

static void *gp(unsigned v, uint64_t off) { return fake_gram_ptr(vms[v], FAKE_GRAM_BASE + off); }

static uint32_t mmio(unsigned v, uint64_t off, bool write, uint32_t val, unsigned width)
{
	struct mmio_access a = { .gpa = virtio_mmio_gpa(7) + off, .offset = off, .width = width,
				 .write = write, .value = val };
	assert_int_equal(slots[v].mmio.access(&slots[v].mmio, vms[v], &a), 0);
	return (uint32_t)a.value;
}

static void wr(unsigned v, uint64_t off, uint32_t val) { mmio(v, off, true, val, 4); }

static void put_desc(unsigned v, uint64_t table, unsigned i, uint64_t off, uint32_t len,
		     uint16_t flags)
{
	struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d = {
		FAKE_GRAM_BASE + off, len, flags, 0 };
	memcpy(gp(v, table + 16 * i), &d, sizeof(d));
}

/* The driver's side (3.1.1), both queues of QNUM, its rings zeroed. */
static void driver_up(unsigned v)
{
	memset(gp(v, 0), 0, TXQ + USED + 4 + 8 * QNUM);
	wr(v, VIRTIO_MMIO_STATUS, 1);
	wr(v, VIRTIO_MMIO_STATUS, 3);
	wr(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(v, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(v, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(v, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_NET_F_MAC);
	wr(v, VIRTIO_MMIO_STATUS, 0xb);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t base = FAKE_GRAM_BASE + (q ? TXQ : 0);
		wr(v, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(v, VIRTIO_MMIO_QUEUE_NUM, QNUM);
		wr(v, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(base + DESC));
		wr(v, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(base + AVAIL));
		wr(v, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(base + USED));
		wr(v, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(v, VIRTIO_MMIO_STATUS, 0xf);
	tx_avail[v] = rx_avail[v] = 0;
}

/* One receive buffer of len bytes, descriptor 0. */
static void post_rx(unsigned v, uint32_t len)
{
	put_desc(v, DESC, 0, RXBUF, len, VIRTQ_DESC_F_WRITE);
	memset(gp(v, RXBUF), 0xee, len);
	uint16_t slot = rx_avail[v]++ % QNUM, zero = 0;
	memcpy(gp(v, AVAIL + 4 + 2 * slot), &zero, 2);
	memcpy(gp(v, AVAIL + 2), &rx_avail[v], 2);
	wr(v, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t used_idx(unsigned v, uint64_t q) { uint16_t x; memcpy(&x, gp(v, q + USED + 2), 2); return x; }
static uint32_t used_len(unsigned v, uint64_t q, unsigned n)
{
	uint32_t x;
	memcpy(&x, gp(v, q + USED + 4 + 8 * (n % QNUM) + 4), 4);
	return x;
}

static size_t mkframe(uint8_t *f, const uint8_t *dst, const uint8_t *src, size_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)i;
	return len;
}

/* VM v transmits one request: header + frame, flags as given. */
static void transmit(unsigned v, const uint8_t *frame, uint32_t len, uint16_t flags)
{
	memset(gp(v, TXBUF), 0, VIRTIO_NET_HDR_LEN);
	memcpy(gp(v, TXBUF + VIRTIO_NET_HDR_LEN), frame, len);
	put_desc(v, TXQ + DESC, 0, TXBUF, VIRTIO_NET_HDR_LEN + len, flags);
	uint16_t slot = tx_avail[v]++ % QNUM, zero = 0;
	memcpy(gp(v, TXQ + AVAIL + 4 + 2 * slot), &zero, 2);
	memcpy(gp(v, TXQ + AVAIL + 2), &tx_avail[v], 2);
	wr(v, VIRTIO_MMIO_QUEUE_NOTIFY, 1);     /* the flush hook runs after it */
}

static uint8_t mac[3][6];
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int setup_once(void **state)
{
	static const char *names[3] = { "a", "b", "c" };

	(void)state;
	host.device_id = VIRTIO_ID_NET;
	for (unsigned v = 0; v < 3; v++) {
		vms[v] = fake_gram_create();
		strcpy(vms[v]->name, names[v]);
		netmac_from_name(names[v], mac[v]);
		virtio_mmio_init(&slots[v], 7, vms[v],
				 (struct irq_line){ vms[v], BOARD_VIRTIO_IRQ + 7 });
		assert_true(virtio_net_create(&slots[v], vms[v], v == 2, v == 2 ? NULL : &host, v == 0));
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 3; v++) {
		memset(&vms[v]->stats, 0, sizeof(vms[v]->stats));
		wr(v, VIRTIO_MMIO_STATUS, 0);
		driver_up(v);
	}
	nsent = 0;
	return 0;
}

static void test_virtio_net_config_space_mac_and_link(void **state)
{
	(void)state;
	assert_int_equal(mmio(0, VIRTIO_MMIO_DEVICE_ID, false, 0, 4), VIRTIO_ID_NET);
	wr(0, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = mmio(0, VIRTIO_MMIO_DEVICE_FEATURES, false, 0, 4);
	assert_true(f & (1u << VIRTIO_NET_F_MAC));
	assert_true(f & (1u << VIRTIO_NET_F_STATUS));
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(mmio(0, VIRTIO_MMIO_CONFIG + i, false, 0, 1), mac[0][i]);
	assert_int_equal(mmio(0, VIRTIO_MMIO_CONFIG + 6, false, 0, 2), VIRTIO_NET_S_LINK_UP);
	assert_int_equal(mmio(0, VIRTIO_MMIO_CONFIG + 8, false, 0, 1), 0xff);   /* past the end */
}

static void test_virtio_net_frame_reaches_same_switch_only(void **state)
{
	uint8_t f[100];
	size_t len = mkframe(f, BCAST, mac[0], 100);

	(void)state;
	post_rx(1, 1600);
	post_rx(2, 1600);
	transmit(0, f, (uint32_t)len, 0);
	assert_int_equal(used_idx(0, TXQ), 1);                  /* sent */
	assert_int_equal(used_idx(1, 0), 1);                    /* b got it */
	assert_int_equal(used_len(1, 0, 0), VIRTIO_NET_HDR_LEN + len);
	uint8_t *b = gp(1, RXBUF);
	assert_int_equal(b[10], 1);                             /* num_buffers */
	assert_int_equal(b[0], 0);
	assert_memory_equal(b + VIRTIO_NET_HDR_LEN, f, len);
	assert_int_equal(used_idx(2, 0), 0);                    /* c, another switch: nothing */
	assert_int_equal(vms[2]->stats.net_rx, 0);
	assert_int_equal(vms[0]->stats.net_tx, 1);
	assert_int_equal(vms[1]->stats.net_rx, 1);
	/* ...and the uplink: a zero header, then the frame. */
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_len[0], VIRTIO_NET_HDR_LEN + len);
	assert_memory_equal(sent[0] + VIRTIO_NET_HDR_LEN, f, len);
	/* b answers a: a's address was learnt, nothing floods to the uplink. */
	post_rx(0, 1600);
	mkframe(f, mac[0], mac[1], 60);
	transmit(1, f, 60, 0);
	assert_int_equal(used_idx(0, 0), 1);
	assert_int_equal(nsent, 1);
}

static void test_virtio_net_runt_and_oversized_dropped_counted(void **state)
{
	uint8_t f[1600];

	(void)state;
	post_rx(1, 1600);
	mkframe(f, BCAST, mac[0], sizeof(f));
	transmit(0, f, 13, 0);
	transmit(0, f, VSWITCH_FRAME_MAX + 1, 0);
	assert_int_equal(used_idx(0, TXQ), 2);                  /* both completed */
	assert_int_equal(vms[0]->stats.net_tx_dropped, 2);
	assert_int_equal(used_idx(1, 0), 0);
	assert_int_equal(nsent, 0);
	transmit(0, f, VSWITCH_FRAME_MAX, 0);                   /* the largest passes */
	assert_int_equal(used_idx(1, 0), 1);
	assert_int_equal(used_len(1, 0, 0), VIRTIO_NET_HDR_LEN + VSWITCH_FRAME_MAX);
}

static void test_virtio_net_no_receive_buffer_drops(void **state)
{
	uint8_t f[60];

	(void)state;
	mkframe(f, BCAST, mac[0], 60);
	transmit(0, f, 60, 0);                                  /* b posted nothing */
	assert_int_equal(vms[1]->stats.net_rx_dropped, 1);
	post_rx(1, 40);                                         /* too small: kept, frame dropped */
	transmit(0, f, 60, 0);
	assert_int_equal(vms[1]->stats.net_rx_dropped, 2);
	assert_int_equal(used_idx(1, 0), 0);
	assert_false(mmio(1, VIRTIO_MMIO_STATUS, false, 0, 4) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_virtio_net_writable_tx_buffer_needs_reset(void **state)
{
	uint8_t f[60];

	(void)state;
	mkframe(f, BCAST, mac[0], 60);
	transmit(0, f, 60, VIRTQ_DESC_F_WRITE);
	assert_true(mmio(0, VIRTIO_MMIO_STATUS, false, 0, 4) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(vms[1]->stats.net_rx + vms[1]->stats.net_rx_dropped, 0);
	/* The driver's reset brings it back. */
	wr(0, VIRTIO_MMIO_STATUS, 0);
	driver_up(0);
	post_rx(1, 1600);
	transmit(0, f, 60, 0);
	assert_int_equal(used_idx(1, 0), 1);
}

static void test_virtio_net_host_frames_by_destination(void **state)
{
	uint8_t f[60];
	const uint8_t gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

	(void)state;
	post_rx(0, 1600);
	post_rx(1, 1600);
	post_rx(2, 1600);
	mkframe(f, mac[1], gw, 60);
	host_receive(f, 60);                                    /* to b alone */
	assert_int_equal(used_idx(1, 0), 1);
	assert_int_equal(used_idx(0, 0), 0);
	assert_memory_equal((uint8_t *)gp(1, RXBUF) + VIRTIO_NET_HDR_LEN, f, 60);
	mkframe(f, BCAST, gw, 60);
	host_receive(f, 60);                                    /* broadcast: a (b has no buffer) */
	assert_int_equal(used_idx(0, 0), 1);
	assert_int_equal(used_idx(2, 0), 0);                    /* never the other switch */
	assert_int_equal(nsent, 0);                             /* nor back to the host */
}

static void test_virtio_net_quiesced_takes_nothing(void **state)
{
	uint8_t f[60];

	(void)state;
	post_rx(1, 1600);
	slots[1].ops->quiesce(&slots[1]);
	mkframe(f, BCAST, mac[0], 60);
	transmit(0, f, 60, 0);
	assert_int_equal(used_idx(1, 0), 0);
	assert_int_equal(vms[1]->mem_pins, 0);
	virtio_mmio_reset(&slots[1]);                           /* the VM's reset: back */
	driver_up(1);
	post_rx(1, 1600);
	transmit(0, f, 60, 0);
	assert_int_equal(used_idx(1, 0), 1);
}

/* At creation, `address = dhcp`'s NIC (a) was announced to the host's DHCP
 * server: a DHCPDISCOVER from its MAC, before any VM ran. */
static void test_virtio_net_dhcp_registration(void **state)
{
	(void)state;
	/* The first frame the fake host saw, kept by setup_once. */
	assert_true(first_len > 0);
	const uint8_t *f = first + VIRTIO_NET_HDR_LEN;
	assert_memory_equal(f, BCAST, 6);
	assert_memory_equal(f + 6, mac[0], 6);
	assert_int_equal(f[23], 17);                            /* UDP */
	assert_int_equal(f[14 + 20 + 1], 68);                   /* from bootpc */
	assert_int_equal(f[14 + 20 + 3], 67);                   /* to bootps */
	const uint8_t *bp = f + 14 + 28;
	assert_int_equal(bp[0], 1);                             /* BOOTREQUEST */
	assert_memory_equal(bp + 28, mac[0], 6);                /* chaddr */
	static const uint8_t discover[] = { 99, 130, 83, 99, 53, 1, 1, 255 };
	assert_memory_equal(bp + 236, discover, sizeof(discover));
	/* The IPv4 header checksum sums to 0xffff. */
	uint32_t sum = 0;
	for (unsigned i = 0; i < 20; i += 2)
		sum += (uint32_t)f[14 + i] << 8 | f[14 + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_net_dhcp_registration),
		cmocka_unit_test_setup(test_virtio_net_config_space_mac_and_link, setup),
		cmocka_unit_test_setup(test_virtio_net_frame_reaches_same_switch_only, setup),
		cmocka_unit_test_setup(test_virtio_net_runt_and_oversized_dropped_counted, setup),
		cmocka_unit_test_setup(test_virtio_net_no_receive_buffer_drops, setup),
		cmocka_unit_test_setup(test_virtio_net_writable_tx_buffer_needs_reset, setup),
		cmocka_unit_test_setup(test_virtio_net_host_frames_by_destination, setup),
		cmocka_unit_test_setup(test_virtio_net_quiesced_takes_nothing, setup),
	};
	return cmocka_run_group_tests(tests, setup_once, NULL);
}
