/*
 * The trap engine on the host: its trap handlers and ops, driven through
 * the dispatcher (dispatch_handle) over the fake CSR layer. Guest RAM is
 * aligned host memory in the VM's real map table, so instruction fetches,
 * the Bare view and the shadows work on it as on the target; host frames
 * for page tables come from a fake frame allocator that counts them.
 *
 * Faked here: what lies outside the engine (SBI, device models, the
 * scheduler, the timer, FP registers (fp.S is assembly), the console,
 * statistics lines), the host CPU probe (a model of QEMU 7.2's WARL
 * legalisation, after tests/unit/fakes/fake_hw.c) and the boot tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/riscv/boot.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/dispatch.h"
#include "arch/riscv/engine_trap.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/pgtable.h"
#include "arch/riscv/pmu.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
#include "core/lib/format.h"
#include "core/platform.h"
#include "core/sbi/sbi.h"
#include "core/sched.h"
#include "core/sched_internal.h"
#include "core/stats.h"
#include "core/timer.h"
#include "core/vm.h"
#include "dev/mmio.h"
#include "fakes/fake_csr.h"
#include "fakes/insn_enc.h"
#include "fakes/fake_frames.h"

/* ---- fakes: memory ----------------------------------------------------- */

/* Host memory, boot tables and frames: fakes/fake_frames.c. */
/* Trapeze's root entry (a global 512 GiB kernel leaf): every root the
 * engine builds must carry it. */
#define TRAPEZE_ENTRY pte_make(0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define BOOT_SATP     0x8000000000000123ULL

/* ---- fakes: the host CPU, the platform --------------------------------- */

struct host_csr_caps host_csr;
struct platform platform;
static uint64_t fake_time;

uint64_t platform_time(void)
{
	return fake_time;
}

/* ---- fakes: the rest of Trapeze ---------------------------------------- */

static unsigned sbi_calls, sbi_ecall_len;
static enum resume sbi_result;
static uint64_t sbi_jump_pc;

/* SBI: answer a0 = 0, a1 = 42 and step over the ECALL, or the result asked. */
enum resume sbi_dispatch(struct vcpu *v, struct trap_info *t, unsigned ecall_len)
{
	sbi_calls++;
	sbi_ecall_len = ecall_len;
	switch (sbi_result) {
	case RESUME_NEXT:
		vcpu_set_gpr(v, 10, 0);
		vcpu_set_gpr(v, 11, 42);
		return trap_next(t, ecall_len);
	case RESUME_JUMP:
		return trap_jump(t, sbi_jump_pc);
	default:
		return sbi_result;
	}
}

#define MMIO_LOG_MAX 8
static struct mmio_access mmio_log[MMIO_LOG_MAX];
static struct mmio_device *mmio_dev_seen;
static unsigned mmio_calls, mmio_slot_seen;
static int mmio_ret;
static uint64_t mmio_regs[8];   /* what loads at offset 0, 8, ... read, 8 bytes each */
static struct mmio_device fake_uart = { "uart", NULL, NULL };

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a)
{
	(void)vm;
	if (mmio_calls < MMIO_LOG_MAX)
		mmio_log[mmio_calls] = *a;
	mmio_calls++;
	mmio_dev_seen = dev;
	mmio_slot_seen = slot;
	if (!a->write && mmio_ret == 0) {
		uint64_t word = mmio_regs[(a->offset / 8) % 8];
		a->value = word >> (8 * (a->offset % 8));
	}
	return mmio_ret;
}

static unsigned blocks, made_runnable, timer_irqs, vm_stops, fp_saves, fp_loads;
static struct vcpu *fp_saved_of;

void sched_block(struct vcpu *v)
{
	(void)v;
	blocks++;
}

void sched_make_runnable(struct vcpu *v)
{
	(void)v;
	made_runnable++;
}

/* dispatch_trap's question; these tests drive dispatch_handle. */
bool sched_may_stay(struct vcpu *v)
{
	(void)v;
	return false;
}

struct vcpu *sched_resume(struct vcpu *v)
{
	return v;
}

void timer_handle_irq(void)
{
	timer_irqs++;
}

void vm_stop(struct vm *vm, enum vm_exit why, const char *reason)
{
	(void)reason;
	vm->state = VM_STOPPED;
	vm->exit = why;
	vm_stops++;
}

void fp_save(struct vcpu *v)
{
	fp_saves++;
	fp_saved_of = v;
}

void fp_load(struct vcpu *v)
{
	(void)v;
	fp_loads++;
}

static uint64_t fake_fregs[32];

uint64_t fp_read_reg(unsigned n)
{
	return fake_fregs[n % 32];
}

void fp_write_reg(unsigned n, uint64_t val)
{
	fake_fregs[n % 32] = val;
}

_Noreturn void trap_return(struct vcpu_arch *a)
{
	(void)a;
	abort();
}

void log_info(const char *fmt, ...)
{
	(void)fmt;
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

size_t format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : (size_t)n;
}

void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	(void)l;
	(void)name;
	(void)n;
}

void stats_group(struct stats_line *l, const char *group)
{
	(void)l;
	(void)group;
}

void stats_flush(struct stats_line *l)
{
	(void)l;
}

/* ---- the VM under test ------------------------------------------------- */

/* Guest RAM as the launcher lays it out (vm_alloc_ram): from above
 * OpenSBI's 512 KiB to 6.5 MiB, so chunk 0 (0x80000000) and chunk 3
 * (0x80600000) are partial, chunks 1 and 2 whole. Backed by one host
 * block, 2 MiB aligned at GUEST_RAM_BASE, so whole chunks are one
 * aligned run of frames (a superpage in the Bare view). */
#define RAM_BASE    (GUEST_RAM_BASE + GUEST_FW_RESERVED)
#define RAM_END     0x80680000ULL
#define RAM_PAGES   ((RAM_END - RAM_BASE) / PAGE_SIZE)
#define HOST_SPAN   (8ULL << 20)
#define CODE        GUEST_KERNEL_GPA        /* chunk 1: the kernel image */
#define CHUNK2      0x80400000ULL           /* whole, untouched at start */
#define CHUNK3      0x80600000ULL           /* partial: 128 pages */
#define STVEC_BASE  0x80201000ULL
#define UART        BOARD_UART_GPA
#define UART_SIZE   0x100ULL
#define POISON      0xa5

static struct bootinfo_vm desc;
static struct vm vm;
static struct vcpu vcpu;
static struct vcpu_arch varch;
static uint8_t *ram;
static uint64_t ram_pages[RAM_PAGES];

#define REGS    (varch.regs)
#define TV      (varch.trap)
#define VCSR    (varch.trap.csr)
#define A0 10
#define A1 11
#define A2 12
#define A7 17

static void *ram_host(uint64_t gpa)
{
	return ram + (gpa - GUEST_RAM_BASE);
}

/* Instructions as the guest's code: written through guest memory, as the
 * loader writes the image. */
static void put16(uint64_t gpa, uint16_t raw)
{
	assert_true(guestmem_write(&vm, gpa, &raw, 2));
}

static void put32(uint64_t gpa, uint32_t raw)
{
	assert_true(guestmem_write(&vm, gpa, &raw, 4));
}


#define CSRRW_A0_SSCRATCH_A1    0x14059573u     /* csrrw a0, sscratch, a1 */
#define INSN_SRET               0x10200073u
#define INSN_MRET               0x30200073u
#define INSN_WFI                0x10500073u
#define INSN_SFENCE_VMA_ALL     0x12000073u     /* sfence.vma x0, x0 */
#define INSN_CUSTOM0            0x0005050bu     /* custom-0: nothing the decoder knows */
#define INSN_C_FLD              0x2000u         /* c.fld f8, 0(s0) */
#define INSN_C_LW_A0_A1         0x4188u         /* c.lw a0, 0(a1) */
#define INSN_NOP                0x00000013u
#define LOAD_LD                 3
#define LOAD_LW                 2

static int setup(void **state)
{
	(void)state;
	fake_csr_reset();
	harts[0].live_satp = 0;
	harts[0].fp_owner = NULL;
	host_csr = (struct host_csr_caps){
		.has_senvcfg = true, .has_stimecmp = true,
		.sie_wmask = MIP_SSIP | MIP_STIP | MIP_SEIP,
		.sip_wmask = MIP_SSIP,
		.satp_modes = (1 << SATP_MODE_BARE) | (1 << SATP_MODE_SV39) |
			      (1 << SATP_MODE_SV48) | (1 << SATP_MODE_SV57),
		.satp_asid_mask = 0xffff,
		.reset = { .sstatus = SSTATUS_UXL_64 },
	};
	platform = (struct platform){ .nharts = 1, .satp_mode = SATP_MODE_SV57, .has_sstc = true };
	boot_l57[TRAPEZE_ROOT_INDEX] = TRAPEZE_ENTRY;
	boot_satp = BOOT_SATP;
	fake_frames_fail = false;
	fake_time = 1000;
	sbi_calls = sbi_ecall_len = 0;
	sbi_result = RESUME_NEXT;
	mmio_calls = 0;
	mmio_ret = 0;
	mmio_dev_seen = NULL;
	memset(mmio_regs, 0, sizeof(mmio_regs));
	blocks = made_runnable = timer_irqs = vm_stops = fp_saves = fp_loads = 0;
	fp_saved_of = NULL;

	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&varch, 0, sizeof(varch));
	desc = (struct bootinfo_vm){ .name = "t", .memory = RAM_END - GUEST_RAM_BASE, .vcpus = 1 };
	strcpy(vm.name, "t");
	vm.desc = &desc;
	vm.engine = &engine_trap;
	realmap_init(&vm.realmap);
	ram = aligned_alloc(MMU_2M, HOST_SPAN);
	assert_non_null(ram);
	/* Stale contents: first touches must zero them. */
	memset(ram, POISON, HOST_SPAN);
	for (uint64_t i = 0; i < RAM_PAGES; i++)
		ram_pages[i] = hostmem_pa(ram_host(RAM_BASE + i * PAGE_SIZE));
	assert_int_equal(realmap_add_ram(&vm.realmap, RAM_BASE, RAM_PAGES, ram_pages), 0);
	vm.ram_pages = ram_pages;
	vm.ram_npages = RAM_PAGES;
	assert_int_equal(guestmem_init(&vm), 0);
	assert_int_equal(realmap_add_mmio(&vm.realmap, UART, UART_SIZE, &fake_uart), 0);

	vcpu.arch = &varch;
	varch.vcpu = &vcpu;
	vcpu.vm = &vm;
	vcpu.engine = &engine_trap;
	vcpu.state = VCPU_RUNNING;
	vm.vcpus[0] = &vcpu;
	vm.nvcpus = 1;
	/* The loader writes the kernel before the engine starts. */
	put32(CODE, INSN_NOP);
	assert_int_equal(engine_trap.vm_init(&vm), 0);
	vcpu_reset(&vcpu, CODE, 0);
	VCSR.stvec = STVEC_BASE;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (vm.engine_vm)
		engine_trap.vm_destroy(&vm);
	guestmem_destroy(&vm);
	fake_frames_free_all();
	free(ram);
	ram = NULL;
	return 0;
}

/* What the last entry left in the x0 page (engine_trap.c, x0_sync_out),
 * when the VM has one: a test's vCSRs stand for the state Trapeze entered
 * the guest with. */
static void x0_entered(void)
{
	const struct patch_vm *p = &trap_vm_of(&vm)->patch;

	if (p->x0) {
		p->x0_slots[PATCH_X0_SSCRATCH] = VCSR.sscratch;
		p->x0_slots[PATCH_X0_SEPC] = VCSR.sepc;
		p->x0_slots[PATCH_X0_SCAUSE] = VCSR.scause;
		p->x0_slots[PATCH_X0_STVAL] = VCSR.stval;
	}
}

static void trap(uint64_t cause, uint64_t tval)
{
	x0_entered();
	dispatch_handle(&vcpu, cause, tval);
}

/* The leaf mapping va in the Bare view (0 when none), and its level. */
static uint64_t bare_leaf(uint64_t va, unsigned *level)
{
	uint64_t pa = trap_vm_of(&vm)->bare_root;

	for (unsigned l = 4; ; l--) {
		uint64_t pte = ((uint64_t *)hostmem_va(pa))[pt_index(va, l)];
		if (!(pte & PTE_V))
			return 0;
		if (pte_is_leaf(pte)) {
			*level = l;
			return pte;
		}
		if (l == 0)
			return 0;
		pa = pte_pa(pte);
	}
}

static bool all_bytes(const void *p, uint8_t b, size_t n)
{
	const uint8_t *q = p;

	for (size_t i = 0; i < n; i++)
		if (q[i] != b)
			return false;
	return true;
}

