/*
 * hostile_virtio.dev=net: a virtio-net driver that attacks its own NIC
 * (Virtio 1.2, 2.7 split queues, 4.2 virtio-mmio, 5.1 network device),
 * polled, on the NIC in slot 7 (a VM with a `net =` and no disk), while
 * other VMs use the same virtual switch. Between honest transmissions it
 * makes: a transmit descriptor loop, a transmit buffer outside its RAM, a
 * frame longer than any the device takes (Virtio 1.2, 5.1.6.2: 65550 bytes
 * with its header), a transmit buffer marked device-writable, a receive
 * buffer outside its RAM (until a neighbour's broadcast arrives),
 * notifications for queues that do not exist, then a flood of broadcast
 * frames of an unused EtherType. After each it reports what the device
 * said and resets it. The test (tests/system/test_net.py) checks that the
 * neighbours' transfer is unharmed, and that the NIC always works again
 * after its driver resets it.
 */
#include "guest.h"
#include "hostile.h"
#include "vmmio.h"

#define NBASE           VMMIO_SLOT7

#define QNUM            8
#define RXQ             0
#define TXQ             1
#define HDR_LEN         12      /* struct virtio_net_hdr with VERSION_1 (5.1.6) */
#define FRAME_LEN       64
#define BIG_CHUNK       16384

struct queue {
	struct desc descs[QNUM] __attribute__((aligned(4096)));
	struct {
		uint16_t flags, idx, ring[QNUM], event;
	} avail __attribute__((aligned(4096)));
	struct {
		uint16_t flags, idx;
		struct { uint32_t id, len; } ring[QNUM];
		uint16_t event;
	} used __attribute__((aligned(4096)));
	uint16_t next_avail, seen_used;
};

static struct queue q[2];
static uint8_t frame[HDR_LEN + FRAME_LEN] __attribute__((aligned(64)));
static uint8_t big[BIG_CHUNK] __attribute__((aligned(4096)));
static uint8_t rxbuf[2048] __attribute__((aligned(64)));

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(NBASE + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(NBASE + off) = v; }
static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

static void queue_setup(unsigned n)
{
	struct queue *qu = &q[n];

	memset(qu, 0, sizeof(*qu));
	wr(R_QUEUE_SEL, n);
	wr(R_QUEUE_NUM, QNUM);
	wr(R_DESC_LO, (uint32_t)(unsigned long)qu->descs);
	wr(R_DESC_HI, (uint32_t)((unsigned long)qu->descs >> 32));
	wr(R_AVAIL_LO, (uint32_t)(unsigned long)&qu->avail);
	wr(R_AVAIL_HI, (uint32_t)((unsigned long)&qu->avail >> 32));
	wr(R_USED_LO, (uint32_t)(unsigned long)&qu->used);
	wr(R_USED_HI, (uint32_t)((unsigned long)&qu->used >> 32));
	wr(R_QUEUE_READY, 1);
}

/* 3.1.1: VERSION_1 alone, both queues, DRIVER_OK. */
static int net_init(void)
{
	wr(R_STATUS, 0);
	while (rd(R_STATUS) != 0)
		;
	wr(R_STATUS, 1);
	wr(R_STATUS, 3);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1);
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, 0);
	wr(R_STATUS, 0xb);
	if (!(rd(R_STATUS) & 8))
		return -1;
	queue_setup(RXQ);
	queue_setup(TXQ);
	wr(R_STATUS, 0xf);
	return 0;
}

static void offer(unsigned n, uint16_t head)
{
	struct queue *qu = &q[n];

	qu->avail.ring[qu->next_avail % QNUM] = head;
	fence();
	qu->avail.idx = ++qu->next_avail;
	fence();
	wr(R_QUEUE_NOTIFY, n);
}

/* A used entry on queue n (1), NEEDS_RESET (-1) or nothing (0) in ms. */
static int wait_used(unsigned n, unsigned ms)
{
	struct queue *qu = &q[n];
	uint64_t end = time_now() + ms * HOSTILE_TICKS_PER_MS;

	while (time_now() < end) {
		fence();
		if (*(volatile uint16_t *)&qu->used.idx != qu->seen_used) {
			qu->seen_used++;
			wr(R_ISR_ACK, rd(R_ISR));
			return 1;
		}
		if (rd(R_STATUS) & NEEDS_RESET)
			return -1;
	}
	return 0;
}

/* A broadcast frame of EtherType 0x88b5 (IEEE 802 local experimental),
 * which no neighbour's stack takes up. */
