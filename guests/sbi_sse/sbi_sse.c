/*
 * SBI v3.0, chapter "Supervisor Software Events Extension": every function
 * of SSE with good and bad input, on the two software-injected events.
 * Handlers (sse_entry.S) record what they see on entry; checked calls
 * (sse_checked_call) prove that completion resumes exactly the
 * interrupted instruction with its registers, sepc and sstatus.
 *
 * OpenSBI 1.1 on bare QEMU has no SSE (it probes 0), so every line but
 * "done" is a "spec:" line, compared by tests/system/test_sbi_sse.py with
 * what the specification requires rather than with bare QEMU.
 *
 * With a second hart (vcpus = 2 under Trapeze), "spec: smp" lines add what
 * one hart cannot show ("Software Event States"): a local event's state is
 * per hart, and an event injected for a hart runs that hart's handler on
 * it; the global event is taken on its PREFERRED_HART, whichever hart
 * injects it, and while it runs there its INTERRUPTED_* attributes are the
 * running hart's alone to write.
 */
#include "guest.h"
#include "smp.h"

#define SBI_EXT_SSE     0x535345
#define SSE_READ_ATTRS  0
#define SSE_WRITE_ATTRS 1
#define SSE_REGISTER    2
#define SSE_UNREGISTER  3
#define SSE_ENABLE      4
#define SSE_DISABLE     5
#define SSE_COMPLETE    6
#define SSE_INJECT      7
#define SSE_HART_UNMASK 8
#define SSE_HART_MASK   9

#define LOCAL           0xffff0000UL
#define GLOBAL          0xffff8000UL

#define ATTR_STATUS     0
#define ATTR_PRIORITY   1
#define ATTR_CONFIG     2
#define ATTR_PREF_HART  3
#define ATTR_ENTRY_PC   4
#define ATTR_ENTRY_ARG  5
#define ATTR_INT_SEPC   6
#define ATTR_INT_FLAGS  7
#define ATTR_INT_A6     8
#define ATTR_INT_A7     9
#define NATTRS          10

#define SSE_TEST_SEPC   0x1234UL        /* sse_entry.S */
#define PAT(i)          (0x5a5a000000000000UL + (i))

/* What sse_entry.S saves and runs on; the rest is what the handler saw. */
struct sse_ctx {
	unsigned long regs[32];
	unsigned long stack_top;
	unsigned long hartid;           /* a6 at entry */
	char tag;
	unsigned runs;
	unsigned long sepc, sstatus;    /* at entry */
	unsigned long attrs[NATTRS];    /* at entry */
	void (*body)(struct sse_ctx *);
	unsigned long event;
};

struct sse_regs {
	unsigned long regs[32];
	unsigned long sepc, sstatus;
};

void sse_entry(void);
extern char sse_checked_ecall_ret[];
struct sse_regs *sse_checked_call(unsigned long fid, unsigned long a0, unsigned long a1,
				  struct sse_regs *out);

static uint8_t stack_local[4096] __attribute__((aligned(16)));
static uint8_t stack_global[4096] __attribute__((aligned(16)));
static struct sse_ctx ctx_local = { .tag = 'L', .event = LOCAL };
static struct sse_ctx ctx_global = { .tag = 'G', .event = GLOBAL };
static unsigned long buf[16] __attribute__((aligned(8)));
static char order[32];
static unsigned norder;

static struct sbiret sse(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_call(SBI_EXT_SSE, fid, a0, a1, a2, a3, a4, 0);
}

static long read_attrs(unsigned long ev, unsigned long base, unsigned long n, void *p)
{
	return sse(SSE_READ_ATTRS, ev, base, n, (unsigned long)p, 0).error;
}

static long write_attr(unsigned long ev, unsigned long id, unsigned long val)
{
	buf[0] = val;
	return sse(SSE_WRITE_ATTRS, ev, id, 1, (unsigned long)buf, 0).error;
}

static unsigned long attr(unsigned long ev, unsigned long id)
{
	unsigned long v = 0xdead;

	if (read_attrs(ev, id, 1, &v) != 0)
		printf("spec: read attr %lu of 0x%lx failed\n", id, ev);
	return v;
}

