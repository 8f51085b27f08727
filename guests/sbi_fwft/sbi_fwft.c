/*
 * SBI v3.0, chapter 18 "Firmware Features Extension" (FWFT): every
 * function with every feature the chapter defines, the reserved and
 * platform-specific id ranges, invalid values and flags, and the LOCK flag.
 *
 * OpenSBI 1.1 (SBI v1.0) on bare QEMU has no FWFT, so every FWFT result is
 * a "spec: " line, kept out of the comparison with bare QEMU and asserted
 * against what the specification requires (tests/system/test_sbi_spec.py).
 * The compared lines are the misaligned loads: QEMU performs a plain
 * misaligned load in hardware, without an exception, so it reads the same
 * bytes whether MISALIGNED_EXC_DELEG is 0 or 1, under Trapeze or not.
 *
 * With a second hart (vcpus = 2 under Trapeze), the "spec: fwft smp" lines
 * show that features are per hart (chapter 18: every feature v3.0 defines
 * is local, "FWFT Feature Types"): the other hart starts from the reset
 * value whatever this hart set, and a LOCK on one hart does not lock the
 * other.
 */
#include "guest.h"
#include "smp.h"

#define SBI_EXT_FWFT    0x46574654
#define FWFT_SET        0
#define FWFT_GET        1
#define FWFT_LOCK       1UL

#define MISALIGNED_EXC_DELEG    0

static struct sbiret fwft_set(unsigned long feature, unsigned long value, unsigned long flags)
{
	return sbi_call(SBI_EXT_FWFT, FWFT_SET, feature, value, flags, 0, 0, 0);
}

static struct sbiret fwft_get(unsigned long feature)
{
	return sbi_call(SBI_EXT_FWFT, FWFT_GET, feature, 0, 0, 0, 0, 0);
}

static void spec(const char *what, struct sbiret r)
{
	printf("spec: fwft %s: error=%ld value=%ld\n", what, r.error, r.value);
}

/* An lw at a0 + 1: misaligned for an aligned a0. */
PROBE(load_misaligned, "lw a0, 1(a0)");

static const uint8_t bytes[8] __attribute__((aligned(8))) = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};

static void misaligned_load(const char *label)
{
	struct trap_record r;

	trap_expect(&r, load_misaligned, (unsigned long)bytes);
	trap_report(label, &r);
}

static void test_misaligned_exc_deleg(void)
{
	spec("misaligned_exc_deleg get at reset", fwft_get(MISALIGNED_EXC_DELEG));
	spec("misaligned_exc_deleg set 1", fwft_set(MISALIGNED_EXC_DELEG, 1, 0));
	spec("misaligned_exc_deleg get", fwft_get(MISALIGNED_EXC_DELEG));
	misaligned_load("misaligned lw (deleg 1 asked)");
	spec("misaligned_exc_deleg set 1 again", fwft_set(MISALIGNED_EXC_DELEG, 1, 0));
	spec("misaligned_exc_deleg set 0", fwft_set(MISALIGNED_EXC_DELEG, 0, 0));
	spec("misaligned_exc_deleg get", fwft_get(MISALIGNED_EXC_DELEG));
	misaligned_load("misaligned lw (deleg 0 asked)");

	/* Invalid values and flags: INVALID_PARAM, and the value stays. */
	spec("misaligned_exc_deleg set 2", fwft_set(MISALIGNED_EXC_DELEG, 2, 0));
	spec("misaligned_exc_deleg set 0xffffffff", fwft_set(MISALIGNED_EXC_DELEG, 0xffffffffUL, 0));
	spec("misaligned_exc_deleg set 1<<32", fwft_set(MISALIGNED_EXC_DELEG, 1UL << 32, 0));
	spec("misaligned_exc_deleg set -1", fwft_set(MISALIGNED_EXC_DELEG, -1UL, 0));
	spec("misaligned_exc_deleg set 1 flags=2", fwft_set(MISALIGNED_EXC_DELEG, 1, 2));
	spec("misaligned_exc_deleg set 1 flags=1<<32", fwft_set(MISALIGNED_EXC_DELEG, 1, 1UL << 32));
	spec("misaligned_exc_deleg set 1 flags=-1", fwft_set(MISALIGNED_EXC_DELEG, 1, -1UL));
	spec("misaligned_exc_deleg get after invalid", fwft_get(MISALIGNED_EXC_DELEG));

	/* The feature id is 32 bits: the upper half of a0 is ignored. */
	spec("feature (1<<32)|0 set 1", fwft_set((1UL << 32) | MISALIGNED_EXC_DELEG, 1, 0));
	spec("feature 0xffffffff00000000 get", fwft_get(0xffffffff00000000UL));

	/* LOCK: then every set is DENIED_LOCKED, the same value included. */
	spec("misaligned_exc_deleg set 0 lock", fwft_set(MISALIGNED_EXC_DELEG, 0, FWFT_LOCK));
	spec("misaligned_exc_deleg set 1 (locked)", fwft_set(MISALIGNED_EXC_DELEG, 1, 0));
	spec("misaligned_exc_deleg set 0 (locked)", fwft_set(MISALIGNED_EXC_DELEG, 0, 0));
	spec("misaligned_exc_deleg set 1 lock (locked)", fwft_set(MISALIGNED_EXC_DELEG, 1, FWFT_LOCK));
	spec("misaligned_exc_deleg set 0 lock (locked)", fwft_set(MISALIGNED_EXC_DELEG, 0, FWFT_LOCK));
	spec("misaligned_exc_deleg set 2 (locked)", fwft_set(MISALIGNED_EXC_DELEG, 2, 0));
	spec("misaligned_exc_deleg set 1 flags=2 (locked)", fwft_set(MISALIGNED_EXC_DELEG, 1, 2));
	spec("misaligned_exc_deleg get (locked)", fwft_get(MISALIGNED_EXC_DELEG));
}