static void make_frame(uint8_t seq)
{
	memset(frame, 0, sizeof(frame));
	memset(frame + HDR_LEN, 0xff, 6);
	uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };
	memcpy(frame + HDR_LEN + 6, src, 6);
	frame[HDR_LEN + 12] = 0x88;
	frame[HDR_LEN + 13] = 0xb5;
	for (unsigned i = HDR_LEN + 14; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(seq + i);
}

static int send_frame(uint8_t seq)
{
	make_frame(seq);
	q[TXQ].descs[0] = (struct desc){ (unsigned long)frame, sizeof(frame), 0, 0 };
	offer(TXQ, 0);
	return wait_used(TXQ, 300);
}

static void report(const char *what, int got)
{
	printf("%s: %s, needs-reset %d\n", what,
	       got == 1 ? "used" : got < 0 ? "device error" : "no answer",
	       (rd(R_STATUS) & NEEDS_RESET) != 0);
	net_init();
	printf("  after reset: transmit %s\n", send_frame(1) == 1 ? "used" : "failed");
}

void hostile_net_main(void)
{
	if (rd(R_MAGIC) != 0x74726976 || rd(R_DEVICE_ID) != 1) {
		printf("no virtio-net in slot 7\n");
		guest_fail();
	}
	if (net_init()) {
		printf("features refused\n");
		guest_fail();
	}
	printf("honest transmit: %s\n", send_frame(0) == 1 ? "used" : "failed");

	/* A transmit descriptor loop: 0 -> 1 -> 0. */
	make_frame(2);
	q[TXQ].descs[0] = (struct desc){ (unsigned long)frame, HDR_LEN, F_NEXT, 1 };
	q[TXQ].descs[1] = (struct desc){ (unsigned long)frame + HDR_LEN, FRAME_LEN, F_NEXT, 0 };
	offer(TXQ, 0);
	report("transmit descriptor loop", wait_used(TXQ, 300));

	/* A transmit buffer 2 GiB above its RAM. */
	q[TXQ].descs[0] = (struct desc){ (unsigned long)frame, HDR_LEN, F_NEXT, 1 };
	q[TXQ].descs[1] = (struct desc){ 0x180000000UL, FRAME_LEN, 0, 0 };
	offer(TXQ, 0);
	report("transmit buffer outside RAM", wait_used(TXQ, 300));

	/* Five 16 KiB buffers after the header: 80 KiB, past 65550 bytes. */
	make_frame(3);
	q[TXQ].descs[0] = (struct desc){ (unsigned long)frame, HDR_LEN, F_NEXT, 1 };
	for (unsigned i = 1; i <= 5; i++)
		q[TXQ].descs[i] = (struct desc){ (unsigned long)big, BIG_CHUNK,
						 (uint16_t)(i < 5 ? F_NEXT : 0), (uint16_t)(i + 1) };
	offer(TXQ, 0);
	report("oversized frame", wait_used(TXQ, 300));

	/* A transmit buffer the device may write (2.7.4.2: a driver-only
	 * queue's buffers are device-readable). */
	make_frame(4);
	q[TXQ].descs[0] = (struct desc){ (unsigned long)frame, sizeof(frame), F_WRITE, 0 };
	offer(TXQ, 0);
	report("device-writable transmit buffer", wait_used(TXQ, 300));

	/* Receive buffers outside RAM, and one honest one behind them: the
	 * next broadcast on the switch (up to 20 s) lands nowhere outside the
	 * VM. */
	for (unsigned i = 0; i < 4; i++) {
		q[RXQ].descs[i] = (struct desc){ 0x180000000UL + i * 4096, 2048, F_WRITE, 0 };
		offer(RXQ, (uint16_t)i);
	}
	q[RXQ].descs[4] = (struct desc){ (unsigned long)rxbuf, sizeof(rxbuf), F_WRITE, 0 };
	offer(RXQ, 4);
	report("receive buffers outside RAM", wait_used(RXQ, 20000));

	/* Notifications for queues that do not exist. */
	wr(R_QUEUE_NOTIFY, 5);
	wr(R_QUEUE_NOTIFY, 0xffff);
	printf("after notify of queue 5: transmit %s\n", send_frame(6) == 1 ? "used" : "failed");

	/* A flood of broadcasts through the switch. */
	unsigned long n = hostile_arg_ulong("hostile_virtio.flood", 2000), sent = 0;
	for (unsigned long i = 0; i < n; i++)
		sent += send_frame((uint8_t)i) == 1;
	printf("flood: %lu of %lu frames sent\n", sent, n);
	guest_done();
}