static void assert_injected(uint64_t cause, uint64_t tval, uint64_t epc, uint64_t pc)
{
	assert_int_equal(VCSR.scause, cause);
	assert_int_equal(VCSR.stval, tval);
	assert_int_equal(VCSR.sepc, epc);
	assert_int_equal(REGS.pc, pc);
	assert_int_equal(TV.vpriv, VPRIV_S);
}

/* ---- illegal instruction: CSR emulation and reflection ----------------- */

static void test_engine_trap_csr_rw_emulated_on_virtual_file(void **state)
{
	(void)state;
	unsigned slot = vcsr_slot(vcsr_find(CSR_SSCRATCH));

	assert_int_equal(enc_csr(CSR_SSCRATCH, A1, 1, A0), CSRRW_A0_SSCRATCH_A1);
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	VCSR.sscratch = 0x55;
	REGS.x[A1] = 0x1234;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x55);
	assert_int_equal(VCSR.sscratch, 0x1234);
	assert_int_equal(REGS.pc, CODE + 4);
	assert_int_equal(VCSR.scause, 0);           /* nothing injected */
	assert_int_equal(TV.vpriv, VPRIV_S);
	assert_int_equal(trap_vm_of(&vm)->stats.csr_read[slot], 1);
	assert_int_equal(trap_vm_of(&vm)->stats.csr_write[slot], 1);
	assert_int_equal(vm.stats.trap_exc[EXC_ILLEGAL_INST], 1);
}

static void test_engine_trap_csr_immediate_clear_keeps_other_bits(void **state)
{
	(void)state;
	/* csrrci x0, sstatus, 2: clear SIE only. */
	put32(CODE, enc_csr(CSR_SSTATUS, SSTATUS_SIE, 7, 0));
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SUM;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SPIE | SSTATUS_SUM);
	assert_int_equal(REGS.pc, CODE + 4);
}

static void test_engine_trap_csr_read_sip_shows_virq_ext(void **state)
{
	(void)state;
	uint32_t csrr_a0_sip = enc_csr(CSR_SIP, 0, 2, A0);     /* csrrs a0, sip, x0 */

	put32(CODE, csrr_a0_sip);
	put32(CODE + 4, csrr_a0_sip);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0);
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.x[A0], MIP_SEIP);
	assert_int_equal(REGS.pc, CODE + 8);
}

static void test_engine_trap_machine_csr_from_vs_reflected(void **state)
{
	(void)state;
	uint32_t raw = enc_csr(0x300, 0, 2, A0);   /* csrrs a0, mstatus, x0 */

	put32(CODE, raw);
	REGS.x[A0] = 7;
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	trap(EXC_ILLEGAL_INST, 0);
	/* Illegal instruction is not delegated by OpenSBI: its redirect
	 * lands on the raw stvec. */
	assert_injected(EXC_ILLEGAL_INST, raw, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
	assert_int_equal(REGS.x[A0], 7);
	assert_int_equal(trap_vm_of(&vm)->stats.csr_illegal, 1);
	assert_int_equal(vm.stats.inject_exc[EXC_ILLEGAL_INST], 1);
}

static void test_engine_trap_csr_from_vu_reflected(void **state)
{
	(void)state;
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	TV.vpriv = VPRIV_U;
	VCSR.sscratch = 0x55;
	VCSR.sstatus |= SSTATUS_SPP;
	REGS.x[A0] = 1;
	REGS.x[A1] = 0x1234;
	trap(EXC_ILLEGAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, CSRRW_A0_SSCRATCH_A1, CODE, STVEC_BASE);
	assert_int_equal(VCSR.sscratch, 0x55);
	assert_int_equal(REGS.x[A0], 1);
	assert_false(VCSR.sstatus & SSTATUS_SPP);  /* it came from U */
}

static void test_engine_trap_compressed_insn_reflected_with_its_bits(void **state)
{
	(void)state;
	/* An FP load with FS = Off: QEMU reports the 16 bits alone. */
	put16(CODE, INSN_C_FLD);
	put16(CODE + 2, 0xffff);
	trap(EXC_ILLEGAL_INST, 0xdead);
	assert_injected(EXC_ILLEGAL_INST, INSN_C_FLD, CODE, STVEC_BASE);
	assert_int_equal(trap_vm_of(&vm)->stats.insn_illegal, 1);
}

static void test_engine_trap_unknown_insn_reflected_with_its_bits(void **state)
{
	(void)state;
	put32(CODE, INSN_CUSTOM0);
	trap(EXC_ILLEGAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, INSN_CUSTOM0, CODE, STVEC_BASE);
	assert_int_equal(trap_vm_of(&vm)->stats.insn_illegal, 1);
}

static void test_engine_trap_mret_reflected_as_illegal(void **state)
{
	(void)state;
	put32(CODE, INSN_MRET);
	VCSR.sepc = 0x80300000;
	trap(EXC_ILLEGAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, INSN_MRET, CODE, STVEC_BASE);
}

static void test_engine_trap_illegal_unfetchable_keeps_hw_stval(void **state)
{
	(void)state;
	/* No RAM at the pc: nothing to read the bits from. */
	REGS.pc = 0x1000;
	trap(EXC_ILLEGAL_INST, 0x1234);
	assert_injected(EXC_ILLEGAL_INST, 0x1234, 0x1000, STVEC_BASE);
}

static void test_engine_trap_csr_insn_across_pages_emulated(void **state)
{
	(void)state;
	uint64_t pc = CODE + PAGE_SIZE - 2;

	put32(pc, CSRRW_A0_SSCRATCH_A1);
	REGS.pc = pc;
	REGS.x[A1] = 9;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 9);
	assert_int_equal(REGS.pc, pc + 4);
}

static void test_engine_trap_satp_unsupported_mode_ignored(void **state)
{
	(void)state;
	put32(CODE, enc_csr(CSR_SATP, A1, 1, 0));   /* csrw satp, a1 */
	host_csr.satp_modes &= ~(1ULL << SATP_MODE_SV57);
	REGS.x[A1] = (SATP_MODE_SV57 << SATP_MODE_SHIFT) | 0x80300;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.satp, 0);
	assert_int_equal(REGS.pc, CODE + 4);
}

/* ---- SRET, WFI, SFENCE.VMA --------------------------------------------- */

static void test_engine_trap_sret_to_vu(void **state)
{
	(void)state;
	put32(CODE, INSN_SRET);
	VCSR.sepc = 0x80300000;
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_SPIE;     /* SPP = U, SIE = 0 */
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.pc, 0x80300000);
	assert_int_equal(TV.vpriv, VPRIV_U);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SIE | SSTATUS_SPIE);
	assert_int_equal(VCSR.scause, 0);
	assert_int_equal(trap_vm_of(&vm)->stats.insn_sret, 1);
}

static void test_engine_trap_sret_to_vs(void **state)
{
	(void)state;
	put32(CODE, INSN_SRET);
	VCSR.sepc = 0x80300010;
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_SPP | SSTATUS_SIE;  /* SPIE = 0 */
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.pc, 0x80300010);
	assert_int_equal(TV.vpriv, VPRIV_S);
	/* SIE from SPIE (0), SPIE = 1, SPP = U (Privileged ISA v1.12, 3.3.2). */
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SPIE);
}

static void test_engine_trap_sret_from_vu_reflected(void **state)
{
	(void)state;
	put32(CODE, INSN_SRET);
	TV.vpriv = VPRIV_U;
	VCSR.sepc = 0x80300000;
	trap(EXC_ILLEGAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, INSN_SRET, CODE, STVEC_BASE);
	assert_int_equal(trap_vm_of(&vm)->stats.insn_sret, 0);
}

static void test_engine_trap_wfi_blocks_without_pending_irq(void **state)
{
	(void)state;
	put32(CODE, INSN_WFI);
	put32(CODE + 4, INSN_WFI);
	VCSR.sie = MIP_SEIP;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(blocks, 1);
	assert_int_equal(REGS.pc, CODE + 4);
	/* Pending and enabled in sie wakes it, whatever sstatus.SIE says. */
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(blocks, 1);
	assert_int_equal(REGS.pc, CODE + 8);
	assert_int_equal(trap_vm_of(&vm)->stats.insn_wfi, 2);
}

static void test_engine_trap_sfence_vma_flushes_shadows(void **state)
{
	(void)state;
	uint64_t gen = trap_vm_of(&vm)->shadow.generation;

	put32(CODE, INSN_SFENCE_VMA_ALL);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(trap_vm_of(&vm)->shadow.stats.flush_all, 1);
	assert_true(trap_vm_of(&vm)->shadow.generation > gen);
	assert_int_equal(REGS.pc, CODE + 4);
}

static void test_engine_trap_flush_range_page_by_page(void **state)
{
	(void)state;
	const struct shadow_stats *s = &trap_vm_of(&vm)->shadow.stats;

	/* An unaligned range touching three pages, every ASID. */
	vcpu_flush_guest_tlb(&vcpu, 0x10800, 2 * PAGE_SIZE, UINT64_MAX);
	assert_int_equal(s->flush_va, 3);
	/* Longer than 64 pages: one flush of the ASID. */
	vcpu_flush_guest_tlb(&vcpu, 0x10000, 65 * PAGE_SIZE, 5);
	assert_int_equal(s->flush_asid, 1);
	assert_int_equal(s->flush_va, 3);
}

/* ---- ECALL ------------------------------------------------------------- */

static void test_engine_trap_ecall_from_vu_injected_as_user_ecall(void **state)
{
	(void)state;
	TV.vpriv = VPRIV_U;
	REGS.pc = 0x10074;
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_SIE | SSTATUS_SPP;
	trap(EXC_ECALL_U, 0);
	/* Delegated: the hardware way, stvec's MODE bits cleared. */
	assert_injected(EXC_ECALL_U, 0, 0x10074, STVEC_BASE);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SPIE);  /* SPP = U */
	assert_int_equal(sbi_calls, 0);
	assert_int_equal(vm.stats.inject_exc[EXC_ECALL_U], 1);
}

static void test_engine_trap_ecall_from_vs_goes_to_sbi(void **state)
{
	(void)state;
	REGS.x[A7] = SBI_EXT_BASE;
	trap(EXC_ECALL_U, 0);
	assert_int_equal(sbi_calls, 1);
	assert_int_equal(sbi_ecall_len, 4);
	assert_int_equal(REGS.x[A0], 0);
	assert_int_equal(REGS.x[A1], 42);
	assert_int_equal(REGS.pc, CODE + 4);
	assert_int_equal(VCSR.scause, 0);
}

static void test_engine_trap_ecall_sbi_jump_and_halt(void **state)
{
	(void)state;
	sbi_result = RESUME_JUMP;
	sbi_jump_pc = 0x80280000;
	trap(EXC_ECALL_U, 0);
	assert_int_equal(REGS.pc, 0x80280000);
	sbi_result = RESUME_HALT;
	trap(EXC_ECALL_U, 0);
	assert_int_equal(REGS.pc, 0x80280000);
	assert_int_equal(sbi_calls, 2);
	assert_int_equal(VCSR.scause, 0);
}

/* ---- injection --------------------------------------------------------- */

static void test_engine_trap_inject_interrupt_vectored(void **state)
{
	(void)state;
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	VCSR.sstatus |= SSTATUS_SIE;
	VCSR.sie = MIP_SEIP;
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	engine_trap.deliver_irq(&vcpu);
	assert_injected(CAUSE_INTERRUPT | IRQ_S_EXT, 0, CODE, STVEC_BASE + 4 * IRQ_S_EXT);
	assert_int_equal(vm.stats.inject_irq[IRQ_S_EXT], 1);
}

static void test_engine_trap_inject_interrupt_direct(void **state)
{
	(void)state;
	VCSR.sstatus |= SSTATUS_SIE;
	VCSR.sie = MIP_SSIP;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);
	engine_trap.deliver_irq(&vcpu);
	assert_injected(CAUSE_INTERRUPT | IRQ_S_SOFT, 0, CODE, STVEC_BASE);
}