static void note(char c)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = c;
	order[norder] = 0;
}

/* Called by sse_entry on the event's own stack: record, then the test's body. */
struct sse_ctx *sse_handler(struct sse_ctx *c);
struct sse_ctx *sse_handler(struct sse_ctx *c)
{
	c->runs++;
	c->sepc = csr_read(sepc);
	c->sstatus = csr_read(sstatus);
	note(c->tag);
	if (read_attrs(c->event, 0, NATTRS, c->attrs) != 0)
		printf("spec: handler %c: read_attrs failed\n", c->tag);
	if (c->body)
		c->body(c);
	return c;
}

static void show(const char *what, long error)
{
	printf("spec: %s: error=%ld\n", what, error);
}

static void show_attrs(const char *what, unsigned long ev)
{
	long e = read_attrs(ev, 0, NATTRS, buf);

	printf("spec: %s: error=%ld status=0x%lx prio=%lu config=%lu hart=%lu pc=%lu arg=%lu "
	       "sepc=%lu flags=%lu a6=%lu a7=%lu\n", what, e, buf[0], buf[1], buf[2], buf[3],
	       buf[4], buf[5], buf[6], buf[7], buf[8], buf[9]);
}

/* ---- error paths ---------------------------------------------------------- */

static void test_event_ids(void)
{
	static const struct { const char *name; unsigned long id; } ev[] = {
		{ "local high-prio RAS 0x0", 0x0 },
		{ "local double trap 0x1", 0x1 },
		{ "global high-prio RAS 0x8000", 0x8000 },
		{ "local PMU overflow 0x10000", 0x10000 },
		{ "local low-prio RAS 0x100000", 0x100000 },
		{ "global low-prio RAS 0x108000", 0x108000 },
		{ "reserved local 0x2", 0x2 },
		{ "platform local 0x4000", 0x4000 },
		{ "reserved global 0x8001", 0x8001 },
		{ "platform global 0xc000", 0xc000 },
		{ "reserved 0xffff0001", 0xffff0001UL },
		{ "reserved 0xffff8001", 0xffff8001UL },
		{ "reserved, upper half set 0x100000002", 0x100000002UL },
	};

	for (unsigned i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		unsigned long id = ev[i].id;
		printf("spec: event %s: read=%ld write=%ld register=%ld unregister=%ld "
		       "enable=%ld disable=%ld inject=%ld\n", ev[i].name,
		       read_attrs(id, 0, 1, buf), write_attr(id, ATTR_PRIORITY, 0),
		       sse(SSE_REGISTER, id, (unsigned long)sse_entry, 0, 0, 0).error,
		       sse(SSE_UNREGISTER, id, 0, 0, 0, 0).error,
		       sse(SSE_ENABLE, id, 0, 0, 0, 0).error,
		       sse(SSE_DISABLE, id, 0, 0, 0, 0).error,
		       sse(SSE_INJECT, id, boot_hartid, 0, 0, 0).error);
	}
}

