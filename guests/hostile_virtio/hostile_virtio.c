/*
 * A virtio-blk driver that attacks its own device (Virtio 1.2, 2.7 split
 * queues, 4.2 virtio-mmio, 5.2 block device), polled, on the disk in slot 7
 * (0x10008000, the launcher's first `disk =`). Between honest writes and
 * read-backs of a sector pattern it makes: a descriptor loop, a buffer
 * outside its RAM, an avail index jumping past the queue size, a read past
 * the end of the disk, a notification for a queue that does not exist, a
 * reset in the middle of a request. After each, it reports what the device
 * said (DEVICE_NEEDS_RESET, the request's status) and resets it, then shows
 * the disk still works. Printed lines are compared with bare QEMU, where
 * QEMU's own virtio-blk answers (virtio_error sets NEEDS_RESET).
 *
 * bootargs: hostile_virtio.mode=good only does honest I/O (rounds=N times):
 * the neighbour whose disk must keep working beside the hostile one;
 * hostile_virtio.dev=net attacks a NIC instead (net.c).
 */
#include "guest.h"
#include "hostile.h"
#include "vmmio.h"

#define VBASE           VMMIO_SLOT7

#define QNUM            8

static struct desc descs[QNUM] __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx, ring[QNUM], event;
} avail __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx;
	struct { uint32_t id, len; } ring[QNUM];
	uint16_t event;
} used __attribute__((aligned(4096)));
static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr __attribute__((aligned(64)));
static uint8_t data[512] __attribute__((aligned(512)));
static volatile uint8_t status;
static uint16_t next_avail, seen_used;

void hostile_net_main(void) __attribute__((noreturn));

static uint32_t rd(unsigned off) { return *(volatile uint32_t *)(VBASE + off); }
static void wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(VBASE + off) = v; }
static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }

/* 3.1.1 device initialisation, one queue of QNUM. */
static int dev_init(void)
{
	wr(R_STATUS, 0);
	while (rd(R_STATUS) != 0)
		;
	wr(R_STATUS, 1);
	wr(R_STATUS, 3);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1);              /* VERSION_1 only */
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, 0);
	wr(R_STATUS, 0xb);
	if (!(rd(R_STATUS) & 8))
		return -1;
	memset(descs, 0, sizeof(descs));
	memset(&avail, 0, sizeof(avail));
	memset((void *)&used, 0, sizeof(used));
	next_avail = seen_used = 0;
	wr(R_QUEUE_SEL, 0);
	wr(R_QUEUE_NUM, QNUM);
	wr(R_DESC_LO, (uint32_t)(unsigned long)descs);
	wr(R_DESC_HI, (uint32_t)((unsigned long)descs >> 32));
	wr(R_AVAIL_LO, (uint32_t)(unsigned long)&avail);
	wr(R_AVAIL_HI, (uint32_t)((unsigned long)&avail >> 32));
	wr(R_USED_LO, (uint32_t)(unsigned long)&used);
	wr(R_USED_HI, (uint32_t)((unsigned long)&used >> 32));
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, 0xf);
	return 0;
}

static void offer(uint16_t head)
{
	avail.ring[next_avail % QNUM] = head;
	fence();
	avail.idx = ++next_avail;
	fence();
	wr(R_QUEUE_NOTIFY, 0);
}

/* Wait for a used entry (1), NEEDS_RESET (-1) or nothing (0) for 300 ms. */
static int wait_used(void)
{
	uint64_t end = time_now() + 300 * HOSTILE_TICKS_PER_MS;

	while (time_now() < end) {
		fence();
		if (*(volatile uint16_t *)&used.idx != seen_used) {
			seen_used++;
			wr(R_ISR_ACK, rd(R_ISR));
			return 1;
		}
		if (rd(R_STATUS) & NEEDS_RESET)
			return -1;
	}
	return 0;
}

/* One honest request (type 0 read, 1 write) of one sector; its status, or
 * -1 for no answer. */
static int request(uint32_t type, uint64_t sector)
{
	hdr.type = type;
	hdr.sector = sector;
	status = 0xff;
	descs[0] = (struct desc){ (unsigned long)&hdr, 16, F_NEXT, 1 };
	descs[1] = (struct desc){ (unsigned long)data, 512,
				  (uint16_t)(F_NEXT | (type == 0 ? F_WRITE : 0)), 2 };
	descs[2] = (struct desc){ (unsigned long)&status, 1, F_WRITE, 0 };
	offer(0);
	return wait_used() == 1 ? status : -1;
}