static void test_engine_trap_inject_undelegated_exception_raw_stvec(void **state)
{
	(void)state;
	/* No handler for a misaligned load: reflected, and OpenSBI (which
	 * does not delegate it) redirects it to the raw stvec. */
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	trap(EXC_LOAD_MISALIGNED, 0x80300001);
	assert_injected(EXC_LOAD_MISALIGNED, 0x80300001, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
}

static void test_engine_trap_inject_delegated_exception_masks_mode(void **state)
{
	(void)state;
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	/* A breakpoint has no handler and is delegated. */
	trap(EXC_BREAKPOINT, CODE);
	assert_injected(EXC_BREAKPOINT, CODE, CODE, STVEC_BASE);
	/* A page fault, straight through the op. */
	REGS.pc = 0x80300000;
	struct trap_info t = { 0 };
	trap_inject(&t, EXC_LOAD_PAGE_FAULT, 0x5000);
	engine_trap.inject(&vcpu, &t);
	assert_injected(EXC_LOAD_PAGE_FAULT, 0x5000, 0x80300000, STVEC_BASE);
}

static void test_engine_trap_inject_redirected_forces_raw_stvec(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	trap_inject(&t, EXC_LOAD_PAGE_FAULT, 0x5000);
	t.inject_redirected = true;
	engine_trap.inject(&vcpu, &t);
	assert_injected(EXC_LOAD_PAGE_FAULT, 0x5000, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
}

static void test_engine_trap_inject_moves_sie_to_spie(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	trap_inject(&t, EXC_BREAKPOINT, 0);
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_SIE;
	engine_trap.inject(&vcpu, &t);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SPIE | SSTATUS_SPP);
	/* Again, now with SIE = 0: SPIE follows it down. */
	engine_trap.inject(&vcpu, &t);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SPP);
	assert_int_equal(VCSR.sepc, STVEC_BASE);
}

/* ---- deliver_irq ------------------------------------------------------- */

static void test_engine_trap_deliver_irq_priority_sei_ssi_sti(void **state)
{
	(void)state;
	VCSR.sie = MIP_SSIP | MIP_STIP | MIP_SEIP;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT | VIRQ_EXT);
	vcpu_timer_set(&vcpu, fake_time);
	assert_int_equal(vcsr_sip_read(&vcpu), MIP_SSIP | MIP_STIP | MIP_SEIP);

	VCSR.sstatus |= SSTATUS_SIE;
	engine_trap.deliver_irq(&vcpu);
	assert_int_equal(VCSR.scause, CAUSE_INTERRUPT | IRQ_S_EXT);

	vcpu_lower_irq(&vcpu, VIRQ_EXT);
	VCSR.sstatus |= SSTATUS_SIE;
	engine_trap.deliver_irq(&vcpu);
	assert_int_equal(VCSR.scause, CAUSE_INTERRUPT | IRQ_S_SOFT);

	vcpu_lower_irq(&vcpu, VIRQ_SOFT);
	VCSR.sstatus |= SSTATUS_SIE;
	engine_trap.deliver_irq(&vcpu);
	assert_int_equal(VCSR.scause, CAUSE_INTERRUPT | IRQ_S_TIMER);
}

static void test_engine_trap_deliver_irq_none_in_vs_with_sie_clear(void **state)
{
	(void)state;
	VCSR.sie = MIP_SEIP;
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	engine_trap.deliver_irq(&vcpu);
	assert_int_equal(REGS.pc, CODE);
	assert_int_equal(VCSR.scause, 0);
	assert_int_equal(vm.stats.inject_irq[IRQ_S_EXT], 0);
}

static void test_engine_trap_deliver_irq_in_vu_regardless_of_sie(void **state)
{
	(void)state;
	TV.vpriv = VPRIV_U;
	REGS.pc = 0x10000;
	VCSR.sie = MIP_SEIP;
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	engine_trap.deliver_irq(&vcpu);
	assert_injected(CAUSE_INTERRUPT | IRQ_S_EXT, 0, 0x10000, STVEC_BASE);
	assert_false(VCSR.sstatus & SSTATUS_SPP);
}

static void test_engine_trap_deliver_irq_needs_sie_bit(void **state)
{
	(void)state;
	VCSR.sstatus |= SSTATUS_SIE;
	VCSR.sie = MIP_SSIP;
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	engine_trap.deliver_irq(&vcpu);
	assert_int_equal(VCSR.scause, 0);
	assert_int_equal(REGS.pc, CODE);
	assert_int_equal(engine_trap.virq_enabled(&vcpu), VIRQ_SOFT);
}

/* ---- Bare mode: first touch, access faults, MMIO ----------------------- */

static void test_engine_trap_bare_view_maps_loaded_chunk_at_init(void **state)
{
	(void)state;
	unsigned level;
	uint64_t pte = bare_leaf(CODE, &level);

	/* The kernel's chunk, written by the loader: one 2 MiB superpage. */
	assert_int_equal(level, 1);
	assert_int_equal(pte_pa(pte), hostmem_pa(ram_host(CODE)));
	assert_int_equal(pte & 0xff, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
	assert_int_equal(bare_leaf(CHUNK2, &level), 0);
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_2m, 1);
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_4k, 0);
	assert_int_equal(((uint64_t *)hostmem_va(trap_vm_of(&vm)->bare_root))[TRAPEZE_ROOT_INDEX],
			 TRAPEZE_ENTRY);
}

static void test_engine_trap_bare_load_fault_maps_zeroed_chunk(void **state)
{
	(void)state;
	unsigned level;
	uint64_t chunks = vm.stats.chunks_zeroed;

	assert_true(all_bytes(ram_host(CHUNK2), POISON, MMU_2M));
	trap(EXC_LOAD_PAGE_FAULT, CHUNK2 + 0x1234);
	assert_int_equal(REGS.pc, CODE);            /* RESUME_SAME */
	assert_int_equal(VCSR.scause, 0);
	assert_true(all_bytes(ram_host(CHUNK2), 0, MMU_2M));
	assert_int_equal(vm.stats.chunks_zeroed, chunks + 1);
	uint64_t pte = bare_leaf(CHUNK2 + 0x1234, &level);
	assert_int_equal(level, 1);
	assert_int_equal(pte_pa(pte), hostmem_pa(ram_host(CHUNK2)));
	assert_int_equal(trap_vm_of(&vm)->stats.page_maps, 1);
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_2m, 2);
	/* The next chunk is left alone. */
	assert_true(all_bytes(ram_host(CHUNK3), POISON, PAGE_SIZE));
}

static void test_engine_trap_bare_fault_partial_chunk_maps_pages(void **state)
{
	(void)state;
	unsigned level;

	trap(EXC_STORE_PAGE_FAULT, CHUNK3 + 8);
	assert_int_equal(REGS.pc, CODE);
	uint64_t first = bare_leaf(CHUNK3, &level);
	assert_int_equal(level, 0);
	assert_int_equal(pte_pa(first), hostmem_pa(ram_host(CHUNK3)));
	uint64_t last = bare_leaf(RAM_END - PAGE_SIZE, &level);
	assert_int_equal(level, 0);
	assert_int_equal(pte_pa(last), hostmem_pa(ram_host(RAM_END - PAGE_SIZE)));
	assert_int_equal(bare_leaf(RAM_END, &level), 0);
	assert_true(all_bytes(ram_host(CHUNK3), 0, RAM_END - CHUNK3));
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_4k, 1);
}

static void test_engine_trap_bare_firmware_region_never_mapped(void **state)
{
	(void)state;
	unsigned level;

	/* Chunk 0 holds OpenSBI's 512 KiB below the guest's RAM: it is mapped
	 * page by page from RAM_BASE, never as a superpage over the firmware. */
	trap(EXC_LOAD_PAGE_FAULT, RAM_BASE);
	assert_int_equal(pte_pa(bare_leaf(RAM_BASE, &level)), hostmem_pa(ram_host(RAM_BASE)));
	assert_int_equal(level, 0);
	assert_int_equal(bare_leaf(RAM_BASE - PAGE_SIZE, &level), 0);
	assert_int_equal(bare_leaf(GUEST_RAM_BASE, &level), 0);
	assert_int_equal(VCSR.scause, 0);
	/* The firmware's own memory: what the PMP gives S-mode there. */
	put32(CODE, enc_i(0, A1, LOAD_LD, A0, 0x03));     /* ld a0, 0(a1) */
	REGS.x[A1] = GUEST_RAM_BASE;
	trap(EXC_LOAD_PAGE_FAULT, GUEST_RAM_BASE);
	assert_injected(EXC_LOAD_ACCESS, GUEST_RAM_BASE, CODE, STVEC_BASE);
}

static void test_engine_trap_bare_fault_scattered_chunk_maps_pages(void **state)
{
	(void)state;
	unsigned level;
	uint64_t p0 = (CHUNK2 - RAM_BASE) / PAGE_SIZE;

	/* Two frames of the chunk swapped: no longer one run. */
	uint64_t tmp = ram_pages[p0];
	ram_pages[p0] = ram_pages[p0 + 1];
	ram_pages[p0 + 1] = tmp;
	trap(EXC_INST_PAGE_FAULT, CHUNK2 + PAGE_SIZE);
	assert_int_equal(pte_pa(bare_leaf(CHUNK2, &level)), ram_pages[p0]);
	assert_int_equal(level, 0);
	assert_int_equal(pte_pa(bare_leaf(CHUNK2 + PAGE_SIZE, &level)), ram_pages[p0 + 1]);
	assert_int_equal(pte_pa(bare_leaf(CHUNK2 + MMU_2M - PAGE_SIZE, &level)),
			 hostmem_pa(ram_host(CHUNK2 + MMU_2M - PAGE_SIZE)));
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_4k, 1);
	assert_int_equal(trap_vm_of(&vm)->stats.bare_chunks_2m, 1);
	assert_int_equal(VCSR.scause, 0);
}

static void test_engine_trap_bare_load_outside_everything_access_fault(void **state)
{
	(void)state;
	put32(CODE, enc_i(0, A1, LOAD_LD, A0, 0x03));     /* ld a0, 0(a1) */
	REGS.x[A1] = 0x1000;
	REGS.x[A0] = 3;
	trap(EXC_LOAD_PAGE_FAULT, 0x1000);
	assert_injected(EXC_LOAD_ACCESS, 0x1000, CODE, STVEC_BASE);
	assert_int_equal(REGS.x[A0], 3);
	assert_int_equal(vm.stats.access_faults, 1);
	assert_int_equal(mmio_calls, 0);
}

static void test_engine_trap_bare_store_outside_everything_access_fault(void **state)
{
	(void)state;
	put32(CODE, enc_s(8, A2, A1, 3, OP_STORE));                 /* sd a2, 8(a1) */
	REGS.x[A1] = 0x40000000;
	trap(EXC_STORE_PAGE_FAULT, 0x40000008);
	assert_injected(EXC_STORE_ACCESS, 0x40000008, CODE, STVEC_BASE);
}

static void test_engine_trap_bare_fetch_outside_everything_access_fault(void **state)
{
	(void)state;
	REGS.pc = 0x40000000;
	trap(EXC_INST_PAGE_FAULT, 0x40000000);
	assert_injected(EXC_INST_ACCESS, 0x40000000, 0x40000000, STVEC_BASE);
}