/* Defined, but their CPU extensions are missing here: NOT_SUPPORTED. */
static void test_unsupported(void)
{
	static const struct { const char *name; unsigned long id; } feats[] = {
		{ "landing_pad", 1 }, { "shadow_stack", 2 }, { "double_trap", 3 },
		{ "pte_ad_hw_updating", 4 }, { "pointer_masking_pmlen", 5 },
	};
	for (unsigned i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		const char *n = feats[i].name;
		unsigned long id = feats[i].id;
		struct sbiret r;

		r = fwft_get(id);
		printf("spec: fwft %s get: error=%ld value=%ld\n", n, r.error, r.value);
		r = fwft_set(id, 0, 0);
		printf("spec: fwft %s set 0: error=%ld value=%ld\n", n, r.error, r.value);
		r = fwft_set(id, id == 5 ? 7 : 1, 0);
		printf("spec: fwft %s set %d: error=%ld value=%ld\n", n, id == 5 ? 7 : 1, r.error, r.value);
		r = fwft_set(id, 1, FWFT_LOCK);
		printf("spec: fwft %s set 1 lock: error=%ld value=%ld\n", n, r.error, r.value);
	}
}

/* Reserved and platform-specific ids, local and global: DENIED. */
static void test_reserved(void)
{
	static const unsigned long ids[] = {
		0x00000006, 0x3fffffff, 0x40000000, 0x7fffffff,
		0x80000000, 0xbfffffff, 0xc0000000, 0xffffffff,
	};

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct sbiret r = fwft_get(ids[i]);

		printf("spec: fwft id 0x%lx get: error=%ld value=%ld\n", ids[i], r.error, r.value);
		r = fwft_set(ids[i], 1, 0);
		printf("spec: fwft id 0x%lx set 1: error=%ld value=%ld\n", ids[i], r.error, r.value);
	}
}

/* Run on the other hart: its calls' results, for the boot hart to print. */
static struct sbiret other_r[8];

static void other_features(unsigned long step)
{
	struct sbiret *r = other_r;

	if (step == 0) {
		r[0] = fwft_get(MISALIGNED_EXC_DELEG);
		r[1] = fwft_set(MISALIGNED_EXC_DELEG, 1, 0);
		r[2] = fwft_get(MISALIGNED_EXC_DELEG);
	} else {
		r[3] = fwft_set(MISALIGNED_EXC_DELEG, 1, FWFT_LOCK);
		r[4] = fwft_set(MISALIGNED_EXC_DELEG, 0, 0);
		r[5] = fwft_get(MISALIGNED_EXC_DELEG);
	}
}

/* This hart locked MISALIGNED_EXC_DELEG at 0 above. */
static void test_smp(void)
{
	if (smp_find_other() == -1UL)
		return;
	spec("smp start the other hart", (struct sbiret){ smp_start(), 0 });
	smp_call(other_features, 0);
	spec("smp other hart: get at reset", other_r[0]);
	spec("smp other hart: set 1 (this hart's is locked)", other_r[1]);
	spec("smp other hart: get", other_r[2]);
	spec("smp this hart: get (still locked at 0)", fwft_get(MISALIGNED_EXC_DELEG));
	spec("smp this hart: set 1 (locked)", fwft_set(MISALIGNED_EXC_DELEG, 1, 0));
	smp_call(other_features, 1);
	spec("smp other hart: set 1 lock", other_r[3]);
	spec("smp other hart: set 0 (locked)", other_r[4]);
	spec("smp other hart: get (locked)", other_r[5]);
	spec("smp this hart: get after the other's lock", fwft_get(MISALIGNED_EXC_DELEG));
	spec("smp stop the other hart", (struct sbiret){ smp_stop(), 0 });
}

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	spec("probe", sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_FWFT, 0, 0, 0, 0, 0));
	test_misaligned_exc_deleg();
	test_unsupported();
	test_reserved();
	spec("unknown fid 2", sbi_call(SBI_EXT_FWFT, 2, 0, 0, 0, 0, 0, 0));
	spec("unknown fid -1", sbi_call(SBI_EXT_FWFT, -1UL, 0, 0, 0, 0, 0, 0));
	test_smp();
}