static void test_attr_errors(uint64_t ram_end)
{
	char *odd = (char *)buf + 4;

	show("read_attrs attr_count=0", read_attrs(LOCAL, 0, 0, buf));
	/* uint32_t parameters: the registers' low halves (chapter 3). */
	show("read_attrs attr_count=1<<32", read_attrs(LOCAL, 0, 1UL << 32, buf));
	buf[0] = 0xdead;
	show("read_attrs base_attr_id=1<<32", read_attrs(LOCAL, 1UL << 32, 1, buf));
	printf("spec: read_attrs base_attr_id=1<<32 read STATUS: 0x%lx\n", buf[0]);
	buf[0] = 0xdead;
	show("read_attrs event_id=(1<<32)|LOCAL", read_attrs((1UL << 32) | LOCAL, 0, 1, buf));
	printf("spec: read_attrs event_id=(1<<32)|LOCAL read STATUS: 0x%lx\n", buf[0]);
	show("read_attrs base_attr_id=10", read_attrs(LOCAL, 10, 1, buf));
	show("read_attrs base 9 count 2", read_attrs(LOCAL, 9, 2, buf));
	show("read_attrs base 0 count 11", read_attrs(LOCAL, 0, 11, buf));
	show("read_attrs unaligned buffer", read_attrs(LOCAL, 0, 1, odd));
	show("read_attrs output_phys_hi=1",
	     sse(SSE_READ_ATTRS, LOCAL, 0, 1, (unsigned long)buf, 1).error);
	show("read_attrs buffer at 0x1000 (not RAM)", read_attrs(LOCAL, 0, 1, (void *)0x1000));
	show("read_attrs buffer in the firmware's RAM", read_attrs(LOCAL, 0, 1, (void *)0x80000000UL));
	show("read_attrs buffer past the end of RAM", read_attrs(LOCAL, 0, 1, (void *)ram_end));
	show("read_attrs buffer across the end of RAM",
	     read_attrs(LOCAL, 0, 2, (void *)(ram_end - 8)));
	show("read_attrs buffer on the UART", read_attrs(LOCAL, 0, 1, (void *)UART_BASE));
	show("read_attrs last 8 bytes of RAM", read_attrs(LOCAL, 9, 1, (void *)(ram_end - 8)));

	show("write_attrs attr_count=0", sse(SSE_WRITE_ATTRS, LOCAL, 1, 0, (unsigned long)buf, 0).error);
	show("write_attrs base 10", write_attr(LOCAL, 10, 0));
	show("write_attrs STATUS (read-only)", write_attr(LOCAL, ATTR_STATUS, 0));
	show("write_attrs ENTRY_PC (read-only)", write_attr(LOCAL, ATTR_ENTRY_PC, 0));
	show("write_attrs ENTRY_ARG (read-only)", write_attr(GLOBAL, ATTR_ENTRY_ARG, 0));
	show("write_attrs local PREFERRED_HART (read-only)", write_attr(LOCAL, ATTR_PREF_HART, 0));
	show("write_attrs PRIORITY=(1<<32)|3", write_attr(LOCAL, ATTR_PRIORITY, (1UL << 32) | 3));
	printf("spec: local priority after it: %lu\n", attr(LOCAL, ATTR_PRIORITY));
	show("write_attrs PRIORITY=0", write_attr(LOCAL, ATTR_PRIORITY, 0));
	show("write_attrs CONFIG=2 (reserved bit)", write_attr(LOCAL, ATTR_CONFIG, 2));
	show("write_attrs global PREFERRED_HART=5 (absent)", write_attr(GLOBAL, ATTR_PREF_HART, 5));
	show("write_attrs INTERRUPTED_SEPC not running", write_attr(LOCAL, ATTR_INT_SEPC, 0));
	show("write_attrs INTERRUPTED_FLAGS not running", write_attr(GLOBAL, ATTR_INT_FLAGS, 1));
	show("write_attrs INTERRUPTED_A6 not running", write_attr(LOCAL, ATTR_INT_A6, 0));
	show("write_attrs INTERRUPTED_A7 not running", write_attr(GLOBAL, ATTR_INT_A7, 0));
	show("write_attrs unaligned buffer",
	     sse(SSE_WRITE_ATTRS, LOCAL, 1, 1, (unsigned long)odd, 0).error);
	show("write_attrs input_phys_hi=1",
	     sse(SSE_WRITE_ATTRS, LOCAL, 1, 1, (unsigned long)buf, 1).error);
	show("write_attrs buffer at 0x1000 (not RAM)",
	     sse(SSE_WRITE_ATTRS, LOCAL, 1, 1, 0x1000, 0).error);
	/* A range holding a read-only attribute: nothing of it is written. */
	buf[0] = 7, buf[1] = 0, buf[2] = 0, buf[3] = 0;
	show("write_attrs PRIORITY..ENTRY_PC", sse(SSE_WRITE_ATTRS, GLOBAL, ATTR_PRIORITY, 4,
						   (unsigned long)buf, 0).error);
	printf("spec: global priority after it: %lu\n", attr(GLOBAL, ATTR_PRIORITY));
	/* Good writes read back. */
	show("write_attrs local PRIORITY=0xffffffff", write_attr(LOCAL, ATTR_PRIORITY, 0xffffffffUL));
	printf("spec: local priority: %lu\n", attr(LOCAL, ATTR_PRIORITY));
	show("write_attrs local PRIORITY=0", write_attr(LOCAL, ATTR_PRIORITY, 0));
	show("write_attrs global PREFERRED_HART=this hart",
	     write_attr(GLOBAL, ATTR_PREF_HART, boot_hartid));
}