static void test_engine_trap_bare_fetch_from_mmio_access_fault(void **state)
{
	(void)state;
	REGS.pc = UART;
	trap(EXC_INST_PAGE_FAULT, UART);
	assert_injected(EXC_INST_ACCESS, UART, UART, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
}

static void test_engine_trap_bare_mmio_load_dispatched(void **state)
{
	(void)state;
	put32(CODE, enc_i(4, A1, LOAD_LW, A0, 0x03));     /* lw a0, 4(a1) */
	REGS.x[A1] = UART;
	mmio_regs[0] = 0x8000000100000000ULL;           /* offset 4 reads 0x80000001 */
	trap(EXC_LOAD_PAGE_FAULT, UART + 4);
	assert_int_equal(mmio_calls, 1);
	assert_ptr_equal(mmio_dev_seen, &fake_uart);
	assert_int_equal(mmio_slot_seen, 0);
	assert_int_equal(mmio_log[0].gpa, UART + 4);
	assert_int_equal(mmio_log[0].offset, 4);
	assert_int_equal(mmio_log[0].width, 4);
	assert_false(mmio_log[0].write);
	assert_int_equal(REGS.x[A0], 0xffffffff80000001ULL);     /* LW sign-extends */
	assert_int_equal(REGS.pc, CODE + 4);
	assert_int_equal(VCSR.scause, 0);
}

static void test_engine_trap_bare_mmio_store_dispatched(void **state)
{
	(void)state;
	put32(CODE, enc_s(0, A2, A1, 0, OP_STORE));                 /* sb a2, 0(a1) */
	REGS.x[A1] = UART + 1;
	REGS.x[A2] = 0x1241;
	trap(EXC_STORE_PAGE_FAULT, UART + 1);
	assert_int_equal(mmio_calls, 1);
	assert_int_equal(mmio_log[0].offset, 1);
	assert_int_equal(mmio_log[0].width, 1);
	assert_true(mmio_log[0].write);
	/* The device takes the low width bytes (mmio.h). */
	assert_int_equal(mmio_log[0].value & 0xff, 0x41);
	assert_int_equal(REGS.pc, CODE + 4);
}

static void test_engine_trap_bare_mmio_compressed_load_steps_two(void **state)
{
	(void)state;
	put16(CODE, INSN_C_LW_A0_A1);
	REGS.x[A1] = UART + 8;
	mmio_regs[1] = 0x12345678;
	trap(EXC_LOAD_PAGE_FAULT, UART + 8);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(mmio_log[0].offset, 8);
	assert_int_equal(REGS.x[A0], 0x12345678);
	assert_int_equal(REGS.pc, CODE + 2);
}

static void test_engine_trap_bare_mmio_misaligned_load_split(void **state)
{
	(void)state;
	/* lw a0, 2(a1) on a device: two aligned word loads, below and above
	 * (misaligned.h, QEMU 7.2's split). */
	put32(CODE, enc_i(2, A1, LOAD_LW, A0, 0x03));
	REGS.x[A1] = UART;
	mmio_regs[0] = 0x8877665544332211ULL;
	trap(EXC_LOAD_PAGE_FAULT, UART + 2);
	assert_int_equal(mmio_calls, 2);
	assert_int_equal(mmio_log[0].offset, 0);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(mmio_log[1].offset, 4);
	assert_int_equal(mmio_log[1].width, 4);
	assert_int_equal(REGS.x[A0], 0x66554433);
	assert_int_equal(REGS.pc, CODE + 4);
	assert_int_equal(vm.stats.accesses_emulated, 1);
}

static void test_engine_trap_bare_mmio_rejected_access_fault(void **state)
{
	(void)state;
	put32(CODE, enc_i(0, A1, LOAD_LW, A0, 0x03));
	REGS.x[A1] = UART;
	mmio_ret = -1;
	trap(EXC_LOAD_PAGE_FAULT, UART);
	assert_int_equal(mmio_calls, 1);
	assert_injected(EXC_LOAD_ACCESS, UART, CODE, STVEC_BASE);
}

static void test_engine_trap_bare_mmio_halt_keeps_pc(void **state)
{
	(void)state;
	put32(CODE, enc_s(0, A2, A1, 2, OP_STORE));                 /* sw a2, 0(a1) */
	REGS.x[A1] = UART;
	mmio_ret = MMIO_HALT;
	trap(EXC_STORE_PAGE_FAULT, UART);
	assert_int_equal(mmio_calls, 1);
	assert_int_equal(REGS.pc, CODE);
	assert_int_equal(VCSR.scause, 0);
}

static void test_engine_trap_bare_fault_out_of_memory_stops_vm(void **state)
{
	(void)state;
	/* A partial chunk needs a new leaf table for its 4 KiB pages. */
	fake_frames_fail = true;
	trap(EXC_LOAD_PAGE_FAULT, CHUNK3);
	assert_int_equal(vm_stops, 1);
	assert_int_equal(vm.state, VM_STOPPED);
	assert_int_equal(vm.exit, VM_EXIT_CRASHED);
	assert_int_equal(REGS.pc, CODE);
	assert_int_equal(VCSR.scause, 0);
}

/* ---- paging on: shadows ------------------------------------------------ */

/* An Sv39 address space in guest RAM (chunk 1): code at VA 0x10000 (the
 * kernel's page, supervisor R|X), data at 0x20000, the UART at 0x30000. */
#define PT_ROOT     0x80300000ULL
#define PT_L1       0x80301000ULL
#define PT_L0       0x80302000ULL
#define VA_CODE     0x10000ULL
#define VA_DATA     0x20000ULL
#define VA_UART     0x30000ULL
#define DATA_GPA    0x80210000ULL
#define GUEST_SATP  ((SATP_MODE_SV39 << SATP_MODE_SHIFT) | (3ULL << SATP_ASID_SHIFT) | (PT_ROOT >> 12))

static void put_pte(uint64_t table, unsigned index, uint64_t pte)
{
	assert_true(guestmem_write(&vm, table + 8 * index, &pte, 8));
}

static void paging_on(void)
{
	const uint64_t leaf = PTE_V | PTE_A | PTE_D;

	put_pte(PT_ROOT, 0, pte_make(PT_L1, PTE_V));
	put_pte(PT_L1, 0, pte_make(PT_L0, PTE_V));
	put_pte(PT_L0, VA_CODE >> 12, pte_make(CODE, leaf | PTE_R | PTE_X));
	put_pte(PT_L0, VA_DATA >> 12, pte_make(DATA_GPA, leaf | PTE_R | PTE_W));
	put_pte(PT_L0, VA_UART >> 12, pte_make(UART, leaf | PTE_R | PTE_W));
	VCSR.satp = GUEST_SATP;
	REGS.pc = VA_CODE;
}

static void test_engine_trap_paging_insn_fetched_through_guest_tables(void **state)
{
	(void)state;
	paging_on();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	REGS.x[A1] = 0x77;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 0x77);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	const struct fetch_cache *fc = &TV.fetch[(VA_CODE >> 12) % TRAP_FETCH_CACHE];
	assert_true(fc->valid);
	assert_int_equal(fc->va_page, VA_CODE);
	assert_int_equal(fc->gpa_page, CODE);
}

/* Two code pages trapping in turn keep one entry each: the second does not
 * evict the first (a guest PTE changed without SFENCE.VMA shows it, since
 * a cached translation is what a TLB would keep). */
static void test_engine_trap_paging_fetch_cache_holds_two_pages(void **state)
{
	const uint64_t va2 = VA_CODE + 0x1000, code2 = CODE + 0x3000;

	(void)state;
	paging_on();
	put_pte(PT_L0, va2 >> 12, pte_make(code2, PTE_V | PTE_A | PTE_R | PTE_X));
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(code2, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + 0x5000, 0x00000013);       /* nop: not a CSR access */
	REGS.x[A1] = 1;
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = va2;
	REGS.x[A1] = 2;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 2);
	/* The first page now maps elsewhere in the guest's tables, unfenced. */
	put_pte(PT_L0, VA_CODE >> 12, pte_make(CODE + 0x5000, PTE_V | PTE_A | PTE_R | PTE_X));
	REGS.pc = VA_CODE;
	REGS.x[A1] = 3;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 3);     /* still the cached page's CSRRW */
	assert_int_equal(REGS.pc, VA_CODE + 4);
}

static void test_engine_trap_paging_load_fault_fills_shadow(void **state)
{
	(void)state;
	paging_on();
	trap(EXC_LOAD_PAGE_FAULT, VA_DATA + 8);
	assert_int_equal(REGS.pc, VA_CODE);         /* RESUME_SAME */
	assert_int_equal(VCSR.scause, 0);
	assert_int_equal(trap_vm_of(&vm)->stats.page_maps, 1);
	assert_true(trap_vm_of(&vm)->shadow.stats.fills >= 1);
}

static void test_engine_trap_paging_unmapped_is_guest_page_fault(void **state)
{
	(void)state;
	paging_on();
	VCSR.stvec = STVEC_BASE | STVEC_MODE_VECTORED;
	trap(EXC_STORE_PAGE_FAULT, 0x50000);
	assert_injected(EXC_STORE_PAGE_FAULT, 0x50000, VA_CODE, STVEC_BASE);
	assert_int_equal(trap_vm_of(&vm)->stats.page_maps, 0);
}

static void test_engine_trap_paging_mmio_through_guest_tables(void **state)
{
	(void)state;
	paging_on();
	put32(CODE, enc_i(0, A1, LOAD_LW, A0, 0x03));     /* lw a0, 0(a1) */
	REGS.x[A1] = VA_UART;
	mmio_regs[0] = 0x2a;
	trap(EXC_LOAD_PAGE_FAULT, VA_UART);
	assert_int_equal(mmio_calls, 1);
	assert_int_equal(mmio_log[0].gpa, UART);
	assert_int_equal(REGS.x[A0], 0x2a);
	assert_int_equal(REGS.pc, VA_CODE + 4);
}

#define AMO_W(f5, rd, rs1, rs2) (0x2fu | (rd) << 7 | 2u << 12 | (rs1) << 15 | (rs2) << 20 | (uint32_t)(f5) << 27)
#define A3 13
#define A4 14

/* An AMO, LR and SC on a device, as QEMU 7.2 runs them on I/O memory:
 * the AMO a read then a write, the LR a read that reserves, the SC a read
 * and a write (the new value when the register still holds the LR's, else
 * the old one), failing without an access when unreserved; a trap drops
 * the reservation; a device refusing gives the page fault's access fault.
 * Found by the fidelity suite's RTC steps (a load access fault before). */
static void test_engine_trap_mmio_amo_lr_sc(void **state)
{
	(void)state;
	paging_on();
	VCSR.stvec = STVEC_BASE;
	put32(CODE, AMO_W(0x08, A0, A1, A2));          /* amoor.w a0, a2, (a1) */
	put32(CODE + 4, AMO_W(0x02, A3, A1, 0));       /* lr.w a3, (a1) */
	put32(CODE + 8, AMO_W(0x03, A4, A1, A2));      /* sc.w a4, a2, (a1) */
	REGS.x[A1] = VA_UART;
	REGS.x[A2] = 0x0f;
	mmio_regs[0] = 0xfffffff0;
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_int_equal(mmio_calls, 2);
	assert_false(mmio_log[0].write);
	assert_int_equal(mmio_log[0].width, 4);
	assert_true(mmio_log[1].write);
	assert_int_equal(mmio_log[1].value & 0xffffffff, 0xffffffff);
	assert_int_equal(REGS.x[A0], 0xfffffffffffffff0ULL);   /* sign-extended */
	assert_int_equal(REGS.pc, VA_CODE + 4);

	/* LR then SC: reserved, the register unchanged: the new value goes in. */
	trap(EXC_LOAD_PAGE_FAULT, VA_UART);
	assert_int_equal(mmio_calls, 3);
	assert_int_equal(REGS.x[A3], 0xfffffffffffffff0ULL);
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_int_equal(REGS.x[A4], 0);
	assert_int_equal(mmio_calls, 5);
	assert_true(mmio_log[4].write);
	assert_int_equal(mmio_log[4].value & 0xffffffff, 0x0f);
	/* Again: no reservation left, no access. */
	REGS.pc = VA_CODE + 8;
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_int_equal(REGS.x[A4], 1);
	assert_int_equal(mmio_calls, 5);
	/* LR, the register changes, SC: fails, writing back what it read. */
	REGS.pc = VA_CODE + 4;
	trap(EXC_LOAD_PAGE_FAULT, VA_UART);
	mmio_regs[0] = 0x1234;
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_int_equal(REGS.x[A4], 1);
	assert_int_equal(mmio_calls, 8);
	assert_int_equal(mmio_log[7].value & 0xffffffff, 0x1234);
	/* LR, a trap taken (a privilege change), SC: fails, no access. */
	REGS.pc = VA_CODE + 4;
	trap(EXC_LOAD_PAGE_FAULT, VA_UART);
	put32(CODE + 0x100, INSN_MRET);
	REGS.pc = VA_CODE + 0x100;
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE + 8;
	unsigned calls = mmio_calls;
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_int_equal(REGS.x[A4], 1);
	assert_int_equal(mmio_calls, calls);
	/* QEMU 7.2 faults an AMO to an unmapped page as a load: the same. */
	REGS.pc = VA_CODE;
	calls = mmio_calls;
	trap(EXC_LOAD_PAGE_FAULT, VA_UART);
	assert_int_equal(mmio_calls, calls + 2);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	/* The device refuses: the access fault of the page fault's kind. */
	mmio_ret = -1;
	REGS.pc = VA_CODE;
	trap(EXC_STORE_PAGE_FAULT, VA_UART);
	assert_injected(EXC_STORE_ACCESS, VA_UART, VA_CODE, STVEC_BASE);
	mmio_ret = 0;
}

/* ---- patching (patch.c) ------------------------------------------------ */

/* The VM again, with patching on (what `patching = on` puts in its boot
 * descriptor), running the Sv39 address space above in virtual S-mode. */
static void patching_vm(void)
{
	engine_trap.vm_destroy(&vm);
	desc.patching = BOOTINFO_PATCHING_X0;
	assert_int_equal(engine_trap.vm_init(&vm), 0);
	paging_on();
}

static struct patch_vm *patches(void)
{
	return &trap_vm_of(&vm)->patch;
}

/* Patching with the breakpoint forms only (as in a VM of several vCPUs):
 * for the tests of what breakpoints do, whatever CSR their sites name. */
static void patching_vm_breakpoints_only(void)
{
	patching_vm();
	patches()->x0 = 0;
	trap_vm_of(&vm)->shadow_ops.x0_page = 0;
}

