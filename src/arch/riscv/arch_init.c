/*
 * The RISC-V side of boot and of the physical harts: what the core asks
 * for through core/arch.h.
 */
#include "core/arch.h"

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/engine_hw.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/patch_decide.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/sbi_host.h"
#include "core/console.h"
#include "core/hostirq.h"
#include "core/hostmem.h"
#include "core/platform.h"
#include "core/timer.h"
#include "trapeze/bootinfo.h"

const uint64_t hostmem_virt_offset = KERNEL_VA_OFFSET;
const char arch_name[] = "riscv64";

_Noreturn void hyp_main(uint64_t hartid, uint64_t dtb_pa);

/* From entry.S, paging on, on the boot hart: the S-mode CSRs as OpenSBI
 * handed them over are captured before anything touches them (they are
 * every guest's reset state), then the core boots. */
_Noreturn void arch_entry(uint64_t hartid, uint64_t dtb_pa, uint64_t stvec0, uint64_t sscratch0)
{
	probe_capture_reset(stvec0, sscratch0);
	platform.satp_mode = boot_satp >> SATP_MODE_SHIFT;
	hyp_main(hartid, dtb_pa);
}

void arch_init(uint64_t boot_hartid)
{
	(void)boot_hartid;
	for (unsigned i = 0; i < platform.nharts; i++) {
		harts[i].index = i;
		harts[i].hartid = platform.hartid[i];
		harts[i].stack_top = (uint64_t)(harts[i].stack + HART_STACK_SIZE);
	}
	/* entry.S pointed tp at harts[0]; the boot hart may be another. */
	if (platform.boot_hart != 0) {
		harts[platform.boot_hart].live_satp = harts[0].live_satp;
		__asm__ volatile("mv tp, %0" :: "r"(&harts[platform.boot_hart]));
	}
	this_hart()->live_satp = csr_read(satp);

	mmu_init(platform.ram_base + platform.ram_size);
	probe_host_csrs();
	platform.has_sstc = host_csr.has_stimecmp;
	uint64_t v = 0;
	platform.has_h = PROBE_CSR("csrr %0, 0x600" : "=r"(v));
	for (uint64_t m = host_csr.satp_asid_mask; m & 1; m >>= 1)
		platform.asid_bits++;
	platform.mvendorid = (uint64_t)sbi_host_call(SBI_HOST_EXT_BASE, 4, 0, 0, 0).value;
	platform.marchid = (uint64_t)sbi_host_call(SBI_HOST_EXT_BASE, 5, 0, 0, 0).value;
	platform.mimpid = (uint64_t)sbi_host_call(SBI_HOST_EXT_BASE, 6, 0, 0, 0).value;
	log_info("host: sv57, H extension %s, Sstc %s, %u ASID bits",
		 platform.has_h ? "yes" : "no",
		 platform.has_sstc ? "yes" : "no", platform.asid_bits);
	/* What the x0 patch form may write (patch_decide.h, probe.c). */
	log_info("host: CSRs that keep every value (x0 stores): sscratch %s, sepc %s, scause %s, stval %s",
		 host_csr.x0_plain & (1u << PATCH_X0_SSCRATCH) ? "yes" : "no",
		 host_csr.x0_plain & (1u << PATCH_X0_SEPC) ? "yes" : "no",
		 host_csr.x0_plain & (1u << PATCH_X0_SCAUSE) ? "yes" : "no",
		 host_csr.x0_plain & (1u << PATCH_X0_STVAL) ? "yes" : "no");
	arch_hart_init();
}

/* Every hart, before it first schedules: timer and IPI interrupts reach
 * Trapeze (only while a guest runs: sstatus.SIE stays 0 in Trapeze
 * itself), and the H extension's per-hart delegation for hw guests. */
void arch_hart_init(void)
{
	/* Host device interrupts (core/hostirq.h) once the host PLIC is driven. */
	csr_write(sie, MIP_STIP | MIP_SSIP | (hostirq_active() ? MIP_SEIP : 0));
	if (platform.has_h)
		engine_hw_hart_init();
}

void arch_start_secondaries(void)
{
	hart_start_secondaries();
}

unsigned arch_cpu_index(void)
{
	return this_hart()->index;
}

/* Wait for an interrupt with S interrupts disabled (WFI wakes on a
 * pending-and-enabled interrupt regardless of sstatus.SIE, Privileged ISA
 * v1.12, 3.3.3), then acknowledge it by hand. */
void arch_idle(uint64_t deadline)
{
	/* No vCPU here: do not keep a VM's tables live, they may be freed
	 * (a VM reset, recycled shadows) while this hart waits. */
	mmu_use_trapeze_root();
	timer_arm(deadline);
	wfi();
	uint64_t ip = csr_read(sip);
	if (ip & MIP_SSIP)
		csr_clear(sip, MIP_SSIP);
	if (ip & MIP_SEIP)
		hostirq_handle();
	if ((ip & MIP_STIP) || platform_time() >= deadline)
		timer_handle_irq();
}

/* SBI v2.0 IPI send_ipi to that one hart: a supervisor software interrupt
 * there (its trap or idle path clears it). */
void arch_kick_hart(unsigned cpu)
{
	if (cpu < platform.nharts && cpu != this_hart()->index)
		sbi_host_call(SBI_HOST_EXT_IPI, 0, 1, harts[cpu].hartid, 0);
}

const struct engine *arch_engine(unsigned kind)
{
	switch (kind) {
	case BOOTINFO_ENGINE_TRAP:
		return &engine_trap;
	case BOOTINFO_ENGINE_HW:
		return platform.has_h ? &engine_hw : NULL;
	default:
		return NULL;
	}
}

/* Names of exception causes (Privileged ISA v1.12, Table 4.2; the H
 * extension's 20-23). */
static const char *const exc_names[] = {
	"inst-misaligned", "inst-access", "illegal-insn", "breakpoint",
	"load-misaligned", "load-access", "store-misaligned", "store-access",
	"ecall-u", "ecall-s", "ecall-vs", "ecall-m",
	"inst-page-fault", "load-page-fault", "13", "store-page-fault",
	"16", "17", "18", "19", "inst-guest-pf", "load-guest-pf", "virtual-insn", "store-guest-pf",
};

static const char *const irq_names[] = {
	"0", "s-soft", "2", "3", "4", "s-timer", "6", "7",
	"8", "s-ext", "10", "11", "12", "lcof", "14", "15",
};

const char *arch_exc_name(unsigned cause)
{
	return cause < sizeof(exc_names) / sizeof(exc_names[0]) ? exc_names[cause] : "?";
}

const char *arch_irq_name(unsigned irq)
{
	return irq < sizeof(irq_names) / sizeof(irq_names[0]) ? irq_names[irq] : "?";
}