static void test_state_machine(void)
{
	show("unregister UNUSED", sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error);
	show("enable UNUSED", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	show("disable UNUSED", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("register entry_pc odd", sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry + 1,
					  0, 0, 0).error);
	show("register", sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry,
			      (unsigned long)&ctx_local, 0, 0).error);
	printf("spec: registered: status=0x%lx pc_ok=%d arg_ok=%d\n", attr(LOCAL, ATTR_STATUS),
	       attr(LOCAL, ATTR_ENTRY_PC) == (unsigned long)sse_entry,
	       attr(LOCAL, ATTR_ENTRY_ARG) == (unsigned long)&ctx_local);
	show("register twice", sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry, 0, 0, 0).error);
	show("disable REGISTERED", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("unregister REGISTERED", sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error);
	printf("spec: unregistered: status=0x%lx\n", attr(LOCAL, ATTR_STATUS));
	show("register again", sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry,
				   (unsigned long)&ctx_local, 0, 0).error);
	show("enable REGISTERED", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	printf("spec: enabled: status=0x%lx\n", attr(LOCAL, ATTR_STATUS));
	show("enable ENABLED", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	show("unregister ENABLED", sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error);
	show("write PRIORITY while ENABLED", write_attr(LOCAL, ATTR_PRIORITY, 1));
	show("write CONFIG while ENABLED", write_attr(LOCAL, ATTR_CONFIG, 0));
	show("inject local on an absent hart", sse(SSE_INJECT, LOCAL, 5, 0, 0, 0).error);
	show("complete with no event running", sse(SSE_COMPLETE, 0, 0, 0, 0, 0).error);
	show("unknown fid 10", sse(10, 0, 0, 0, 0, 0).error);
}

/* ---- delivery and completion --------------------------------------------- */

/* What the checked call found after the event: every pattern register
 * back, a6/a7 the call's, a0/a1 its result, sepc/sstatus as before. */
static void show_resumed(const char *what, const struct sse_regs *r)
{
	int regs_ok = r->regs[1] == PAT(1);

	for (unsigned i = 5; i < 32; i++)
		if (i != 10 && i != 11 && i != 16 && i != 17 && r->regs[i] != PAT(i))
			regs_ok = 0;
	printf("spec: %s resumed: a0=%ld a1=%ld a6=%lu a7=0x%lx regs=%s sepc=0x%lx "
	       "SPP=%lu SPIE=%lu SIE=%lu\n", what, (long)r->regs[10], (long)r->regs[11],
	       r->regs[16], r->regs[17], regs_ok ? "intact" : "CHANGED", r->sepc,
	       (r->sstatus >> 8) & 1, (r->sstatus >> 5) & 1, (r->sstatus >> 1) & 1);
}

/* What the handler found on entry: a6 = hart id, a7 = ENTRY_ARG (it got
 * its ctx), sepc = the interrupted pc (right after the ECALL), SPP = S,
 * SPIE = the SIE it had, SIE = 0, RUNNING, and the interrupted state in
 * the attributes. */
static void show_entry(const char *what, const struct sse_ctx *c)
{
	printf("spec: %s handler: runs=%u a6=hartid:%s sepc=%s SPP=%lu SPIE=%lu SIE=%lu "
	       "status=0x%lx int_sepc=0x%lx int_flags=%lu int_a6=%lu int_a7=0x%lx\n", what,
	       c->runs, c->hartid == boot_hartid ? "yes" : "no",
	       c->sepc == (unsigned long)sse_checked_ecall_ret ? "after-ecall" : "other",
	       (c->sstatus >> 8) & 1, (c->sstatus >> 5) & 1, (c->sstatus >> 1) & 1,
	       c->attrs[ATTR_STATUS], c->attrs[ATTR_INT_SEPC], c->attrs[ATTR_INT_FLAGS],
	       c->attrs[ATTR_INT_A6], c->attrs[ATTR_INT_A7]);
}

/* Inside a handler: the interrupted state is writable while RUNNING (and
 * reads back), priority and config are not, reserved flag bits are not. */
static void running_checks(struct sse_ctx *c)
{
	unsigned long ev = c->event;
	unsigned long a7 = attr(ev, ATTR_INT_A7);

	printf("spec: running: write INTERRUPTED_A7: error=%ld\n", write_attr(ev, ATTR_INT_A7, 0x77));
	printf("spec: running: INTERRUPTED_A7 reads %lx\n", attr(ev, ATTR_INT_A7));
	printf("spec: running: restore INTERRUPTED_A7: error=%ld\n", write_attr(ev, ATTR_INT_A7, a7));
	printf("spec: running: write INTERRUPTED_FLAGS bit 6: error=%ld\n",
	       write_attr(ev, ATTR_INT_FLAGS, 1UL << 6));
	printf("spec: running: write PRIORITY: error=%ld\n", write_attr(ev, ATTR_PRIORITY, 0));
	printf("spec: running: write CONFIG: error=%ld\n", write_attr(ev, ATTR_CONFIG, 0));
	printf("spec: running: disable: error=%ld\n", sse(SSE_DISABLE, ev, 0, 0, 0, 0).error);
	printf("spec: running: status=0x%lx\n", attr(ev, ATTR_STATUS));
	c->body = NULL;
}

static void test_local_delivery(void)
{
	struct sse_regs r;

	/* Masked (hart_mask above): injected, pending, not taken. */
	sse_checked_call(SSE_INJECT, LOCAL, boot_hartid, &r);
	printf("spec: inject while masked: runs=%u status=0x%lx\n", ctx_local.runs,
	       attr(LOCAL, ATTR_STATUS));
	show_resumed("inject while masked", &r);
	/* Unmasking lets it in right after the unmask call. */
	ctx_local.body = running_checks;
	sse_checked_call(SSE_HART_UNMASK, 0, 0, &r);
	show_entry("unmask", &ctx_local);
	show_resumed("unmask", &r);
	printf("spec: after complete: status=0x%lx\n", attr(LOCAL, ATTR_STATUS));
	/* Unmasked and enabled: taken right after the inject call. */
	sse_checked_call(SSE_INJECT, LOCAL, boot_hartid, &r);
	show_entry("inject", &ctx_local);
	show_resumed("inject", &r);
	/* Disabled: waits; enable lets it in. */
	show("disable", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	sse_checked_call(SSE_INJECT, LOCAL, boot_hartid, &r);
	printf("spec: inject while disabled: runs=%u status=0x%lx\n", ctx_local.runs,
	       attr(LOCAL, ATTR_STATUS));
	sse_checked_call(SSE_ENABLE, LOCAL, 0, &r);
	show_entry("enable", &ctx_local);
	show_resumed("enable", &r);
	/* Masked again: waits; unmask lets it in. */
	show("hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	sse_checked_call(SSE_INJECT, LOCAL, boot_hartid, &r);
	printf("spec: inject while masked again: runs=%u\n", ctx_local.runs);
	show("hart_unmask", sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error);
	printf("spec: after unmask: runs=%u int_a6=%lu\n", ctx_local.runs,
	       ctx_local.attrs[ATTR_INT_A6]);
	/* One-shot: back to REGISTERED on complete. */
	show("disable", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("write CONFIG=ONESHOT", write_attr(LOCAL, ATTR_CONFIG, 1));
	show("enable", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	sse_checked_call(SSE_INJECT, LOCAL, boot_hartid, &r);
	printf("spec: one-shot: runs=%u status=0x%lx\n", ctx_local.runs, attr(LOCAL, ATTR_STATUS));
	show_resumed("one-shot", &r);
	show("write CONFIG=0", write_attr(LOCAL, ATTR_CONFIG, 0));
}

static void test_global_delivery(void)
{
	struct sse_regs r;

	show("register global", sse(SSE_REGISTER, GLOBAL, (unsigned long)sse_entry,
				    (unsigned long)&ctx_global, 0, 0).error);
	show("enable global", sse(SSE_ENABLE, GLOBAL, 0, 0, 0, 0).error);
	show("write global PREFERRED_HART while ENABLED", write_attr(GLOBAL, ATTR_PREF_HART, 0));
	/* hart_id is ignored for a global event. */
	sse_checked_call(SSE_INJECT, GLOBAL, 77, &r);
	show_entry("global inject", &ctx_global);
	show_resumed("global inject", &r);
}

/* Local at priority 5, global at 1: the global one first when both wait;
 * injected from inside the local handler, it preempts it. */
static void nest_global(struct sse_ctx *c)
{
	sse(SSE_INJECT, GLOBAL, 0, 0, 0, 0);
	note('l');      /* back in the local handler */
	c->body = NULL;
}

static void test_priorities(void)
{
	/* The one-shot run left the local event REGISTERED. */
	show("disable local (REGISTERED)", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("disable global", sse(SSE_DISABLE, GLOBAL, 0, 0, 0, 0).error);
	show("local PRIORITY=5", write_attr(LOCAL, ATTR_PRIORITY, 5));
	show("global PRIORITY=1", write_attr(GLOBAL, ATTR_PRIORITY, 1));
	show("enable local", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	show("enable global", sse(SSE_ENABLE, GLOBAL, 0, 0, 0, 0).error);
	show("hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	norder = 0;
	sse(SSE_INJECT, LOCAL, boot_hartid, 0, 0, 0);
	sse(SSE_INJECT, GLOBAL, 0, 0, 0, 0);
	note('-');
	sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0);
	note('|');
	ctx_local.body = nest_global;
	sse(SSE_INJECT, LOCAL, boot_hartid, 0, 0, 0);
	printf("spec: priority order: %s\n", order);
	/* Equal priority: the lower event id (local) first. */
	show("disable local", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("disable global", sse(SSE_DISABLE, GLOBAL, 0, 0, 0, 0).error);
	show("local PRIORITY=0", write_attr(LOCAL, ATTR_PRIORITY, 0));
	show("global PRIORITY=0", write_attr(GLOBAL, ATTR_PRIORITY, 0));
	show("enable global", sse(SSE_ENABLE, GLOBAL, 0, 0, 0, 0).error);
	show("enable local", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	show("hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	norder = 0;
	sse(SSE_INJECT, GLOBAL, 0, 0, 0, 0);
	sse(SSE_INJECT, LOCAL, boot_hartid, 0, 0, 0);
	sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0);
	printf("spec: equal priority order: %s\n", order);
}

static void test_cleanup(void)
{
	show("disable local", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("unregister local", sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error);
	show("disable global", sse(SSE_DISABLE, GLOBAL, 0, 0, 0, 0).error);
	show("unregister global", sse(SSE_UNREGISTER, GLOBAL, 0, 0, 0, 0).error);
	show("unregister global again", sse(SSE_UNREGISTER, GLOBAL, 0, 0, 0, 0).error);
	show("hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	printf("spec: handler runs: local=%u global=%u\n", ctx_local.runs, ctx_global.runs);
}

/* ---- two harts ---------------------------------------------------------- */

static uint8_t stack_other[4096] __attribute__((aligned(16)));
static struct sse_ctx ctx_other = { .tag = 'M', .event = LOCAL };
static volatile long other_r[8];
static volatile unsigned long held, release;

static unsigned runs_of(struct sse_ctx *c)
{
	return __atomic_load_n(&c->runs, __ATOMIC_ACQUIRE);
}

/* Waits (bounded) until c's handler has run n times. */
static int wait_runs(struct sse_ctx *c, unsigned n)
{
	for (unsigned long i = 0; i < SMP_SPIN_MAX; i++)
		if (runs_of(c) >= n)
			return 1;
	return 0;
}

/* A handler body that keeps the event RUNNING until the boot hart lets go. */
static void hold(struct sse_ctx *c)
{
	__atomic_store_n(&held, 1, __ATOMIC_RELEASE);
	for (unsigned long i = 0; i < SMP_SPIN_MAX && !__atomic_load_n(&release, __ATOMIC_ACQUIRE); i++)
		;
	c->body = NULL;
}

/* On the other hart: 0 looks at its local event and registers it; 1
 * injects the global event; 2 tidies up. */
static void other_sse(unsigned long step)
{
	if (step == 0) {
		other_r[0] = (long)attr(LOCAL, ATTR_STATUS);
		other_r[1] = attr(LOCAL, ATTR_PREF_HART) == smp_other;
		other_r[2] = sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry,
				 (unsigned long)&ctx_other, 0, 0).error;
		other_r[3] = sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error;
		other_r[4] = sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error;
	} else if (step == 1) {
		other_r[5] = sse(SSE_INJECT, GLOBAL, smp_other, 0, 0, 0).error;
	} else {
		other_r[6] = sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error |
			     sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error |
			     sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error;
	}
}

static void test_smp(void)
{
	unsigned long me = boot_hartid;
	unsigned mine, theirs;

	if (smp_find_other() == -1UL)
		return;
	ctx_other.stack_top = (unsigned long)(stack_other + sizeof(stack_other));
	ctx_local.body = ctx_global.body = NULL;
	show("smp start the other hart", smp_start());
	show("smp this hart: register local", sse(SSE_REGISTER, LOCAL, (unsigned long)sse_entry,
						  (unsigned long)&ctx_local, 0, 0).error);
	show("smp this hart: enable local", sse(SSE_ENABLE, LOCAL, 0, 0, 0, 0).error);
	show("smp this hart: hart_unmask", sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error);
	smp_call(other_sse, 0);
	printf("spec: smp other hart: local status while this hart's is enabled: 0x%lx\n",
	       (unsigned long)other_r[0]);
	printf("spec: smp other hart: local PREFERRED_HART is its own id: %s\n",
	       other_r[1] ? "yes" : "no");
	show("smp other hart: register local", other_r[2]);
	show("smp other hart: enable local", other_r[3]);
	show("smp other hart: hart_unmask", other_r[4]);

	/* A local event injected for a hart runs that hart's handler there. */
	mine = runs_of(&ctx_local);
	show("smp inject local for the other hart", sse(SSE_INJECT, LOCAL, smp_other, 0, 0, 0).error);
	printf("spec: smp other hart's local handler ran: %s on the other hart: %s\n",
	       wait_runs(&ctx_other, 1) ? "yes" : "no", ctx_other.hartid == smp_other ? "yes" : "no");
	printf("spec: smp this hart's local handler runs: +%u\n", runs_of(&ctx_local) - mine);
	theirs = runs_of(&ctx_other);
	show("smp inject local for this hart", sse(SSE_INJECT, LOCAL, me, 0, 0, 0).error);
	printf("spec: smp this hart's local handler runs: +%u on this hart: %s; other's: +%u\n",
	       runs_of(&ctx_local) - mine, ctx_local.hartid == me ? "yes" : "no",
	       runs_of(&ctx_other) - theirs);

	/* The global event on its preferred hart, the other one. */
	show("smp register global", sse(SSE_REGISTER, GLOBAL, (unsigned long)sse_entry,
					(unsigned long)&ctx_global, 0, 0).error);
	show("smp global PREFERRED_HART=the other hart", write_attr(GLOBAL, ATTR_PREF_HART, smp_other));
	printf("spec: smp global PREFERRED_HART reads the other hart: %s\n",
	       attr(GLOBAL, ATTR_PREF_HART) == smp_other ? "yes" : "no");
	show("smp enable global", sse(SSE_ENABLE, GLOBAL, 0, 0, 0, 0).error);
	mine = runs_of(&ctx_global);
	ctx_global.body = hold;
	show("smp inject global from this hart", sse(SSE_INJECT, GLOBAL, me, 0, 0, 0).error);
	for (unsigned long i = 0; i < SMP_SPIN_MAX && !__atomic_load_n(&held, __ATOMIC_ACQUIRE); i++)
		;
	printf("spec: smp global handler running on the other hart: %s\n",
	       held && ctx_global.hartid == smp_other ? "yes" : "no");
	printf("spec: smp global status seen from this hart: 0x%lx\n", attr(GLOBAL, ATTR_STATUS));
	show("smp write global INTERRUPTED_A7 from this hart", write_attr(GLOBAL, ATTR_INT_A7, 0));
	show("smp write global INTERRUPTED_SEPC from this hart", write_attr(GLOBAL, ATTR_INT_SEPC, 0));
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	printf("spec: smp global handler completed once: %s\n",
	       wait_runs(&ctx_global, mine + 1) && runs_of(&ctx_global) == mine + 1 ? "yes" : "no");
	for (unsigned long i = 0; i < SMP_SPIN_MAX && attr(GLOBAL, ATTR_STATUS) != 0xa; i++)
		;
	printf("spec: smp global status after complete: 0x%lx\n", attr(GLOBAL, ATTR_STATUS));

	/* And on this hart, injected by the other. */
	show("smp disable global", sse(SSE_DISABLE, GLOBAL, 0, 0, 0, 0).error);
	show("smp global PREFERRED_HART=this hart", write_attr(GLOBAL, ATTR_PREF_HART, me));
	show("smp enable global", sse(SSE_ENABLE, GLOBAL, 0, 0, 0, 0).error);
	smp_call(other_sse, 1);
	show("smp other hart: inject global", other_r[5]);
	printf("spec: smp global handler ran on this hart: %s\n",
	       wait_runs(&ctx_global, mine + 2) && ctx_global.hartid == me ? "yes" : "no");

	show("smp disable global", sse(SSE_DISABLE, GLOBAL, 0, 0, 0, 0).error);
	show("smp unregister global", sse(SSE_UNREGISTER, GLOBAL, 0, 0, 0, 0).error);
	show("smp disable local", sse(SSE_DISABLE, LOCAL, 0, 0, 0, 0).error);
	show("smp unregister local", sse(SSE_UNREGISTER, LOCAL, 0, 0, 0, 0).error);
	show("smp hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	smp_call(other_sse, 2);
	show("smp other hart: disable, unregister, hart_mask", other_r[6]);
	printf("spec: smp handler runs: this local=%u other local=%u global=%u\n",
	       runs_of(&ctx_local), runs_of(&ctx_other), runs_of(&ctx_global));
	show("smp stop the other hart", smp_stop());
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	uint64_t ram_base = 0, ram_size = 0;
	struct sbiret r;

	(void)hartid;
	ctx_local.stack_top = (unsigned long)(stack_local + sizeof(stack_local));
	ctx_global.stack_top = (unsigned long)(stack_global + sizeof(stack_global));
	if (fdt_read_memory(dtb, &ram_base, &ram_size) != 0)
		guest_fail();
	r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_SSE, 0, 0, 0, 0, 0);
	printf("spec: probe SSE: error=%ld value=%ld\n", r.error, r.value);
	if (r.value == 0)
		return;         /* OpenSBI 1.1 */
	show("hart_mask at boot", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	show("hart_unmask", sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error);
	show("hart_unmask twice", sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error);
	show("hart_mask", sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error);
	show_attrs("local attributes at reset", LOCAL);
	show_attrs("global attributes at reset", GLOBAL);
	test_event_ids();
	test_attr_errors(ram_base + ram_size);
	test_state_machine();
	test_local_delivery();
	test_global_delivery();
	test_priorities();
	test_cleanup();
	test_smp();
}