/* The bytes S views execute at gpa: the patched copy's (0 when none). */
static uint32_t copy32(uint64_t gpa)
{
	uint64_t copy = patch_copy(&vm, gpa & ~(PAGE_SIZE - 1));
	uint32_t w;

	if (copy == 0)
		return 0;
	memcpy(&w, (uint8_t *)hostmem_va(copy) + (gpa & (PAGE_SIZE - 1)), 4);
	return w;
}

static unsigned remote_fence_i_calls(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_csr.nsbi; i++)
		if (fake_csr.sbi[i].eid == 0x52464E43 && fake_csr.sbi[i].fid == 0 &&
		    fake_csr.sbi[i].a0 == 0 && fake_csr.sbi[i].a1 == (uint64_t)-1)
			n++;
	return n;
}

static unsigned local_fence_i(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_csr.nfences; i++)
		if (fake_csr.fences[i].all_va == -1 && fake_csr.fences[i].all_asid == -1)
			n++;
	return n;
}

static void test_engine_trap_patch_first_execution_patches_copy(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	REGS.x[A1] = 0x77;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 0x77);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 1);
	assert_int_equal(copy32(CODE), PATCH_EBREAK);
	/* Guest RAM keeps the original. */
	assert_int_equal(*(uint32_t *)ram_host(CODE), CSRRW_A0_SSCRATCH_A1);
	/* The breakpoint at the site runs the original. */
	REGS.pc = VA_CODE;
	REGS.x[A1] = 0x99;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(VCSR.sscratch, 0x99);
	assert_int_equal(REGS.x[A0], 0x77);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_int_equal(patches()->stats.exec_csr, 1);
}

/* Another hart may run a vCPU of the VM from the copy, or may next: it
 * must fetch the new instructions (QEMU would hide a missing fence). */
static void test_engine_trap_patch_fences_icache_on_every_hart(void **state)
{
	(void)state;
	platform.nharts = 2;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	fake_csr.nsbi = fake_csr.nfences = 0;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 1);
	assert_int_equal(local_fence_i(), 1);
	assert_int_equal(remote_fence_i_calls(), 1);
	/* A later site in the same frame changes the copy again. */
	put32(CODE + 0x100, enc_csr(CSR_SEPC, A1, 1, 0));       /* csrw sepc, a1 */
	REGS.pc = VA_CODE + 0x100;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(copy32(CODE + 0x100), PATCH_EBREAK);
	assert_int_equal(remote_fence_i_calls(), 2);
}

/* An SBI remote FENCE.I aimed at one vCPU (vcpu_fence_i): the caller
 * itself fences here, with no host call; a target running on another
 * hart gets the host firmware's remote FENCE.I for that hart alone, and
 * the flag its next entry fences for, as does a target on no hart. */
static unsigned remote_fence_i_to(uint64_t hartid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_csr.nsbi; i++)
		if (fake_csr.sbi[i].eid == 0x52464E43 && fake_csr.sbi[i].fid == 0 &&
		    fake_csr.sbi[i].a0 == 1 && fake_csr.sbi[i].a1 == hartid)
			n++;
	return n;
}

static void test_engine_trap_remote_fence_i_only_where_the_target_runs(void **state)
{
	(void)state;
	platform.nharts = 2;
	harts[0].index = 0;
	harts[1].index = 1;
	harts[1].hartid = 7;
	fake_csr.nsbi = fake_csr.nfences = 0;
	vcpu.state = VCPU_RUNNING;
	vcpu.on_hart = this_hart()->index;
	vcpu_fence_i(&vcpu);
	assert_int_equal(local_fence_i(), 1);
	assert_int_equal(fake_csr.nsbi, 0);
	assert_int_equal(vcpu.fence_i_due, 0);          /* fenced: nothing left for entry */
	vcpu_fence_i_on_entry(&vcpu, false);
	assert_int_equal(local_fence_i(), 1);
	/* Running on the other hart: the host's fence for that hart only. */
	vcpu.on_hart = 1;
	vcpu_fence_i(&vcpu);
	assert_int_equal(fake_csr.nsbi, 1);
	assert_int_equal(remote_fence_i_to(7), 1);
	assert_int_equal(remote_fence_i_calls(), 0);
	/* On no hart: its next entry fences. */
	vcpu.fence_i_due = 0;
	vcpu.state = VCPU_RUNNABLE;
	unsigned before = local_fence_i();
	vcpu_fence_i(&vcpu);
	assert_int_equal(fake_csr.nsbi, 1);
	assert_int_equal(vcpu.fence_i_due, 1);
	assert_int_equal(local_fence_i(), before);      /* left to its entry */
	vcpu_fence_i_on_entry(&vcpu, false);
	assert_int_equal(local_fence_i(), before + 1);
	/* Entering a hart it did not run on last: fenced, flag or not. */
	vcpu_fence_i_on_entry(&vcpu, true);
	assert_int_equal(local_fence_i(), before + 2);
	vcpu_fence_i_on_entry(&vcpu, false);
	assert_int_equal(local_fence_i(), before + 2);
}

/* A site at 2 mod 4 takes C.EBREAK: one 16-bit store, never half seen. */
static void test_engine_trap_patch_2_mod_4_site_c_ebreak(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE + 2, CSRRW_A0_SSCRATCH_A1);
	REGS.pc = VA_CODE + 2;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_C_EBREAK], 1);
	assert_int_equal(copy32(CODE + 2), (CSRRW_A0_SSCRATCH_A1 & 0xffff0000u) | PATCH_C_EBREAK);
	REGS.pc = VA_CODE + 2;
	REGS.x[A1] = 5;
	trap(EXC_BREAKPOINT, VA_CODE + 2);
	assert_int_equal(VCSR.sscratch, 5);
	assert_int_equal(REGS.pc, VA_CODE + 6);
}

/* Trapeze's own write (SBI shared memory, a device's used ring) into a
 * patched frame undoes its patches, like a guest store. */
static void test_engine_trap_patch_host_write_undoes_frame(void **state)
{
	(void)state;
	uint64_t val = 0x1234;

	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	/* Elsewhere: nothing happens. */
	assert_true(guestmem_write(&vm, DATA_GPA, &val, 8));
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	assert_true(guestmem_write(&vm, CODE + 0x800, &val, 8));
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_HOST_WRITE], 1);
	assert_int_equal(patches()->stats.sites_undone, 1);
	assert_int_equal(patches()->nsites, 0);
	/* A breakpoint there now is the guest's own, if the guest put one. */
	put32(CODE, PATCH_EBREAK);
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_injected(EXC_BREAKPOINT, VA_CODE, VA_CODE, STVEC_BASE);
}

/* A hart trapping on a breakpoint of the copy while another undoes the
 * frame (a vCPU going Bare, a store, a device) finds no site: the
 * original bytes are no breakpoint, so the instruction is run again (from
 * the original now), never reflected as the guest's own. */
static void test_engine_trap_patch_breakpoint_of_undone_patch_retried(void **state)
{
	(void)state;
	uint64_t val = 0;

	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + 4, 0x9002);                        /* the guest's own c.ebreak */
	trap(EXC_ILLEGAL_INST, 0);
	assert_true(guestmem_write(&vm, CODE + 0x800, &val, 8));    /* undone */
	assert_int_equal(patches()->nsites, 0);
	VCSR.scause = 0;
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE);
	assert_int_equal(VCSR.scause, 0);
	assert_int_equal(patches()->stats.stale, 1);
	/* The guest's own C.EBREAK next to it is reflected. */
	REGS.pc = VA_CODE + 4;
	trap(EXC_BREAKPOINT, VA_CODE + 4);
	assert_injected(EXC_BREAKPOINT, VA_CODE + 4, VA_CODE + 4, STVEC_BASE);
}

/* A host device's DMA into the frame (virtio-blk reading a block there). */
static void test_engine_trap_patch_dma_undoes_frame(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(guestmem_dma_addr(&vm, DATA_GPA, 512), hostmem_pa(ram_host(DATA_GPA)));
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(guestmem_dma_addr(&vm, CODE + 0x200, 512), hostmem_pa(ram_host(CODE + 0x200)));
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_HOST_WRITE], 1);
}

/* A long write (a module loaded) over several patched frames. */
static void test_engine_trap_patch_long_host_write_undoes_every_frame(void **state)
{
	(void)state;
	static uint8_t zero[2 << 20];

	patching_vm();
	put_pte(PT_L0, (VA_CODE >> 12) + 1, pte_make(CODE + PAGE_SIZE, PTE_V | PTE_A | PTE_D | PTE_R | PTE_X));
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + PAGE_SIZE, CSRRW_A0_SSCRATCH_A1);
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE + PAGE_SIZE;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(patches()->nframes, 2);
	assert_true(guestmem_write(&vm, CODE - PAGE_SIZE, zero, sizeof(zero)));
	assert_int_equal(patches()->nframes, 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_HOST_WRITE], 2);
}

/* While a pin is held (DMA may be in flight) no frame is patched: the
 * copy could miss the device's bytes. The next execution patches it. */
static void test_engine_trap_patch_refused_while_pinned(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	assert_non_null(guestmem_pin(&vm, DATA_GPA, 8));
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.pc, VA_CODE + 4);         /* emulated all the same */
	assert_int_equal(patches()->stats.busy, 1);
	assert_int_equal(patch_copy(&vm, CODE), 0);
	guestmem_unpin(&vm);
	REGS.pc = VA_CODE;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
}

/* Linux's trap entry: csrr sepc; csrr stval; csrr scause; csrw sscratch,
 * in a row: one breakpoint runs them all. */
static void test_engine_trap_patch_back_to_back_in_one_exit(void **state)
{
	(void)state;
	patching_vm_breakpoints_only();
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));
	put32(CODE + 4, enc_csr(CSR_STVAL, 0, 2, A1));
	put32(CODE + 8, enc_csr(CSR_SCAUSE, 0, 2, A2));
	put32(CODE + 12, enc_csr(CSR_SSCRATCH, 0, 1, 0));      /* csrw sscratch, x0 */
	put32(CODE + 16, INSN_NOP);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 4);
	VCSR.sepc = 0x111;
	VCSR.stval = 0x222;
	VCSR.scause = 0x333;
	VCSR.sscratch = 0x444;
	REGS.pc = VA_CODE;
	unsigned bps = (unsigned)vm.stats.trap_exc[EXC_BREAKPOINT];
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE + 16);
	assert_int_equal(REGS.x[A0], 0x111);
	assert_int_equal(REGS.x[A1], 0x222);
	assert_int_equal(REGS.x[A2], 0x333);
	assert_int_equal(VCSR.sscratch, 0);
	assert_int_equal(vm.stats.trap_exc[EXC_BREAKPOINT], bps + 1);
	assert_int_equal(patches()->stats.chained, 3);
	assert_int_equal(patches()->stats.exec_csr, 4);
	/* Entered in the middle (a jump there), the run starts there. */
	REGS.pc = VA_CODE + 8;
	trap(EXC_BREAKPOINT, VA_CODE + 8);
	assert_int_equal(REGS.pc, VA_CODE + 16);
}

/* An interrupt that becomes deliverable after one site is taken at that
 * boundary, as on bare hardware: the run stops there. */
static void test_engine_trap_patch_back_to_back_stops_for_interrupt(void **state)
{
	(void)state;
	patching_vm_breakpoints_only();
	put32(CODE, enc_csr(CSR_SSTATUS, 2, 6, 0));             /* csrsi sstatus, SIE */
	put32(CODE + 4, enc_csr(CSR_SEPC, 0, 2, A0));
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 2);
	VCSR.sstatus &= ~SSTATUS_SIE;
	VCSR.sie = MIP_SSIP;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_int_equal(patches()->stats.chained, 0);
	/* Without one pending, the two run together. */
	vcpu_lower_irq(&vcpu, VIRQ_SOFT);
	VCSR.sstatus &= ~SSTATUS_SIE;
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE + 8);
	assert_int_equal(patches()->stats.chained, 1);
}

/* After a patched access that changed nothing trap_enter loads, the vCPU
 * may resume in place (dispatch_trap skips the resume path); after one
 * that moved SUM (another view), made an interrupt deliverable, or was
 * not a chainable CSR access (SRET), it may not; and the answer is given
 * once per exit. */