static void fill(uint8_t seed)
{
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(seed + i * 7);
}

static int check(uint8_t seed)
{
	for (unsigned i = 0; i < sizeof(data); i++)
		if (data[i] != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

/* Write a pattern to a sector, read it back. */
static void honest(const char *what, uint8_t seed, uint64_t sector)
{
	fill(seed);
	int w = request(1, sector);
	memset(data, 0, sizeof(data));
	int r = request(0, sector);
	printf("%s: write %d read %d match %d\n", what, w, r, check(seed));
}

static void report(const char *what, int got)
{
	printf("%s: %s, needs-reset %d\n", what,
	       got == 1 ? "used" : got < 0 ? "device error" : "no answer",
	       (rd(R_STATUS) & NEEDS_RESET) != 0);
	dev_init();
	honest("  after reset", (uint8_t)strlen(what), 5);
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	char mode[16] = "hostile", dev[8] = "blk";
	(void)hartid, (void)dtb;

	hostile_arg_str("hostile_virtio.mode", mode, sizeof(mode));
	hostile_arg_str("hostile_virtio.dev", dev, sizeof(dev));
	if (hostile_str_eq(dev, "net"))
		hostile_net_main();
	if (rd(R_MAGIC) != 0x74726976 || rd(R_DEVICE_ID) != 2) {
		printf("no virtio-blk in slot 7\n");
		guest_fail();
	}
	printf("capacity %u sectors, queue max %u\n", rd(R_CONFIG), (wr(R_QUEUE_SEL, 0), rd(R_QUEUE_NUM_MAX)));
	if (dev_init()) {
		printf("features refused\n");
		guest_fail();
	}
	if (hostile_str_eq(mode, "good")) {
		unsigned long rounds = hostile_arg_ulong("hostile_virtio.rounds", 20);
		for (unsigned long i = 0; i < rounds; i++)
			honest("round", (uint8_t)i, 1 + i % 8);
		guest_done();
	}
	honest("honest", 1, 3);

	/* A descriptor loop: 0 -> 1 -> 0. */
	descs[0] = (struct desc){ (unsigned long)&hdr, 16, F_NEXT, 1 };
	descs[1] = (struct desc){ (unsigned long)data, 512, F_NEXT, 0 };
	hdr.type = 1;
	hdr.sector = 0;
	offer(0);
	report("descriptor loop", wait_used());

	/* A data buffer outside the VM's RAM (2 GiB above it). */
	hdr.type = 0;
	descs[0] = (struct desc){ (unsigned long)&hdr, 16, F_NEXT, 1 };
	descs[1] = (struct desc){ 0x180000000UL, 512, F_NEXT | F_WRITE, 2 };
	descs[2] = (struct desc){ (unsigned long)&status, 1, F_WRITE, 0 };
	offer(0);
	report("buffer outside RAM", wait_used());

	/* The avail index jumps past the queue size. */
	avail.idx = (uint16_t)(next_avail + QNUM + 3);
	fence();
	wr(R_QUEUE_NOTIFY, 0);
	report("avail index jump", wait_used());

	/* Past the end of the disk: an I/O error, the device goes on. */
	int st = request(0, rd(R_CONFIG));
	printf("read past the end: status %d, needs-reset %d\n", st,
	       (rd(R_STATUS) & NEEDS_RESET) != 0);

	/* A notification for a queue that does not exist: nothing. */
	wr(R_QUEUE_NOTIFY, 5);
	wr(R_QUEUE_NOTIFY, 0xffff);
	honest("after notify of queue 5", 9, 4);

	/* A reset in the middle of a request. */
	hdr.type = 1;
	hdr.sector = 6;
	fill(0x77);
	descs[0] = (struct desc){ (unsigned long)&hdr, 16, F_NEXT, 1 };
	descs[1] = (struct desc){ (unsigned long)data, 512, F_NEXT, 2 };
	descs[2] = (struct desc){ (unsigned long)&status, 1, F_WRITE, 0 };
	offer(0);
	wr(R_STATUS, 0);
	while (rd(R_STATUS) != 0)
		;
	dev_init();
	honest("after a reset mid-request", 11, 6);
	guest_done();
}
