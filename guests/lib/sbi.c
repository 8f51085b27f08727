/* SBI calls (SBI v2.0, Binary Encoding) and the shutdown paths. */
#include "guest.h"

struct sbiret sbi_call(unsigned long eid, unsigned long fid,
		       unsigned long a0, unsigned long a1, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r5 __asm__("a5") = a5;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;
	struct sbiret ret;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	ret.error = (long)r0;
	ret.value = (long)r1;
	return ret;
}

/* SBI v2.0, Legacy Extensions: one argument, the result in a0 only. */
long sbi_legacy_call(unsigned long eid, unsigned long a0)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
	return (long)r0;
}

struct sbiret sbi_set_timer(uint64_t stime)
{
	return sbi_call(SBI_EXT_TIME, 0, stime, 0, 0, 0, 0, 0);
}

struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0);
}

/* SBI v2.0, System Reset Extension: type 0 = shutdown; reason 1 = failure. */
static void __attribute__((noreturn)) sbi_shutdown(unsigned long reason)
{
	sbi_call(SBI_EXT_SRST, 0, 0, reason, 0, 0, 0, 0);
	sbi_legacy_call(SBI_EXT_LEGACY_SHUTDOWN, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void guest_done(void)
{
	puts("done");
	sbi_shutdown(0);
}

void guest_fail(void)
{
	sbi_shutdown(1);
}