static void test_engine_trap_patch_stays_loaded(void **state)
{
	(void)state;
	patching_vm_breakpoints_only();
	put32(CODE, enc_csr(CSR_SSCRATCH, 0, 2, A0));           /* csrr a0, sscratch */
	put32(CODE + 8, enc_csr(CSR_SSTATUS, A1, 2, 0));        /* csrs sstatus, a1 */
	put32(CODE + 16, INSN_SRET);
	for (uint64_t off = 0; off <= 16; off += 8) {
		REGS.pc = VA_CODE + off;
		trap(EXC_ILLEGAL_INST, 0);
	}
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 3);
	TV.vpriv = VPRIV_S;                 /* the SRET found above left vS */
	engine_trap.enter(&vcpu);

	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_true(engine_trap.stays_loaded(&vcpu));
	assert_false(engine_trap.stays_loaded(&vcpu));           /* once per exit */

	/* SIE set with nothing pending: still in place. */
	REGS.x[A1] = SSTATUS_SIE;
	REGS.pc = VA_CODE + 8;
	trap(EXC_BREAKPOINT, VA_CODE + 8);
	assert_true(VCSR.sstatus & SSTATUS_SIE);
	assert_true(engine_trap.stays_loaded(&vcpu));

	/* SIE set with an enabled interrupt pending: the resume path must
	 * deliver it at this boundary. */
	VCSR.sstatus &= ~SSTATUS_SIE;
	VCSR.sie = MIP_SSIP;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);
	REGS.pc = VA_CODE + 8;
	trap(EXC_BREAKPOINT, VA_CODE + 8);
	assert_false(engine_trap.stays_loaded(&vcpu));
	vcpu_lower_irq(&vcpu, VIRQ_SOFT);

	/* SUM set: another shadow view, trap_enter must load it. */
	REGS.x[A1] = SSTATUS_SUM;
	REGS.pc = VA_CODE + 8;
	trap(EXC_BREAKPOINT, VA_CODE + 8);
	assert_false(engine_trap.stays_loaded(&vcpu));
	VCSR.sstatus &= ~SSTATUS_SUM;
	engine_trap.enter(&vcpu);

	/* SRET changes the privilege: never in place. */
	VCSR.sepc = VA_CODE;
	VCSR.sstatus |= SSTATUS_SPP;
	REGS.pc = VA_CODE + 16;
	trap(EXC_BREAKPOINT, VA_CODE + 16);
	assert_int_equal(REGS.pc, VA_CODE);
	assert_false(engine_trap.stays_loaded(&vcpu));
}

/* Only CSR accesses that always complete chain: a satp write changes the
 * translation the next site was found through. */
static void test_engine_trap_patch_back_to_back_stops_at_satp(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, enc_csr(CSR_SSCRATCH, 0, 2, A0));
	put32(CODE + 4, enc_csr(CSR_SATP, A1, 1, 0));           /* csrw satp, a1 */
	put32(CODE + 8, enc_csr(CSR_SEPC, 0, 2, A0));
	trap(EXC_ILLEGAL_INST, 0);
	REGS.x[A1] = GUEST_SATP;
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(REGS.pc, VA_CODE + 4);     /* stops before satp: not chainable */
	trap(EXC_BREAKPOINT, VA_CODE + 4);
	assert_int_equal(REGS.pc, VA_CODE + 8);     /* and after it */
}

/* Executions are counted by the form of their site (the fidelity suite's
 * forced mode asserts every form ran). */
static void test_engine_trap_patch_exec_counted_by_form(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + 0x102, CSRRW_A0_SSCRATCH_A1);
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE + 0x102;
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE;
	trap(EXC_BREAKPOINT, VA_CODE);
	REGS.pc = VA_CODE + 0x102;
	trap(EXC_BREAKPOINT, VA_CODE + 0x102);
	REGS.pc = VA_CODE + 0x102;
	trap(EXC_BREAKPOINT, VA_CODE + 0x102);
	assert_int_equal(patches()->stats.exec_form[PATCH_FORM_EBREAK], 1);
	assert_int_equal(patches()->stats.exec_form[PATCH_FORM_C_EBREAK], 2);
}

#define AMO_D(f5, rd, rs1, rs2) (0x2fu | (rd) << 7 | 3u << 12 | (rs1) << 15 | (rs2) << 20 | (uint32_t)(f5) << 27)

/* An LR from a patched page is not completed by Trapeze (the hardware
 * would lack the reservation and the guest's SC would fail): the frame is
 * undone and the LR retried on the original. */
static void test_engine_trap_patch_lr_undoes_frame(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + 0x10, AMO_D(0x02, A0, A1, 0));     /* lr.d a0, (a1) */
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	REGS.pc = VA_CODE + 0x10;
	REGS.x[A1] = VA_CODE + 0x800;
	trap(EXC_LOAD_PAGE_FAULT, VA_CODE + 0x800);
	assert_int_equal(REGS.pc, VA_CODE + 0x10);      /* retried */
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_READS], 1);
	assert_int_equal(VCSR.scause, 0);
}

/* An SC whose store reaches a patched frame (through a writable alias)
 * had its reservation (QEMU checks it first): the frame is undone and the
 * SC completed, as bare hardware completes it. */
static void test_engine_trap_patch_sc_store_completed_after_undo(void **state)
{
	(void)state;
	const uint64_t alias = VA_CODE + 2 * PAGE_SIZE;

	patching_vm();
	put_pte(PT_L0, alias >> 12, pte_make(CODE, PTE_V | PTE_A | PTE_D | PTE_R | PTE_W | PTE_X));
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	put32(CODE + 0x14, AMO_D(0x03, A0, A1, A2));    /* sc.d a0, a2, (a1) */
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	REGS.pc = VA_CODE + 0x14;
	REGS.x[A0] = 7;
	REGS.x[A1] = alias + 0x800;
	REGS.x[A2] = 0x1234;
	trap(EXC_STORE_PAGE_FAULT, alias + 0x800);
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_WRITE], 1);
	assert_int_equal(*(uint64_t *)ram_host(CODE + 0x800), 0x1234);
	assert_int_equal(REGS.x[A0], 0);
	assert_int_equal(REGS.pc, VA_CODE + 0x18);
}

/* A second vCPU of the VM, for the paging-off rule below. */
static struct vcpu vcpu2;
static struct vcpu_arch varch2;

static void second_vcpu(void)
{
	memset(&vcpu2, 0, sizeof(vcpu2));
	memset(&varch2, 0, sizeof(varch2));
	vcpu2.arch = &varch2;
	varch2.vcpu = &vcpu2;
	vcpu2.vm = &vm;
	vcpu2.engine = &engine_trap;
	vcpu2.state = VCPU_RUNNING;
	vm.vcpus[1] = &vcpu2;
	vm.nvcpus = 2;
	varch2.trap.vpriv = VPRIV_S;
	varch2.trap.csr.sstatus = SSTATUS_UXL_64;
}

/* A vCPU with paging off runs on the Bare view, which maps every frame
 * writable: before it runs, the VM's patches are undone (its stores would
 * reach a patched frame unseen), whichever vCPU made them. */
static void test_engine_trap_patch_bare_vcpu_undoes_every_patch(void **state)
{
	(void)state;
	patching_vm();
	second_vcpu();
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	/* Entering with paging on changes nothing. */
	varch2.trap.csr.satp = GUEST_SATP;
	engine_trap.enter(&vcpu2);
	engine_trap.leave(&vcpu2);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	/* Paging off (a satp write, an HSM start): undone first. */
	varch2.trap.csr.satp = 0;
	engine_trap.enter(&vcpu2);
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->nsites, 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_BARE], 1);
	engine_trap.leave(&vcpu2);
	vm.nvcpus = 1;
	vm.vcpus[1] = NULL;
}

/* While another vCPU may run with paging off, nothing is patched (the
 * site is emulated all the same); once it enters with paging on, the next
 * execution patches. The vCPU that found the site runs paged itself. */
static void test_engine_trap_patch_refused_while_a_vcpu_runs_bare(void **state)
{
	(void)state;
	patching_vm();
	second_vcpu();
	varch2.trap.csr.satp = 0;
	engine_trap.enter(&vcpu2);
	engine_trap.leave(&vcpu2);
	/* This vCPU ran bare before it turned paging on: no matter. */
	TV.runs_bare = true;
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	REGS.x[A1] = 0x55;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(VCSR.sscratch, 0x55);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(patches()->stats.bare, 1);
	varch2.trap.csr.satp = GUEST_SATP;
	engine_trap.enter(&vcpu2);
	engine_trap.leave(&vcpu2);
	REGS.pc = VA_CODE;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_not_equal(patch_copy(&vm, CODE), 0);
	vm.nvcpus = 1;
	vm.vcpus[1] = NULL;
}

/* ---- enter, leave, sync, resume ---------------------------------------- */

static void test_engine_trap_enter_sstatus(void **state)
{
	(void)state;
	/* Trapeze's own sstatus after a trap from U: SPIE, SUM... */
	fake_csr_set("sstatus", SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SUM | SSTATUS_MXR |
			       SSTATUS_FS_DIRTY | SSTATUS_VS | SSTATUS_UXL_32);
	VCSR.sstatus = SSTATUS_UXL_32 | SSTATUS_FS_CLEAN | SSTATUS_SUM | SSTATUS_SIE;
	engine_trap.enter(&vcpu);
	/* vS runs at SXL = 64, with the guest's FS and nothing else of it. */
	assert_int_equal(fake_csr_get("sstatus"), SSTATUS_UXL_64 | SSTATUS_FS_CLEAN);
	TV.vpriv = VPRIV_U;
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_get("sstatus"), SSTATUS_UXL_32 | SSTATUS_FS_CLEAN);
	assert_int_equal(vm.stats.world_switches, 2);
}

static void test_engine_trap_enter_scounteren_and_senvcfg(void **state)
{
	(void)state;
	VCSR.scounteren = 0x5;
	VCSR.senvcfg = 0x1;
	engine_trap.enter(&vcpu);
	/* cycle and instret always trap: the vCPU's virtual counters. */
	assert_int_equal(fake_csr_get("scounteren"), ~COUNTEREN_VIRTUAL);
	assert_int_equal(fake_csr_get("0x10a"), 0);
	TV.vpriv = VPRIV_U;
	VCSR.scounteren = 0x7;
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_get("scounteren"), 0x2);
	assert_int_equal(fake_csr_get("0x10a"), 0x1);
}

static void test_engine_trap_enter_writes_satp_only_when_it_changes(void **state)
{
	(void)state;
	struct trap_vm *a = trap_vm_of(&vm);

	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_write_count("satp"), 1);
	assert_int_equal(fake_csr_get("satp"), mmu_satp(a->bare_root, a->bare_asid));
	assert_int_equal(harts[0].live_satp, fake_csr_get("satp"));
	assert_int_not_equal(a->bare_asid, 0);
	assert_int_equal(fake_csr.nfences, 0);      /* a host ASID of its own */
	engine_trap.enter(&vcpu);
	TV.vpriv = VPRIV_U;                         /* Bare: the same view for vU */
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_write_count("satp"), 1);

	/* Paging on: the shadow root, with Trapeze's entry in it. */
	paging_on();
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_write_count("satp"), 2);
	uint64_t satp = fake_csr_get("satp");
	assert_int_equal(satp >> SATP_MODE_SHIFT, SATP_MODE_SV57);
	assert_int_not_equal(satp & SATP_PPN_MASK, a->bare_root >> 12);
	assert_int_equal(((uint64_t *)hostmem_va((satp & SATP_PPN_MASK) << 12))[TRAPEZE_ROOT_INDEX],
			 TRAPEZE_ENTRY);
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_write_count("satp"), 2);
}

static void test_engine_trap_enter_without_asids_fences(void **state)
{
	(void)state;
	engine_trap.vm_destroy(&vm);
	host_csr.satp_asid_mask = 0;
	assert_int_equal(engine_trap.vm_init(&vm), 0);
	fake_csr.nfences = 0;
	engine_trap.enter(&vcpu);
	assert_int_equal(trap_vm_of(&vm)->bare_asid, 0);
	assert_int_equal(fake_csr.nfences, 1);
	assert_int_equal(fake_csr.fences[0].all_va, 1);
	assert_int_equal(fake_csr.fences[0].all_asid, 1);
}

static void test_engine_trap_enter_loads_fp_leave_saves_it(void **state)
{
	(void)state;
	struct vcpu other = { 0 };

	/* FS = Off: the FP registers are not the guest's business. */
	engine_trap.enter(&vcpu);
	assert_int_equal(fp_loads, 0);
	assert_null(harts[0].fp_owner);

	harts[0].fp_owner = &other;
	VCSR.sstatus |= SSTATUS_FS_INITIAL;
	engine_trap.enter(&vcpu);
	assert_int_equal(fp_saves, 1);
	assert_ptr_equal(fp_saved_of, &other);
	assert_int_equal(fp_loads, 1);
	assert_ptr_equal(harts[0].fp_owner, &vcpu);
	engine_trap.enter(&vcpu);
	assert_int_equal(fp_loads, 1);

	engine_trap.leave(&vcpu);
	assert_int_equal(fp_saves, 2);
	assert_ptr_equal(fp_saved_of, &vcpu);
	assert_null(harts[0].fp_owner);
}

static void test_engine_trap_sync_marks_fs_dirty(void **state)
{
	(void)state;
	put32(CODE, INSN_NOP);
	VCSR.sstatus = SSTATUS_UXL_64 | SSTATUS_FS_CLEAN;
	fake_csr_set("sstatus", SSTATUS_FS_DIRTY);
	trap(EXC_BREAKPOINT, 0);
	assert_int_equal(VCSR.sstatus & SSTATUS_FS, SSTATUS_FS_DIRTY);
	assert_true(vcsr_sstatus_read(&vcpu) & SSTATUS_SD);
	/* FS = Off stays Off, whatever the hardware says. */
	VCSR.sstatus = SSTATUS_UXL_64;
	trap(EXC_BREAKPOINT, 0);
	assert_int_equal(VCSR.sstatus & SSTATUS_FS, SSTATUS_FS_OFF);
}

static void test_engine_trap_dispatch_host_irqs_leave_guest_alone(void **state)
{
	(void)state;
	fake_csr_set("sip", MIP_SSIP);
	trap(CAUSE_INTERRUPT | IRQ_S_SOFT, 0);
	assert_int_equal(fake_csr_get("sip"), 0);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_int_equal(timer_irqs, 1);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_SOFT], 1);
	assert_int_equal(vm.stats.trap_irq[IRQ_S_TIMER], 1);
	assert_int_equal(REGS.pc, CODE);
	assert_int_equal(VCSR.scause, 0);
}

static void test_engine_trap_vcpu_resume_op(void **state)
{
	(void)state;
	TV.vpriv = VPRIV_U;
	VCSR.satp = GUEST_SATP;
	VCSR.sstatus |= SSTATUS_SIE | SSTATUS_SUM;
	VCSR.sie = MIP_STIP;
	vcpu_resume_regs(&vcpu, 0xabc);
	assert_int_equal(TV.vpriv, VPRIV_S);
	assert_int_equal(VCSR.satp, 0);
	assert_int_equal(VCSR.sstatus, SSTATUS_UXL_64 | SSTATUS_SUM);
	assert_int_equal(VCSR.sie, MIP_STIP);
	assert_int_equal(REGS.x[A1], 0xabc);
}

static void test_engine_trap_vm_destroy_frees_every_table(void **state)
{
	(void)state;
	/* Tables of every kind: Bare-view pages and a shadow. */
	trap(EXC_LOAD_PAGE_FAULT, CHUNK3);
	paging_on();
	trap(EXC_LOAD_PAGE_FAULT, VA_DATA);
	engine_trap.enter(&vcpu);
	assert_true(fake_frames_live > 3);
	engine_trap.vm_destroy(&vm);
	assert_null(vm.engine_vm);
	assert_int_equal(fake_csr_get("satp"), BOOT_SATP);
	/* Only the real map table's bookkeeping is left, until guestmem's turn. */
	assert_int_equal(fake_frames_live, vm.realmap.nram);
	guestmem_destroy(&vm);
	assert_int_equal(fake_frames_live, 0);
}

/* ---- issue 13: SMP guests on shared shadows ---------------------------- */

#define VA_USER     0x40000ULL      /* a user page (U = 1) of the address space */

/* The leaf for va under the root of a host satp (0 when none). */
static uint64_t host_leaf(uint64_t satp, uint64_t va)
{
	uint64_t pa = (satp & SATP_PPN_MASK) << 12;

	for (unsigned l = 4; ; l--) {
		uint64_t pte = ((uint64_t *)hostmem_va(pa))[pt_index(va, l)];
		if (!(pte & PTE_V) || pte_is_leaf(pte))
			return pte & PTE_V ? pte : 0;
		if (l == 0)
			return 0;
		pa = pte_pa(pte);
	}
}

/* ---- the x0 form (patch_decide.h) */

#define X0_PT_L1    0x80303000ULL   /* the guest's own tables for PATCH_X0_VA, when a test maps it */
#define X0_PT_L0    0x80304000ULL

static uint32_t x0_load(unsigned csr, unsigned rd)
{
	return patch_x0_insn(enc_csr(csr, 0, 2, rd), PATCH_FORM_X0_LOAD);
}

static uint32_t x0_store(unsigned csr, unsigned rs)
{
	return patch_x0_insn(enc_csr(csr, rs, 1, 0), PATCH_FORM_X0_STORE);
}

/* Plain reads and writes of sscratch, sepc, scause and stval become
 * loads and stores with base x0 (writes only where the probe found the
 * real CSR plain); swaps and other CSRs keep breakpoints; the trapping
 * one is emulated as before. */
static void test_engine_trap_patch_x0_forms_written(void **state)
{
	(void)state;
	host_csr.x0_plain = 1u << PATCH_X0_SSCRATCH;    /* sscratch only */
	patching_vm();
	assert_int_equal(patches()->x0, PATCH_X0_READS | PATCH_X0_WRITE(PATCH_X0_SSCRATCH));
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));               /* csrr a0, sepc */
	put32(CODE + 4, enc_csr(CSR_SSCRATCH, A1, 1, 0));       /* csrw sscratch, a1 */
	put32(CODE + 8, enc_csr(CSR_STVAL, A1, 1, 0));          /* csrw stval, a1: not plain here */
	put32(CODE + 12, CSRRW_A0_SSCRATCH_A1);                 /* a swap */
	put32(CODE + 16, enc_csr(CSR_SSTATUS, 0, 2, A2));       /* csrr a2, sstatus */
	put32(CODE + 20, INSN_SRET);
	VCSR.sepc = 0x1230;
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x1230);
	assert_int_equal(REGS.pc, VA_CODE + 4);
	assert_int_equal(copy32(CODE), x0_load(CSR_SEPC, A0));
	assert_int_equal(copy32(CODE + 4), x0_store(CSR_SSCRATCH, A1));
	assert_int_equal(copy32(CODE + 8), PATCH_EBREAK);
	assert_int_equal(copy32(CODE + 12), PATCH_EBREAK);
	assert_int_equal(copy32(CODE + 16), PATCH_EBREAK);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_X0_LOAD], 1);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_X0_STORE], 1);
	assert_int_equal(patches()->stats.patched[PATCH_FORM_EBREAK], 4);
	/* Guest RAM keeps the original. */
	assert_int_equal(*(uint32_t *)ram_host(CODE), enc_csr(CSR_SEPC, 0, 2, A0));
}

/* The x0 page holds the four CSRs while the guest runs: written at every
 * entry, read back at every exit, so an x0 store the guest made in
 * between is what the vCSR holds after it. */
static void test_engine_trap_patch_x0_page_synced_at_entry_and_exit(void **state)
{
	(void)state;
	host_csr.x0_plain = 0xf;
	patching_vm();
	uint64_t *x = patches()->x0_slots;
	VCSR.sscratch = 1;
	VCSR.sepc = 2;
	VCSR.scause = 3;
	VCSR.stval = 4;
	engine_trap.enter(&vcpu);
	assert_int_equal(x[PATCH_X0_SSCRATCH], 1);
	assert_int_equal(x[PATCH_X0_SEPC], 2);
	assert_int_equal(x[PATCH_X0_SCAUSE], 3);
	assert_int_equal(x[PATCH_X0_STVAL], 4);
	/* The page is the top page's second half: where `ld rd, -2048(x0)`.. go. */
	assert_ptr_equal((uint8_t *)x, (uint8_t *)hostmem_va(patches()->x0_page) + 0x800);
	/* The guest stores (`sd a1, -2048(x0)`, `sd x0, -2024(x0)`), then an exit. */
	x[PATCH_X0_SSCRATCH] = 0x55;
	x[PATCH_X0_STVAL] = 0;
	dispatch_handle(&vcpu, CAUSE_INTERRUPT | IRQ_S_SOFT, 0);
	assert_int_equal(VCSR.sscratch, 0x55);
	assert_int_equal(VCSR.sepc, 2);
	assert_int_equal(VCSR.stval, 0);
	assert_int_equal(patches()->stats.x0_stores_seen, 1);
	/* An injected trap writes sepc/scause/stval; the next entry shows them. */
	VCSR.stvec = STVEC_BASE;
	put32(CODE + 0x200, INSN_MRET);
	REGS.pc = VA_CODE + 0x200;
	trap(EXC_ILLEGAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, INSN_MRET, VA_CODE + 0x200, STVEC_BASE);
	engine_trap.enter(&vcpu);
	assert_int_equal(x[PATCH_X0_SEPC], VCSR.sepc);
	assert_int_equal(x[PATCH_X0_SCAUSE], VCSR.scause);
	/* And the in-place resume after a patched access writes them too. */
	put32(CODE, CSRRW_A0_SSCRATCH_A1);
	REGS.pc = VA_CODE;
	VCSR.sstatus &= ~SSTATUS_SPP;
	TV.vpriv = VPRIV_S;
	REGS.x[A1] = 0x66;
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE;
	REGS.x[A1] = 0x77;
	engine_trap.enter(&vcpu);
	dispatch_handle(&vcpu, EXC_BREAKPOINT, VA_CODE);
	assert_int_equal(VCSR.sscratch, 0x77);
	assert_true(engine_trap.stays_loaded(&vcpu));
	assert_int_equal(x[PATCH_X0_SSCRATCH], 0x77);
}

/* An x0 site's first access in a view faults: the view gets the x0 page
 * at PATCH_X0_VA (read-write, not executable, not global). Any other
 * access there, where the guest maps nothing, is the guest's page fault. */
static void test_engine_trap_patch_x0_fault_maps_the_page(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));
	put32(CODE + 0x100, enc_i(0, 0, LOAD_LD, A0, 0x03));    /* the guest's own ld a0, 0(x0)... */
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE;
	engine_trap.enter(&vcpu);
	trap(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x808);
	assert_int_equal(REGS.pc, VA_CODE);                     /* retried */
	assert_int_equal(patches()->stats.x0_load_faults, 1);
	uint64_t leaf = host_leaf(TV.host_satp, PATCH_X0_VA);
	assert_int_equal(pte_pa(leaf), patches()->x0_page);
	assert_int_equal(leaf & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_G), PTE_R | PTE_W | PTE_U);
	/* ...at an address only an x0 site may reach unfaulted. */
	VCSR.stvec = STVEC_BASE;
	REGS.pc = VA_CODE + 0x100;
	trap(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x900);
	assert_injected(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x900, VA_CODE + 0x100, STVEC_BASE);
	assert_int_equal(patches()->stats.x0_load_faults, 1);
	/* An SFENCE.VMA for that address drops it like any entry. */
	vcpu_flush_guest_tlb(&vcpu, PATCH_X0_VA, PAGE_SIZE, 3);
	assert_int_equal(host_leaf(TV.host_satp, PATCH_X0_VA), 0);
}

/* The guest maps PATCH_X0_VA itself: the x0 form goes (its patches are
 * undone, the x0 page leaves every view), and the access reaches the
 * guest's page. */
static void test_engine_trap_patch_x0_hidden_when_guest_maps_it(void **state)
{
	(void)state;
	patching_vm();
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));
	trap(EXC_ILLEGAL_INST, 0);
	REGS.pc = VA_CODE;
	engine_trap.enter(&vcpu);
	trap(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x808);
	assert_int_equal(pte_pa(host_leaf(TV.host_satp, PATCH_X0_VA)), patches()->x0_page);
	/* Sv39: VPN[2] = VPN[1] = VPN[0] = 511. */
	put_pte(PT_ROOT, 511, pte_make(X0_PT_L1, PTE_V));
	put_pte(X0_PT_L1, 511, pte_make(X0_PT_L0, PTE_V));
	put_pte(X0_PT_L0, 511, pte_make(DATA_GPA, PTE_V | PTE_A | PTE_D | PTE_R | PTE_W));
	vcpu_flush_guest_tlb(&vcpu, PATCH_X0_VA, PAGE_SIZE, 3);
	trap(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x808);
	assert_int_equal(patches()->x0, 0);
	assert_int_equal(patches()->stats.undone[PATCH_UNDO_X0_MAPPED], 1);
	assert_int_equal(patch_copy(&vm, CODE), 0);
	assert_int_equal(REGS.pc, VA_CODE);
	engine_trap.enter(&vcpu);
	trap(EXC_LOAD_PAGE_FAULT, PATCH_X0_VA + 0x808);
	struct realmap_entry e;
	assert_int_equal(realmap_lookup(&vm.realmap, DATA_GPA, &e), REALMAP_RAM);
	assert_int_equal(pte_pa(host_leaf(TV.host_satp, PATCH_X0_VA)), e.hpa);
	/* Found again by execution, the site now takes a breakpoint. */
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(copy32(CODE), PATCH_EBREAK);
	/* A reset brings the form back. */
	engine_trap.vm_reset(&vm);
	assert_int_not_equal(patches()->x0, 0);
}

/* `patching = on` has no x0 form (it makes the top page reachable where
 * the guest maps nothing: README, Patching); `x0` asks for it. */
static void test_engine_trap_patch_x0_only_when_asked(void **state)
{
	(void)state;
	engine_trap.vm_destroy(&vm);
	desc.patching = BOOTINFO_PATCHING_ON;
	assert_int_equal(engine_trap.vm_init(&vm), 0);
	assert_true(patches()->enabled);
	assert_int_equal(patches()->x0, 0);
	assert_int_equal(patches()->x0_page, 0);
	paging_on();
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(copy32(CODE), PATCH_EBREAK);
}

/* Shadows are shared by a VM's vCPUs: with several, no x0 form. */
static void test_engine_trap_patch_x0_single_vcpu_only(void **state)
{
	(void)state;
	engine_trap.vm_destroy(&vm);
	second_vcpu();
	desc.patching = BOOTINFO_PATCHING_X0;
	assert_int_equal(engine_trap.vm_init(&vm), 0);
	assert_int_equal(patches()->x0, 0);
	assert_int_equal(trap_vm_of(&vm)->shadow_ops.x0_page, 0);
	paging_on();
	put32(CODE, enc_csr(CSR_SEPC, 0, 2, A0));
	trap(EXC_ILLEGAL_INST, 0);
	assert_int_equal(copy32(CODE), PATCH_EBREAK);
}

/* Two vCPUs of one VM on one address space: vCPU 0 runs with SUM = 1 and
 * touches a user page; vCPU 1, SUM = 0, runs on a root without it and
 * its access is the guest's page fault, as on bare hardware, where SUM
 * is per hart. Before issue 13 both ran on one S view, and vCPU 1 went
 * straight through vCPU 0's entry. */
static void test_engine_trap_sum_is_per_vcpu(void **state)
{
	(void)state;
	paging_on();
	put_pte(PT_L0, VA_USER >> 12, pte_make(DATA_GPA + PAGE_SIZE, PTE_V | PTE_A | PTE_D | PTE_R | PTE_W | PTE_U));
	second_vcpu();
	varch2.trap.csr.satp = GUEST_SATP;
	varch2.regs.pc = VA_CODE;
	varch2.trap.csr.stvec = STVEC_BASE;

	VCSR.sstatus |= SSTATUS_SUM;
	trap(EXC_LOAD_PAGE_FAULT, VA_USER);
	assert_int_equal(REGS.pc, VA_CODE);             /* filled: retried */
	assert_int_equal(VCSR.scause, 0);
	engine_trap.enter(&vcpu);
	uint64_t satp0 = TV.host_satp;
	assert_true(host_leaf(satp0, VA_USER) & PTE_R);
	engine_trap.leave(&vcpu);

	engine_trap.enter(&vcpu2);
	assert_int_not_equal(varch2.trap.host_satp, satp0);
	assert_int_equal(host_leaf(varch2.trap.host_satp, VA_USER), 0);
	engine_trap.leave(&vcpu2);
	dispatch_handle(&vcpu2, EXC_LOAD_PAGE_FAULT, VA_USER);
	assert_int_equal(varch2.trap.csr.scause, EXC_LOAD_PAGE_FAULT);
	assert_int_equal(varch2.trap.csr.stval, VA_USER);
	assert_int_equal(varch2.regs.pc, STVEC_BASE);
	/* vCPU 0's entry is still there for it. */
	engine_trap.enter(&vcpu);
	assert_int_equal(TV.host_satp, satp0);
	assert_true(host_leaf(satp0, VA_USER) & PTE_R);
	engine_trap.leave(&vcpu);
	vm.nvcpus = 1;
	vm.vcpus[1] = NULL;
}

/* A SUM write drops nothing: the next entry runs on the view SUM names,
 * and turning it back on finds the user page still mapped there. */
static void test_engine_trap_sum_toggle_switches_root_drops_nothing(void **state)
{
	(void)state;
	paging_on();
	put_pte(PT_L0, VA_USER >> 12, pte_make(DATA_GPA + PAGE_SIZE, PTE_V | PTE_A | PTE_D | PTE_R | PTE_W | PTE_U));
	VCSR.sstatus |= SSTATUS_SUM;
	trap(EXC_LOAD_PAGE_FAULT, VA_USER);
	engine_trap.enter(&vcpu);
	uint64_t with_sum = TV.host_satp;
	engine_trap.leave(&vcpu);
	put32(CODE, enc_csr(CSR_SSTATUS, A1, 3, 0));     /* csrc sstatus, a1 */
	REGS.x[A1] = SSTATUS_SUM;
	trap(EXC_ILLEGAL_INST, 0);
	assert_false(VCSR.sstatus & SSTATUS_SUM);
	engine_trap.enter(&vcpu);
	assert_int_not_equal(TV.host_satp, with_sum);
	assert_int_equal(host_leaf(TV.host_satp, VA_USER), 0);
	engine_trap.leave(&vcpu);
	assert_int_equal(trap_vm_of(&vm)->shadow.stats.dropped, 0);
	VCSR.sstatus |= SSTATUS_SUM;
	engine_trap.enter(&vcpu);
	assert_int_equal(TV.host_satp, with_sum);
	assert_true(host_leaf(with_sum, VA_USER) & PTE_R);
	engine_trap.leave(&vcpu);
}

/* A vCPU leaving its hart takes the hart off the VM's tables before its
 * hold on the shadow goes: once unheld, the root may be recycled and its
 * page reused, and Trapeze runs through the root in satp. */
static void test_engine_trap_leave_takes_hart_off_vm_tables(void **state)
{
	(void)state;
	paging_on();
	trap(EXC_LOAD_PAGE_FAULT, VA_DATA);
	engine_trap.enter(&vcpu);
	assert_int_equal(fake_csr_get("satp"), TV.host_satp);
	assert_int_not_equal(TV.host_satp, BOOT_SATP);
	engine_trap.leave(&vcpu);
	assert_int_equal(fake_csr_get("satp"), BOOT_SATP);
	assert_int_equal(harts[0].live_satp, BOOT_SATP);
	/* The Bare view's root too (a reset frees it). */
	VCSR.satp = 0;
	engine_trap.enter(&vcpu);
	assert_int_not_equal(fake_csr_get("satp"), BOOT_SATP);
	engine_trap.leave(&vcpu);
	assert_int_equal(fake_csr_get("satp"), BOOT_SATP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_engine_trap_csr_rw_emulated_on_virtual_file),
		T(test_engine_trap_csr_immediate_clear_keeps_other_bits),
		T(test_engine_trap_csr_read_sip_shows_virq_ext),
		T(test_engine_trap_machine_csr_from_vs_reflected),
		T(test_engine_trap_csr_from_vu_reflected),
		T(test_engine_trap_compressed_insn_reflected_with_its_bits),
		T(test_engine_trap_unknown_insn_reflected_with_its_bits),
		T(test_engine_trap_mret_reflected_as_illegal),
		T(test_engine_trap_illegal_unfetchable_keeps_hw_stval),
		T(test_engine_trap_csr_insn_across_pages_emulated),
		T(test_engine_trap_satp_unsupported_mode_ignored),
		T(test_engine_trap_sret_to_vu),
		T(test_engine_trap_sret_to_vs),
		T(test_engine_trap_sret_from_vu_reflected),
		T(test_engine_trap_wfi_blocks_without_pending_irq),
		T(test_engine_trap_sfence_vma_flushes_shadows),
		T(test_engine_trap_flush_range_page_by_page),
		T(test_engine_trap_ecall_from_vu_injected_as_user_ecall),
		T(test_engine_trap_ecall_from_vs_goes_to_sbi),
		T(test_engine_trap_ecall_sbi_jump_and_halt),
		T(test_engine_trap_inject_interrupt_vectored),
		T(test_engine_trap_inject_interrupt_direct),
		T(test_engine_trap_inject_undelegated_exception_raw_stvec),
		T(test_engine_trap_inject_delegated_exception_masks_mode),
		T(test_engine_trap_inject_redirected_forces_raw_stvec),
		T(test_engine_trap_inject_moves_sie_to_spie),
		T(test_engine_trap_deliver_irq_priority_sei_ssi_sti),
		T(test_engine_trap_deliver_irq_none_in_vs_with_sie_clear),
		T(test_engine_trap_deliver_irq_in_vu_regardless_of_sie),
		T(test_engine_trap_deliver_irq_needs_sie_bit),
		T(test_engine_trap_bare_view_maps_loaded_chunk_at_init),
		T(test_engine_trap_bare_load_fault_maps_zeroed_chunk),
		T(test_engine_trap_bare_fault_partial_chunk_maps_pages),
		T(test_engine_trap_bare_firmware_region_never_mapped),
		T(test_engine_trap_bare_fault_scattered_chunk_maps_pages),
		T(test_engine_trap_bare_load_outside_everything_access_fault),
		T(test_engine_trap_bare_store_outside_everything_access_fault),
		T(test_engine_trap_bare_fetch_outside_everything_access_fault),
		T(test_engine_trap_bare_fetch_from_mmio_access_fault),
		T(test_engine_trap_bare_mmio_load_dispatched),
		T(test_engine_trap_bare_mmio_store_dispatched),
		T(test_engine_trap_bare_mmio_compressed_load_steps_two),
		T(test_engine_trap_bare_mmio_misaligned_load_split),
		T(test_engine_trap_bare_mmio_rejected_access_fault),
		T(test_engine_trap_bare_mmio_halt_keeps_pc),
		T(test_engine_trap_bare_fault_out_of_memory_stops_vm),
		T(test_engine_trap_paging_insn_fetched_through_guest_tables),
		T(test_engine_trap_paging_fetch_cache_holds_two_pages),
		T(test_engine_trap_paging_load_fault_fills_shadow),
		T(test_engine_trap_paging_unmapped_is_guest_page_fault),
		T(test_engine_trap_paging_mmio_through_guest_tables),
		T(test_engine_trap_patch_first_execution_patches_copy),
		T(test_engine_trap_patch_fences_icache_on_every_hart),
		T(test_engine_trap_remote_fence_i_only_where_the_target_runs),
		T(test_engine_trap_patch_2_mod_4_site_c_ebreak),
		T(test_engine_trap_patch_host_write_undoes_frame),
		T(test_engine_trap_patch_dma_undoes_frame),
		T(test_engine_trap_patch_long_host_write_undoes_every_frame),
		T(test_engine_trap_patch_refused_while_pinned),
		T(test_engine_trap_patch_back_to_back_in_one_exit),
		T(test_engine_trap_patch_back_to_back_stops_for_interrupt),
		T(test_engine_trap_patch_back_to_back_stops_at_satp),
		T(test_engine_trap_patch_stays_loaded),
		T(test_engine_trap_patch_exec_counted_by_form),
		T(test_engine_trap_mmio_amo_lr_sc),
		T(test_engine_trap_patch_x0_forms_written),
		T(test_engine_trap_patch_x0_page_synced_at_entry_and_exit),
		T(test_engine_trap_patch_x0_fault_maps_the_page),
		T(test_engine_trap_patch_x0_hidden_when_guest_maps_it),
		T(test_engine_trap_patch_x0_single_vcpu_only),
		T(test_engine_trap_patch_x0_only_when_asked),
		T(test_engine_trap_patch_lr_undoes_frame),
		T(test_engine_trap_patch_breakpoint_of_undone_patch_retried),
		T(test_engine_trap_patch_sc_store_completed_after_undo),
		T(test_engine_trap_patch_bare_vcpu_undoes_every_patch),
		T(test_engine_trap_patch_refused_while_a_vcpu_runs_bare),
		T(test_engine_trap_enter_sstatus),
		T(test_engine_trap_enter_scounteren_and_senvcfg),
		T(test_engine_trap_enter_writes_satp_only_when_it_changes),
		T(test_engine_trap_enter_without_asids_fences),
		T(test_engine_trap_enter_loads_fp_leave_saves_it),
		T(test_engine_trap_sync_marks_fs_dirty),
		T(test_engine_trap_dispatch_host_irqs_leave_guest_alone),
		T(test_engine_trap_vcpu_resume_op),
		T(test_engine_trap_vm_destroy_frees_every_table),
		T(test_engine_trap_sum_is_per_vcpu),
		T(test_engine_trap_sum_toggle_switches_root_drops_nothing),
		T(test_engine_trap_leave_takes_hart_off_vm_tables),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
