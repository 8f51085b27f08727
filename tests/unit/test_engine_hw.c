/*
 * The hw engine on the host: its trap handlers and ops, driven through the
 * dispatcher (dispatch_handle) over the fake CSR layer, which holds the VS
 * CSRs, hstatus, hvip, htval/htinst and hgatp by number, answers HLV/HLVX
 * from fake_guest_mem and records hfences. Guest RAM is aligned host
 * memory in the VM's real map table, and fake_guest_mem is that same
 * memory (the guest runs Bare: guest-virtual = guest-physical), so an
 * HLVX fetch reads what the loader wrote. G-stage and page-table frames
 * come from a fake frame allocator that counts them.
 *
 * Faked here: what lies outside the engine (SBI, device models, the
 * scheduler, the timer, FP registers (fp.S is assembly), the console,
 * statistics lines), the probe fixup (as probe.c does it: fake_hlv sets
 * this_hart()->probe_faulted) and the boot tables.
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
#include "arch/riscv/decode.h"
#include "arch/riscv/dispatch.h"
#include "arch/riscv/engine_hw.h"
#include "arch/riscv/fp.h"
#include "arch/riscv/gstage.h"
#include "arch/riscv/hart.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/pmu.h"
#include "arch/riscv/pgtable.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/sbi_host.h"
#include "arch/riscv/vcpu_arch.h"
#include "core/console.h"
#include "core/frame.h"
#include "core/guestmem.h"
#include "core/hostmem.h"
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

/* The fake CSR layer's names: what csr.h stringifies (engine_hw.c uses the
 * H CSRs by number). */
#define SSTATUS     "sstatus"
#define SCOUNTEREN  "scounteren"
#define SENVCFG     "0x10a"
#define VSSTATUS    "0x200"
#define VSIE        "0x204"
#define VSTVEC      "0x205"
#define VSSCRATCH   "0x240"
#define VSEPC       "0x241"
#define VSCAUSE     "0x242"
#define VSTVAL      "0x243"
#define VSTIMECMP   "0x24d"
#define VSATP       "0x280"
#define HSTATUS     "0x600"
#define HEDELEG     "0x602"
#define HIDELEG     "0x603"
#define HCOUNTEREN  "0x606"
#define HENVCFG     "0x60a"
#define HTVAL       "0x643"
#define HVIP        "0x645"
#define HTINST      "0x64a"
#define HGATP       "0x680"

#define HENVCFG_PBMTE   (1ULL << 62)
#define HSTATUS_VSXL_64 (2ULL << 32)

/* ---- fakes: memory ----------------------------------------------------- */

/* Host memory, boot tables and frames: fakes/fake_frames.c. */
#define TRAPEZE_ENTRY pte_make(0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define BOOT_SATP     0x8000000000000123ULL

/* ---- fakes: the host CPU, the platform, the probe fixup ---------------- */

struct host_csr_caps host_csr;
struct platform platform;
static uint64_t fake_time;

uint64_t platform_time(void)
{
	return fake_time;
}

/* As probe.c: an HLV/HLVX fault while the probe is active is expected
 * (fake_hlv sets probe_faulted, as hart.c's trap path does). */
void probe_begin(void)
{
	struct hart *h = this_hart();

	h->probe_faulted = false;
	h->probe_active = true;
}

bool probe_end(void)
{
	struct hart *h = this_hart();

	h->probe_active = false;
	return !h->probe_faulted;
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
static unsigned mmio_calls;
static int mmio_ret;
static uint64_t mmio_regs[8];   /* what loads at offset 0, 8, ... read, 8 bytes each */
static struct mmio_device fake_uart = { "uart", NULL, NULL };

int mmio_dispatch(struct vm *vm, struct mmio_device *dev, unsigned slot, struct mmio_access *a)
{
	(void)vm;
	(void)slot;
	if (mmio_calls < MMIO_LOG_MAX)
		mmio_log[mmio_calls] = *a;
	mmio_calls++;
	mmio_dev_seen = dev;
	if (!a->write && mmio_ret == 0) {
		uint64_t word = mmio_regs[(a->offset / 8) % 8];
		a->value = word >> (8 * (a->offset % 8));
	}
	return mmio_ret;
}

static unsigned blocks, made_runnable, timer_irqs, vm_stops, fp_saves, fp_loads;

void sched_block(struct vcpu *v)
{
	(void)v;
	blocks++;
}

/* Another vCPU waits for this hart (sched.c): WFI must exit (VTW). */
static bool contended = true;

bool sched_hart_contended(void)
{
	return contended;
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
	(void)v;
	fp_saves++;
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

/* emulate_mem.c's SC completion is the trap engine's alone. */
int engine_trap_fetch(struct vcpu *v, uint64_t pc, uint32_t *raw)
{
	(void)v, (void)pc, (void)raw;
	fail_msg("the hw engine fetched through the trap engine");
	return -1;
}

int engine_trap_decode(const struct vcpu *v, uint32_t raw, struct insn *in)
{
	(void)v, (void)raw, (void)in;
	fail_msg("the hw engine decoded through the trap engine");
	return -1;
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

void stats_add(struct stats_line *l, const char *name, uint64_t n)
{
	(void)l;
	(void)name;
	(void)n;
}

void stats_flush(struct stats_line *l)
{
	(void)l;
}

/* ---- the VM under test ------------------------------------------------- */

/* Guest RAM as the launcher lays it out (vm_alloc_ram): from above
 * OpenSBI's 512 KiB to 6.5 MiB, so chunk 0 (0x80000000) and chunk 3
 * (0x80600000) are partial, chunks 1 and 2 whole. Backed by one host
 * block, 2 MiB aligned at GUEST_RAM_BASE, so whole chunks are one aligned
 * run of frames (a 2 MiB page in the G-stage). */
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
#define NOTHING     0x1000ULL               /* neither RAM nor a device */
#define POISON      0xa5
/* The firmware's stimecmp at hand-over: distinct from the vCPU's
 * UINT64_MAX "never programmed" deadline. */
#define RESET_STIMECMP 0x0123456789abcdefULL

static struct bootinfo_vm desc;
static struct vm vm;
static struct vcpu vcpu, vcpu_b;
static struct vcpu_arch varch, varch_b;
/* Other VMs (ids 1...), with no RAM: what their G-stage root and VMID
 * make of the world switch. */
#define NOTHER 3
static struct vm other_vm[NOTHER];
static struct vcpu other_vcpu[NOTHER];
static struct vcpu_arch other_varch[NOTHER];
static uint8_t *ram;
static uint64_t ram_pages[RAM_PAGES];

#define REGS    (varch.regs)
#define HW      (varch.hw)
#define A0 10
#define A1 11
#define A2 12
#define A7 17

static void *ram_host(uint64_t gpa)
{
	return ram + (gpa - GUEST_RAM_BASE);
}

/* Instructions as the guest's code: written through guest memory, as the
 * loader writes the image; HLVX reads them back through fake_guest_mem. */
static void put16(uint64_t gpa, uint16_t raw)
{
	assert_true(guestmem_write(&vm, gpa, &raw, 2));
}

static void put32(uint64_t gpa, uint32_t raw)
{
	assert_true(guestmem_write(&vm, gpa, &raw, 4));
}

#define OP_STORE_FP 0x27
#define INSN_NOP                0x00000013u
#define INSN_WFI                0x10500073u
#define INSN_C_LW_A0_A1         0x4188u         /* c.lw a0, 0(a1) */
#define INSN_CSRR_A0_HSTATUS    0x60002573u     /* csrr a0, hstatus */
#define INSN_RDTIME_A0          0xc0102573u     /* csrr a0, time */
/* htinst for a device access (Privileged ISA v1.12, 8.6.3 "Transformed
 * Instruction or Pseudoinstruction for mtinst or htinst"): the load or
 * store with rs1 = 0 (the address offset, 0 when aligned) and the offset
 * immediate 0; bit 0 set, bit 1 clear when the original was compressed. */
#define HTINST_LW_A0            0x00052503u     /* from lw a0, imm(rs1) */
#define HTINST_C_LW_A0          0x00052501u     /* from c.lw a0, imm(rs1') */
#define HTINST_SD_A2            0x00c03023u     /* from sd a2, imm(rs1) */
/* The pseudoinstructions for an implicit access of the VS-stage walk. */
#define HTINST_WALK_READ        0x00003000u
#define HTINST_WALK_WRITE       0x00003020u

static void vcpu_init(struct vcpu *v, struct vcpu_arch *a, struct vm *m, unsigned id)
{
	v->arch = a;
	a->vcpu = v;
	v->vm = m;
	v->id = id;
	v->engine = &engine_hw;
	v->state = VCPU_RUNNING;
	m->vcpus[m->nvcpus++] = v;
}

static int setup(void **state)
{
	(void)state;
	platform = (struct platform){ .nharts = 1, .satp_mode = SATP_MODE_SV57,
				      .has_sstc = true, .has_h = true };
	/* Per hart, at boot: platform.vmid_mask and henvcfg's PBMTE; then the
	 * CSRs and their write counts start afresh for the test. */
	fake_csr_reset();
	engine_hw_hart_init();
	fake_csr_reset();
	harts[0].live_satp = 0;
	harts[0].live_hgatp = 0;
	harts[0].fp_owner = NULL;
	harts[0].hw_current = NULL;
	harts[0].probe_active = harts[0].probe_faulted = false;
	host_csr = (struct host_csr_caps){
		.has_senvcfg = true, .has_stimecmp = true,
		.sstatus_wmask = SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_FS |
				 SSTATUS_SUM | SSTATUS_MXR,
		.reset = { .sstatus = SSTATUS_UXL_64, .stimecmp = RESET_STIMECMP },
	};
	boot_l57[TRAPEZE_ROOT_INDEX] = TRAPEZE_ENTRY;
	boot_satp = BOOT_SATP;
	fake_frames_fail = false;
	fake_time = 1000;
	sbi_calls = sbi_ecall_len = 0;
	sbi_result = RESUME_NEXT;
	mmio_calls = 0;
	mmio_ret = 0;
	mmio_dev_seen = NULL;
	memset(mmio_log, 0, sizeof(mmio_log));
	memset(mmio_regs, 0, sizeof(mmio_regs));
	memset(fake_fregs, 0, sizeof(fake_fregs));
	blocks = made_runnable = timer_irqs = vm_stops = fp_saves = fp_loads = 0;

	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&vcpu_b, 0, sizeof(vcpu_b));
	memset(&varch, 0, sizeof(varch));
	memset(&varch_b, 0, sizeof(varch_b));
	desc = (struct bootinfo_vm){ .name = "t", .memory = RAM_END - GUEST_RAM_BASE, .vcpus = 2 };
	strcpy(vm.name, "t");
	vm.desc = &desc;
	vm.engine = &engine_hw;
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
	vcpu_init(&vcpu, &varch, &vm, 0);
	vcpu_init(&vcpu_b, &varch_b, &vm, 1);
	/* The loader writes the kernel before the engine starts. */
	put32(CODE, INSN_NOP);
	assert_int_equal(engine_hw.vm_init(&vm), 0);
	vcpu_reset(&vcpu, CODE, 0);
	vcpu_reset(&vcpu_b, CODE, 0);
	HW.vstvec = STVEC_BASE;
	/* What HLV/HLVX see: guest RAM, Bare (VA = GPA). */
	fake_guest_mem = (struct fake_guest_mem){ .base = ram, .va = GUEST_RAM_BASE, .size = HOST_SPAN };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (vm.engine_vm)
		engine_hw.vm_destroy(&vm);
	for (unsigned i = 0; i < NOTHER; i++)
		if (other_vm[i].engine_vm)
			engine_hw.vm_destroy(&other_vm[i]);
	guestmem_destroy(&vm);
	fake_frames_free_all();
	free(ram);
	ram = NULL;
	fake_guest_mem = (struct fake_guest_mem){ 0 };
	return 0;
}

/* The scheduler puts v on the hart; the guest then runs until a trap. */
static void enter(struct vcpu *v)
{
	engine_hw.enter(v);
}

static void trap(uint64_t cause, uint64_t tval)
{
	dispatch_handle(&vcpu, cause, tval);
}

/* A trap from VU: the hardware's sstatus.SPP says where it came from. */
static void trap_from_vu(uint64_t cause, uint64_t tval)
{
	fake_csr_set(SSTATUS, fake_csr_get(SSTATUS) & ~SSTATUS_SPP);
	trap(cause, tval);
}

/* A guest-page fault as the hardware reports it: stval the guest's
 * address, htval the guest-physical one >> 2, htinst. */
static void guest_page_fault(uint64_t cause, uint64_t gva, uint64_t gpa, uint64_t htinst)
{
	fake_csr_set(HTVAL, gpa >> 2);
	fake_csr_set(HTINST, htinst);
	trap(cause, gva);
}

static void assert_injected(uint64_t cause, uint64_t tval, uint64_t epc, uint64_t pc)
{
	assert_int_equal(fake_csr_get(VSCAUSE), cause);
	assert_int_equal(fake_csr_get(VSTVAL), tval);
	assert_int_equal(fake_csr_get(VSEPC), epc);
	assert_int_equal(REGS.pc, pc);
	assert_true(HW.guest_s);
}

static void assert_nothing_injected(uint64_t pc)
{
	assert_int_equal(fake_csr_get(VSCAUSE), 0);
	assert_int_equal(REGS.pc, pc);
}

static unsigned hfences(int gvma)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_csr.nhfences; i++)
		n += fake_csr.hfences[i].gvma == gvma;
	return n;
}

static bool gstage_maps(uint64_t gpa, struct gstage_leaf *leaf)
{
	return gstage_lookup(&hw_vm_of(&vm)->gs, gpa, leaf);
}

static bool all_bytes(const void *p, uint8_t b, size_t n)
{
	const uint8_t *q = p;

	for (size_t i = 0; i < n; i++)
		if (q[i] != b)
			return false;
	return true;
}

/* ---- world switch ------------------------------------------------------ */

/* Every VS-level CSR the world switch moves, with its place in hw_vcpu;
 * the guest writes all but henvcfg (Trapeze's) without an exit. */
static const struct { const char *csr; size_t off; bool guest; } vs_csrs[] = {
	{ VSSTATUS, offsetof(struct hw_vcpu, vsstatus), true },
	{ VSIE, offsetof(struct hw_vcpu, vsie), true },
	{ VSTVEC, offsetof(struct hw_vcpu, vstvec), true },
	{ VSSCRATCH, offsetof(struct hw_vcpu, vsscratch), true },
	{ VSEPC, offsetof(struct hw_vcpu, vsepc), true },
	{ VSCAUSE, offsetof(struct hw_vcpu, vscause), true },
	{ VSTVAL, offsetof(struct hw_vcpu, vstval), true },
	{ VSATP, offsetof(struct hw_vcpu, vsatp), true },
	{ SCOUNTEREN, offsetof(struct hw_vcpu, scounteren), true },
	{ SENVCFG, offsetof(struct hw_vcpu, senvcfg), true },
	{ HENVCFG, offsetof(struct hw_vcpu, henvcfg), false },
};
#define NVS (sizeof(vs_csrs) / sizeof(vs_csrs[0]))

static uint64_t *saved(struct vcpu_arch *a, unsigned i)
{
	return (uint64_t *)((char *)&a->hw + vs_csrs[i].off);
}

/* Distinct values per vCPU and CSR (none with henvcfg.STCE). */
static void fill_saved(struct vcpu_arch *a, uint64_t base)
{
	for (unsigned i = 0; i < NVS; i++)
		*saved(a, i) = base + i;
}

/* The guest changes its own CSRs while it runs. */
static void guest_writes_csrs(uint64_t base)
{
	for (unsigned i = 0; i < NVS; i++)
		if (vs_csrs[i].guest)
			fake_csr_set(vs_csrs[i].csr, base + i);
}

/* Every VS CSR holds base + i (henvcfg: henvcfg_base + i), written
 * `writes` times. */
static void assert_live2(uint64_t base, uint64_t henvcfg_base, unsigned writes)
{
	for (unsigned i = 0; i < NVS; i++) {
		uint64_t want = (vs_csrs[i].guest ? base : henvcfg_base) + i;
		if (fake_csr_get(vs_csrs[i].csr) != want)
			fail_msg("%s is 0x%lx, not 0x%lx", vs_csrs[i].csr,
				 (unsigned long)fake_csr_get(vs_csrs[i].csr), (unsigned long)want);
		if (fake_csr_write_count(vs_csrs[i].csr) != writes)
			fail_msg("%s written %u times, not %u", vs_csrs[i].csr,
				 fake_csr_write_count(vs_csrs[i].csr), writes);
	}
}

static void assert_live(uint64_t base, unsigned writes)
{
	assert_live2(base, base, writes);
}

static void test_engine_hw_enter_loads_vs_csrs_on_first_entry(void **state)
{
	(void)state;
	fill_saved(&varch, 0xa000);
	enter(&vcpu);
	assert_live(0xa000, 1);
	assert_ptr_equal(harts[0].hw_current, &vcpu);
	assert_true(HW.loaded);
	/* The VS-stage entries cached here may be another vCPU's. */
	assert_int_equal(hfences(0), 1);
	assert_int_equal(hw_vm_of(&vm)->stats.world_loads, 1);
	assert_int_equal(vm.stats.world_switches, 1);
}

static void test_engine_hw_reenter_same_vcpu_loads_nothing(void **state)
{
	(void)state;
	fill_saved(&varch, 0xa000);
	enter(&vcpu);
	trap(EXC_ECALL_VS, 0);
	enter(&vcpu);
	enter(&vcpu);
	assert_live(0xa000 + 0, 1);
	assert_int_equal(hfences(0), 1);
	assert_int_equal(hw_vm_of(&vm)->stats.world_loads, 1);
	assert_int_equal(vm.stats.world_switches, 3);
}

static void test_engine_hw_leave_saves_vs_csrs(void **state)
{
	(void)state;
	fill_saved(&varch, 0xa000);
	enter(&vcpu);
	guest_writes_csrs(0xc000);
	engine_hw.leave(&vcpu);
	for (unsigned i = 0; i < NVS; i++) {
		uint64_t want = (vs_csrs[i].guest ? 0xc000 : 0xa000) + i;
		if (*saved(&varch, i) != want)
			fail_msg("%s saved as 0x%lx", vs_csrs[i].csr, (unsigned long)*saved(&varch, i));
	}
	assert_false(HW.loaded);
	assert_null(harts[0].hw_current);
}

static void test_engine_hw_enter_after_other_vcpu_reloads(void **state)
{
	(void)state;
	fill_saved(&varch, 0xa000);
	fill_saved(&varch_b, 0xb000);
	enter(&vcpu);
	guest_writes_csrs(0xc000);
	engine_hw.leave(&vcpu);
	enter(&vcpu_b);
	assert_live(0xb000, 2);
	assert_ptr_equal(harts[0].hw_current, &vcpu_b);
	engine_hw.leave(&vcpu_b);
	/* Back: what the guest left in its CSRs, not its boot values. */
	enter(&vcpu);
	assert_live2(0xc000, 0xa000, 3);
	assert_int_equal(hfences(0), 3);
	assert_int_equal(hw_vm_of(&vm)->stats.world_loads, 3);
}

static void test_engine_hw_enter_while_other_vcpu_live_loads_newcomer(void **state)
{
	(void)state;
	/* The hart still holds A's CSRs when B comes: B's are loaded, and A
	 * no longer counts as live anywhere. */
	fill_saved(&varch, 0xa000);
	fill_saved(&varch_b, 0xb000);
	enter(&vcpu);
	enter(&vcpu_b);
	assert_live(0xb000, 2);
	assert_ptr_equal(harts[0].hw_current, &vcpu_b);
	assert_false(HW.loaded);
	assert_true(varch_b.hw.loaded);
}

static void test_engine_hw_enter_after_leave_reloads_same_vcpu(void **state)
{
	(void)state;
	/* Left, it may have run on another hart since: reloaded. */
	fill_saved(&varch, 0xa000);
	enter(&vcpu);
	engine_hw.leave(&vcpu);
	fake_csr_set(VSSCRATCH, 0xdead);
	enter(&vcpu);
	assert_live(0xa000, 2);
	/* Nobody else ran here: its VS-stage entries are still its own. */
	assert_int_equal(hfences(0), 1);
}

static void test_engine_hw_enter_vs_guest_hstatus_and_sstatus(void **state)
{
	(void)state;
	/* Bits of a previous guest's entry that must not leak into this one. */
	fake_csr_set(HSTATUS, HSTATUS_VSXL_64 | HSTATUS_VTSR | HSTATUS_VTVM | HSTATUS_HU |
			      HSTATUS_GVA);
	fake_csr_set(SSTATUS, SSTATUS_UXL_64 | SSTATUS_SPIE | SSTATUS_SUM | SSTATUS_MXR);
	enter(&vcpu);
	/* sret to V = 1, VS (Privileged ISA v1.12, 8.2.1): SPV, SPVP, and WFI traps. */
	assert_int_equal(fake_csr_get(HSTATUS),
			 HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW);
	assert_int_equal(fake_csr_get(SSTATUS), SSTATUS_UXL_64 | SSTATUS_FS_DIRTY | SSTATUS_SPP);
	assert_int_equal(fake_csr_get("satp"), BOOT_SATP);
	assert_int_equal(fp_loads, 1);
	assert_ptr_equal(harts[0].fp_owner, &vcpu);
}

static void test_engine_hw_enter_vu_guest_privilege(void **state)
{
	(void)state;
	enter(&vcpu);
	/* The guest went to VU and trapped from there. */
	trap_from_vu(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_false(HW.guest_s);
	enter(&vcpu);
	assert_int_equal(fake_csr_get(HSTATUS) & (HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW),
			 HSTATUS_SPV | HSTATUS_VTW);
	assert_false(fake_csr_get(SSTATUS) & SSTATUS_SPP);
	/* And back in VS. */
	fake_csr_set(SSTATUS, SSTATUS_SPP);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	enter(&vcpu);
	assert_true(fake_csr_get(HSTATUS) & HSTATUS_SPVP);
	assert_true(fake_csr_get(SSTATUS) & SSTATUS_SPP);
}

/* Issue 13: alone on its hart, the guest waits in WFI on the hart itself
 * (no VTW, no exit); with another vCPU waiting for the hart, WFI exits. */
static void test_engine_hw_vtw_only_when_contended(void **state)
{
	(void)state;
	contended = false;
	enter(&vcpu);
	assert_false(fake_csr_get(HSTATUS) & HSTATUS_VTW);
	contended = true;
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	enter(&vcpu);
	assert_true(fake_csr_get(HSTATUS) & HSTATUS_VTW);
	contended = false;
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	enter(&vcpu);
	assert_false(fake_csr_get(HSTATUS) & HSTATUS_VTW);
	contended = true;
}

/* SBI RFENCE for a vCPU of the VM that is not live on this hart: it owes
 * an HFENCE.VVMA at its next entry even on the hart it last ran on (where
 * vmid_enter alone sees no reason to fence: same hart, same vCPU), and
 * the hart running it now, if any, is fenced through the firmware. */
static void test_engine_hw_remote_sfence_reaches_vcpu_off_hart(void **state)
{
	(void)state;
	enter(&vcpu);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	engine_hw.leave(&vcpu);
	vcpu.state = VCPU_BLOCKED;
	fake_csr.nhfences = 0;
	fake_csr.nsbi = 0;
	/* Entering again without a fence owed: no VVMA. */
	enter(&vcpu);
	assert_int_equal(hfences(0), 0);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	engine_hw.leave(&vcpu);
	/* The remote fence, from another vCPU's SBI call on this hart. */
	engine_hw.flush_guest_tlb(&vcpu, 0, UINT64_MAX, UINT64_MAX);
	assert_int_equal(hfences(0), 0);        /* not running anywhere: nothing now */
	assert_int_equal(fake_csr.nsbi, 0);
	enter(&vcpu);
	assert_int_equal(hfences(0), 1);        /* owed at its entry */
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	/* Running on another hart: that hart is fenced at once (SBI RFENCE
	 * remote_hfence_vvma, FID 6, to that hart alone). */
	engine_hw.leave(&vcpu);
	platform.nharts = 2;
	harts[1].hartid = 7;
	vcpu.state = VCPU_RUNNING;
	vcpu.on_hart = 1;
	fake_csr.nsbi = 0;
	engine_hw.flush_guest_tlb(&vcpu, 0, UINT64_MAX, UINT64_MAX);
	assert_int_equal(fake_csr.nsbi, 1);
	assert_int_equal(fake_csr.sbi[0].eid, 0x52464E43);
	assert_int_equal(fake_csr.sbi[0].fid, 6);
	assert_int_equal(fake_csr.sbi[0].a0, 1);
	assert_int_equal(fake_csr.sbi[0].a1, 7);
	vcpu.on_hart = 0;
	platform.nharts = 1;
	harts[1].hartid = 0;
}

static void test_engine_hw_leave_clears_spv(void **state)
{
	(void)state;
	enter(&vcpu);
	assert_true(fake_csr_get(HSTATUS) & HSTATUS_SPV);
	engine_hw.leave(&vcpu);
	/* A trap-engine guest entered next must not land in V = 1. */
	assert_false(fake_csr_get(HSTATUS) & HSTATUS_SPV);
	assert_true(fake_csr_get(HSTATUS) & HSTATUS_VTW);
	assert_int_equal(fp_saves, 1);
	assert_null(harts[0].fp_owner);
}

static struct vcpu *other(unsigned i)
{
	struct vm *m = &other_vm[i];

	if (m->engine_vm == NULL) {
		memset(m, 0, sizeof(*m));
		m->id = i + 1;
		snprintf(m->name, sizeof(m->name), "o%u", i);
		m->desc = &desc;
		m->engine = &engine_hw;
		realmap_init(&m->realmap);
		assert_int_equal(engine_hw.vm_init(m), 0);
		memset(&other_vcpu[i], 0, sizeof(other_vcpu[i]));
		memset(&other_varch[i], 0, sizeof(other_varch[i]));
		vcpu_init(&other_vcpu[i], &other_varch[i], m, 0);
		vcpu_reset(&other_vcpu[i], CODE, 0);
	}
	return &other_vcpu[i];
}

/* Run v on the hart for a while: the scheduler's enter and leave. */
static void run(struct vcpu *v)
{
	enter(v);
	engine_hw.leave(v);
}

static uint64_t hgatp_vmid(uint64_t hgatp)
{
	return (hgatp >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
}

static void test_engine_hw_enter_writes_hgatp_when_it_changes(void **state)
{
	(void)state;
	struct hw_vm *h = hw_vm_of(&vm);

	enter(&vcpu);
	assert_int_equal(fake_csr_write_count(HGATP), 1);
	assert_int_equal(fake_csr_get(HGATP), h->hgatp);
	assert_int_equal(harts[0].live_hgatp, h->hgatp);
	assert_int_equal(h->hgatp >> HGATP_MODE_SHIFT, HGATP_MODE_SV39X4);
	assert_int_equal(hgatp_vmid(h->hgatp), 1);          /* the first VMID handed out */
	assert_int_equal((h->hgatp & HGATP_PPN_MASK) << 12, h->gs.root);
	enter(&vcpu);
	engine_hw.leave(&vcpu);
	run(&vcpu_b);                               /* the same VM */
	assert_int_equal(fake_csr_write_count(HGATP), 1);

	/* Another VM: its own VMID. */
	enter(other(0));
	assert_int_equal(fake_csr_write_count(HGATP), 2);
	assert_int_equal(fake_csr_get(HGATP), hw_vm_of(&other_vm[0])->hgatp);
	assert_int_equal(hgatp_vmid(fake_csr_get(HGATP)), 2);
	assert_int_equal((fake_csr_get(HGATP) & HGATP_PPN_MASK) << 12, hw_vm_of(&other_vm[0])->gs.root);
	engine_hw.leave(other(0));
	enter(&vcpu);
	assert_int_equal(fake_csr_write_count(HGATP), 3);
	assert_int_equal(fake_csr_get(HGATP), h->hgatp);
}

static void test_engine_hw_vmids_switch_vms_without_gvma_flush(void **state)
{
	(void)state;
	/* The hart's first entry flushes whatever ran before Trapeze... */
	run(&vcpu);
	assert_int_equal(hfences(1), 1);
	assert_int_equal(fake_csr.hfences[0].gvma, 1);
	assert_int_equal(fake_csr.hfences[0].all, 1);
	/* ...and from then on each VM's tag keeps them apart. */
	run(other(0));
	run(&vcpu);
	run(other(0));
	assert_int_equal(hfences(1), 1);
}

static void test_engine_hw_without_vmids_switching_vms_flushes(void **state)
{
	(void)state;
	engine_hw_vmid_init(0);             /* hgatp keeps no VMID bits */
	run(&vcpu);
	assert_int_equal(hgatp_vmid(fake_csr_get(HGATP)), 0);
	assert_int_equal(hfences(1), 1);
	unsigned vvma = hfences(0);
	enter(&vcpu);
	enter(&vcpu);
	engine_hw.leave(&vcpu);
	assert_int_equal(hfences(1), 1);
	/* Another VM under the same tag 0: both stages of the one before go. */
	enter(other(0));
	assert_int_equal(hgatp_vmid(fake_csr_get(HGATP)), 0);
	assert_int_equal(hfences(1), 2);
	assert_true(hfences(0) > vvma);
	for (unsigned i = 0; i < fake_csr.nhfences; i++)
		if (fake_csr.hfences[i].gvma)
			assert_int_equal(fake_csr.hfences[i].all, 1);
	engine_hw.leave(other(0));
	run(&vcpu);
	assert_int_equal(hfences(1), 3);
}

static void test_engine_hw_vmid_rollover_kicks_other_harts(void **state)
{
	(void)state;
	/* Two VMID bits, two harts: VMIDs 1 to 3 per generation. */
	platform.nharts = 2;
	harts[1].hartid = 7;
	engine_hw_vmid_init(2);
	run(&vcpu);
	run(other(0));
	run(other(1));
	assert_int_equal(hgatp_vmid(hw_vm_of(&other_vm[1])->hgatp), 3);
	unsigned gvma = hfences(1);
	assert_int_equal(fake_csr.nsbi, 0);
	/* A fourth VM: a new generation, VMID 1 again. */
	enter(other(2));
	assert_int_equal(hgatp_vmid(fake_csr_get(HGATP)), 1);
	assert_int_equal(hfences(1), gvma + 1);
	/* The other hart leaves its guest (an IPI) and flushes at its next entry. */
	assert_int_equal(fake_csr.nsbi, 1);
	assert_int_equal(fake_csr.sbi[0].eid, SBI_HOST_EXT_IPI);
	assert_int_equal(fake_csr.sbi[0].a0, 1);
	assert_int_equal(fake_csr.sbi[0].a1, 7);
	engine_hw.leave(other(2));
	/* The first VM's VMID is stale: a new one, a new hgatp. */
	enter(&vcpu);
	assert_int_equal(hgatp_vmid(fake_csr_get(HGATP)), 2);
	assert_int_equal(fake_csr_get(HGATP), hw_vm_of(&vm)->hgatp);
	harts[1].hartid = 0;
}

static void test_engine_hw_enter_vstimecmp_follows_sbi_timer(void **state)
{
	(void)state;
	/* The guest owns its timer (STCE); SBI set_timer then moves it. */
	HW.henvcfg |= HENVCFG_STCE;
	HW.vstimecmp = 0x5000;
	vcpu_timer_set(&vcpu, 0x5000);
	enter(&vcpu);
	assert_int_equal(fake_csr_get(VSTIMECMP), 0x5000);
	assert_int_equal(fake_csr_write_count(VSTIMECMP), 1);
	vcpu_timer_set(&vcpu, 0x7000);
	enter(&vcpu);
	assert_int_equal(fake_csr_get(VSTIMECMP), 0x7000);
	assert_int_equal(HW.vstimecmp, 0x7000);
	enter(&vcpu);
	assert_int_equal(fake_csr_write_count(VSTIMECMP), 2);
}

static void test_engine_hw_sbi_timer_hands_timer_to_hardware(void **state)
{
	(void)state;
	enter(&vcpu);
	assert_false(fake_csr_get(HENVCFG) & HENVCFG_STCE);
	/* SBI set_timer: with Sstc the firmware's stimecmp is the guest's
	 * vstimecmp from the next entry on. */
	vcpu_timer_set(&vcpu, 0x6000);
	enter(&vcpu);
	assert_true(HW.henvcfg & HENVCFG_STCE);
	assert_int_equal(fake_csr_get(HENVCFG), HENVCFG_STCE | HENVCFG_PBMTE);
	assert_int_equal(fake_csr_get(VSTIMECMP), 0x6000);
	assert_int_equal(HW.vstimecmp, 0x6000);
	/* Without Sstc hvip.VSTIP stays the timer. */
	vcpu_reset(&vcpu, CODE, 0);
	platform.has_sstc = false;
	vcpu_timer_set(&vcpu, 0x6000);
	enter(&vcpu);
	assert_false(HW.henvcfg & HENVCFG_STCE);
	assert_false(fake_csr_get(HENVCFG) & HENVCFG_STCE);
}

static void test_engine_hw_enter_fp_switch_only_with_f(void **state)
{
	(void)state;
	struct vcpu *o = other(0);

	harts[0].fp_owner = o;
	enter(&vcpu);
	assert_int_equal(fp_saves, 1);
	assert_int_equal(fp_loads, 1);
	assert_ptr_equal(harts[0].fp_owner, &vcpu);
	enter(&vcpu);
	assert_int_equal(fp_loads, 1);
	engine_hw.leave(&vcpu);
	/* A CPU without F: sstatus.FS is not writable, nothing to switch. */
	host_csr.sstatus_wmask &= ~SSTATUS_FS;
	fake_csr_set(SSTATUS, 0);
	enter(&vcpu);
	assert_int_equal(fp_loads, 1);
	assert_null(harts[0].fp_owner);
	assert_int_equal(fake_csr_get(SSTATUS) & SSTATUS_FS, 0);
}

/* ---- virtual interrupts ------------------------------------------------ */

static void test_engine_hw_deliver_irq_soft_and_ext_to_hvip(void **state)
{
	(void)state;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSSIP);
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSSIP | HVIP_VSEIP);
	vcpu_lower_irq(&vcpu, VIRQ_SOFT);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSEIP);
	vcpu_lower_irq(&vcpu, VIRQ_EXT);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), 0);
}

static void test_engine_hw_guest_clearing_ssip_lowers_virq_soft(void **state)
{
	(void)state;
	vcpu_raise_irq(&vcpu, VIRQ_SOFT);
	engine_hw.deliver_irq(&vcpu);
	enter(&vcpu);
	/* A trap with VSSIP still set changes nothing. */
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_true(vcpu.virq & VIRQ_SOFT);
	/* The guest's csrc sip, SSIP lands in hvip.VSSIP (8.2.4). */
	fake_csr_set(HVIP, fake_csr_get(HVIP) & ~HVIP_VSSIP);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_false(vcpu.virq & VIRQ_SOFT);
	assert_int_equal(timer_irqs, 2);
	engine_hw.deliver_irq(&vcpu);
	assert_false(fake_csr_get(HVIP) & HVIP_VSSIP);
}

static void test_engine_hw_guest_setting_ssip_raises_virq_soft(void **state)
{
	(void)state;
	engine_hw.deliver_irq(&vcpu);
	enter(&vcpu);
	fake_csr_set(HVIP, HVIP_VSSIP);     /* csrs sip, SSIP in VS */
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_true(vcpu.virq & VIRQ_SOFT);
	engine_hw.deliver_irq(&vcpu);
	assert_true(fake_csr_get(HVIP) & HVIP_VSSIP);
}

static void test_engine_hw_virq_enabled_maps_vsie(void **state)
{
	(void)state;
	enter(&vcpu);
	fake_csr_set(VSIE, MIP_SSIP);
	assert_int_equal(engine_hw.virq_enabled(&vcpu), VIRQ_SOFT);
	fake_csr_set(VSIE, MIP_STIP);
	assert_int_equal(engine_hw.virq_enabled(&vcpu), VIRQ_TIMER);
	fake_csr_set(VSIE, MIP_SEIP);
	assert_int_equal(engine_hw.virq_enabled(&vcpu), VIRQ_EXT);
	fake_csr_set(VSIE, MIP_SSIP | MIP_STIP | MIP_SEIP | MIP_LCOFIP);
	assert_int_equal(engine_hw.virq_enabled(&vcpu), VIRQ_SOFT | VIRQ_TIMER | VIRQ_EXT);
	/* Off the hart: the saved vsie, not what the hart holds now. */
	engine_hw.leave(&vcpu);
	HW.vsie = MIP_SEIP;
	fake_csr_set(VSIE, MIP_SSIP);
	assert_int_equal(engine_hw.virq_enabled(&vcpu), VIRQ_EXT);
}

static void test_engine_hw_timer_without_sstc_drives_vstip(void **state)
{
	(void)state;
	platform.has_sstc = false;
	enter(&vcpu);
	vcpu_timer_set(&vcpu, fake_time);           /* due now */
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSTIP);
	vcpu_timer_set(&vcpu, fake_time + 100);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), 0);
	/* Without Sstc stimecmp does not exist: the guest cannot take the
	 * timer over. */
	put32(CODE, enc_csr(CSR_STIMECMP, A1, 1, 0));   /* csrw stimecmp, a1 */
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(fake_csr_get(VSCAUSE), EXC_ILLEGAL_INST);
	assert_false(fake_csr_get(HENVCFG) & HENVCFG_STCE);
	fake_time += 100;
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSTIP);
}

static void test_engine_hw_timer_with_stce_leaves_vstip_to_hardware(void **state)
{
	(void)state;
	HW.henvcfg |= HENVCFG_STCE;
	enter(&vcpu);
	/* The hardware's comparison set it; Trapeze's timer says not due. */
	fake_csr_set(HVIP, HVIP_VSTIP);
	vcpu_timer_set(&vcpu, fake_time + 100);
	engine_hw.deliver_irq(&vcpu);
	assert_int_equal(fake_csr_get(HVIP), HVIP_VSTIP);
}

/* ---- guest-page faults: RAM -------------------------------------------- */

static void test_engine_hw_vm_init_maps_loaded_chunk(void **state)
{
	(void)state;
	struct gstage_leaf leaf;

	/* The kernel's chunk, written by the loader: one 2 MiB page. */
	assert_true(gstage_maps(CODE + 0x10, &leaf));
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.hpa, hostmem_pa(ram_host(CODE + 0x10)));
	assert_int_equal(leaf.perms, PTE_R | PTE_W | PTE_X);
	assert_false(gstage_maps(CHUNK2, &leaf));
	assert_false(gstage_maps(RAM_BASE, &leaf));
	/* Its VMID, and so hgatp, come at its first entry. */
	assert_int_equal(hw_vm_of(&vm)->hgatp, 0);
	enter(&vcpu);
	assert_int_equal((hw_vm_of(&vm)->hgatp & HGATP_PPN_MASK) << 12, hw_vm_of(&vm)->gs.root);
}

static void test_engine_hw_gpf_on_ram_maps_zeroed_chunk(void **state)
{
	(void)state;
	struct gstage_leaf leaf;
	uint64_t zeroed = vm.stats.chunks_zeroed;

	enter(&vcpu);
	assert_true(all_bytes(ram_host(CHUNK2), POISON, MMU_2M));
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, CHUNK2 + 0x1234, CHUNK2 + 0x1234, 0);
	assert_nothing_injected(CODE);              /* RESUME_SAME */
	assert_true(gstage_maps(CHUNK2 + 0x1234, &leaf));
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.hpa, hostmem_pa(ram_host(CHUNK2 + 0x1234)));
	assert_true(all_bytes(ram_host(CHUNK2), 0, MMU_2M));
	assert_int_equal(vm.stats.chunks_zeroed, zeroed + 1);
	assert_int_equal(hw_vm_of(&vm)->stats.gstage_maps, 1);
	assert_int_equal(mmio_calls, 0);
	/* The next chunk is left alone. */
	assert_false(gstage_maps(CHUNK3, &leaf));
	assert_true(all_bytes(ram_host(CHUNK3), POISON, PAGE_SIZE));
}

static void test_engine_hw_gpf_on_partial_chunks_maps_pages(void **state)
{
	(void)state;
	struct gstage_leaf leaf;

	enter(&vcpu);
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, CHUNK3 + 8, CHUNK3 + 8, 0);
	assert_nothing_injected(CODE);
	assert_true(gstage_maps(RAM_END - PAGE_SIZE, &leaf));
	assert_int_equal(leaf.level, 0);
	assert_int_equal(leaf.hpa, hostmem_pa(ram_host(RAM_END - PAGE_SIZE)));
	assert_false(gstage_maps(RAM_END, &leaf));
	/* Chunk 0: from RAM_BASE up, never over the firmware's 512 KiB. */
	REGS.pc = RAM_BASE;
	guest_page_fault(EXC_INST_GUEST_PAGE_FAULT, RAM_BASE, RAM_BASE, 0);
	assert_nothing_injected(RAM_BASE);
	assert_true(gstage_maps(RAM_BASE, &leaf));
	assert_int_equal(leaf.level, 0);
	assert_false(gstage_maps(RAM_BASE - PAGE_SIZE, &leaf));
	assert_false(gstage_maps(GUEST_RAM_BASE, &leaf));
	assert_int_equal(hw_vm_of(&vm)->stats.gstage_maps, 2);
}

static void test_engine_hw_gpf_out_of_memory_stops_vm(void **state)
{
	(void)state;
	enter(&vcpu);
	/* A partial chunk needs a leaf table for its 4 KiB pages. */
	fake_frames_fail = true;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, CHUNK3, CHUNK3, 0);
	assert_int_equal(vm_stops, 1);
	assert_int_equal(vm.state, VM_STOPPED);
	assert_int_equal(vm.exit, VM_EXIT_CRASHED);
	assert_nothing_injected(CODE);
}

/* ---- guest-page faults: nothing there, the guest's own walk ------------ */

static void test_engine_hw_gpf_outside_everything_access_fault(void **state)
{
	(void)state;
	static const struct { uint64_t gpf, access; } kinds[] = {
		{ EXC_INST_GUEST_PAGE_FAULT, EXC_INST_ACCESS },
		{ EXC_LOAD_GUEST_PAGE_FAULT, EXC_LOAD_ACCESS },
		{ EXC_STORE_GUEST_PAGE_FAULT, EXC_STORE_ACCESS },
	};

	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a = 0x40000000 + 8 * i;
		REGS.pc = kinds[i].gpf == EXC_INST_GUEST_PAGE_FAULT ? a : CODE;
		uint64_t epc = REGS.pc;
		guest_page_fault(kinds[i].gpf, a, a, 0);
		/* Access faults are OpenSBI's to redirect: the raw vstvec. */
		assert_injected(kinds[i].access, a, epc, STVEC_BASE | STVEC_MODE_VECTORED);
	}
	assert_int_equal(vm.stats.access_faults, 3);
	assert_int_equal(vm.stats.inject_exc[EXC_LOAD_ACCESS], 1);
	assert_int_equal(mmio_calls, 0);
}

static void test_engine_hw_walk_fault_on_nothing_page_fault(void **state)
{
	(void)state;
	const uint64_t gva = 0x12345678, pte = NOTHING + 0x10;

	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	/* A load walked: load page fault, delegated (vstvec's base). */
	put32(CODE, enc_i(0, A1, 3, A0, OP_LOAD));          /* ld a0, 0(a1) */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_READ);
	assert_injected(EXC_LOAD_PAGE_FAULT, gva, CODE, STVEC_BASE);
	/* QEMU reports every walk as a load: the instruction says a store. */
	REGS.pc = CODE;
	put32(CODE, enc_s(0, A2, A1, 3, OP_STORE));         /* sd a2, 0(a1) */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_READ);
	assert_injected(EXC_STORE_PAGE_FAULT, gva, CODE, STVEC_BASE);
	REGS.pc = CODE;
	put32(CODE, enc_amo(0, A2, A1, 2, A0));             /* amoadd.w a0, a2, (a1) */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_READ);
	assert_int_equal(fake_csr_get(VSCAUSE), EXC_STORE_PAGE_FAULT);
	REGS.pc = CODE;
	put32(CODE, enc_amo(0x02, 0, A1, 2, A0));           /* lr.w a0, (a1) */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_READ);
	assert_int_equal(fake_csr_get(VSCAUSE), EXC_LOAD_PAGE_FAULT);
	/* The A/D update of a store's walk; a fetch's walk. */
	REGS.pc = CODE;
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_WRITE);
	assert_injected(EXC_STORE_PAGE_FAULT, gva, CODE, STVEC_BASE);
	REGS.pc = gva;
	guest_page_fault(EXC_INST_GUEST_PAGE_FAULT, gva, pte, HTINST_WALK_READ);
	assert_injected(EXC_INST_PAGE_FAULT, gva, gva, STVEC_BASE);
	assert_int_equal(vm.stats.access_faults, 0);
}

static void test_engine_hw_walk_fault_on_device_page_fault(void **state)
{
	(void)state;
	/* A table "in" the UART: nothing the walk can read, no device access. */
	enter(&vcpu);
	put32(CODE, enc_i(0, A1, 3, A0, OP_LOAD));
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x5000, UART, HTINST_WALK_READ);
	assert_injected(EXC_LOAD_PAGE_FAULT, 0x5000, CODE, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
}

static void test_engine_hw_walk_fault_on_firmware_pmp_access_fault(void **state)
{
	(void)state;
	const uint64_t gva = 0x12345678;

	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	put32(CODE, enc_i(0, A1, 3, A0, OP_LOAD));          /* ld a0, 0(a1) */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, gva, GUEST_RAM_BASE + 0x1000, HTINST_WALK_READ);
	assert_injected(EXC_LOAD_ACCESS, gva, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
	REGS.pc = CODE;
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, gva, GUEST_RAM_BASE + GUEST_FW_RESERVED - 8,
			 HTINST_WALK_WRITE);
	assert_injected(EXC_STORE_ACCESS, gva, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
	REGS.pc = gva;
	guest_page_fault(EXC_INST_GUEST_PAGE_FAULT, gva, GUEST_CLINT_GPA, HTINST_WALK_READ);
	assert_injected(EXC_INST_ACCESS, gva, gva, STVEC_BASE | STVEC_MODE_VECTORED);
	assert_int_equal(vm.stats.access_faults, 3);
}

static void test_engine_hw_walk_fault_on_ram_maps_chunk(void **state)
{
	(void)state;
	struct gstage_leaf leaf;

	/* The guest's table page is RAM not touched yet: mapped, retried. */
	enter(&vcpu);
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x12345678, CHUNK2 + 0x3000, HTINST_WALK_READ);
	assert_nothing_injected(CODE);
	assert_true(gstage_maps(CHUNK2 + 0x3000, &leaf));
}

/* ---- guest-page faults: devices ---------------------------------------- */

static void test_engine_hw_mmio_load_from_htinst(void **state)
{
	(void)state;
	enter(&vcpu);
	REGS.x[A0] = 3;
	mmio_regs[0] = 0x8000000100000000ULL;           /* offset 4 reads 0x80000001 */
	/* A paging guest: stval is the virtual address, htval the device's. */
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, 0x40001004, UART + 4, HTINST_LW_A0);
	assert_int_equal(mmio_calls, 1);
	assert_ptr_equal(mmio_dev_seen, &fake_uart);
	assert_int_equal(mmio_log[0].gpa, UART + 4);
	assert_int_equal(mmio_log[0].offset, 4);
	assert_int_equal(mmio_log[0].width, 4);
	assert_false(mmio_log[0].write);
	assert_int_equal(REGS.x[A0], 0xffffffff80000001ULL);     /* LW sign-extends */
	assert_nothing_injected(CODE + 4);
	assert_int_equal(fake_csr.nhlv, 0);         /* htinst said it all */
	assert_int_equal(hw_vm_of(&vm)->stats.mmio_exits, 1);
}

static void test_engine_hw_mmio_compressed_load_from_htinst(void **state)
{
	(void)state;
	enter(&vcpu);
	mmio_regs[1] = 0x12345678;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 8, UART + 8, HTINST_C_LW_A0);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(mmio_log[0].offset, 8);
	assert_int_equal(REGS.x[A0], 0x12345678);
	assert_nothing_injected(CODE + 2);
}

static void test_engine_hw_mmio_load_via_hlvx_fetch(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, enc_i(4, A1, 4, A0, OP_LOAD));          /* lbu a0, 4(a1) */
	mmio_regs[0] = 0x000000f100000000ULL;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 4, UART + 4, 0);
	assert_int_equal(mmio_calls, 1);
	assert_int_equal(mmio_log[0].gpa, UART + 4);
	assert_int_equal(mmio_log[0].width, 1);
	assert_int_equal(REGS.x[A0], 0xf1);                 /* LBU does not */
	assert_nothing_injected(CODE + 4);
	/* Read as two halfwords at the guest's pc. */
	assert_int_equal(fake_csr.nhlv, 2);
	assert_int_equal(fake_csr.hlv[0], CODE);
	assert_int_equal(fake_csr.hlv[1], CODE + 2);
}

static void test_engine_hw_mmio_compressed_load_via_hlvx_fetch(void **state)
{
	(void)state;
	enter(&vcpu);
	put16(CODE, INSN_C_LW_A0_A1);
	put16(CODE + 2, 0xffff);
	mmio_regs[0] = 0xfffffffe;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART, UART, 0);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(REGS.x[A0], 0xfffffffffffffffeULL);
	assert_nothing_injected(CODE + 2);
	/* A compressed instruction: its one halfword only. */
	assert_int_equal(fake_csr.nhlv, 1);
}

static void test_engine_hw_mmio_store_passes_rs2(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, enc_s(0, A2, A1, 2, OP_STORE));         /* sw a2, 0(a1) */
	REGS.x[A2] = 0x1122334455667788ULL;
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, UART + 4, UART + 4, 0);
	assert_int_equal(mmio_calls, 1);
	assert_true(mmio_log[0].write);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(mmio_log[0].offset, 4);
	/* The device takes the low width bytes (mmio.h). */
	assert_int_equal(mmio_log[0].value & 0xffffffff, 0x55667788);
	assert_nothing_injected(CODE + 4);
	/* The same through htinst: sd a2. */
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, UART + 8, UART + 8, HTINST_SD_A2);
	assert_int_equal(mmio_calls, 2);
	assert_true(mmio_log[1].write);
	assert_int_equal(mmio_log[1].width, 8);
	assert_int_equal(mmio_log[1].value, 0x1122334455667788ULL);
	assert_int_equal(REGS.x[A2], 0x1122334455667788ULL);
	assert_nothing_injected(CODE + 8);
}

static void test_engine_hw_mmio_fp_load_and_store(void **state)
{
	(void)state;
	enter(&vcpu);
	fake_csr_set(VSSTATUS, SSTATUS_UXL_64 | SSTATUS_FS_CLEAN);
	put32(CODE, enc_i(0, A1, 2, A0, OP_LOAD_FP));       /* flw fa0, 0(a1) */
	put32(CODE + 4, enc_s(8, A0, A1, 3, OP_STORE_FP));  /* fsd fa0, 8(a1) */
	mmio_regs[0] = 0x3f800000;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART, UART, 0);
	/* NaN-boxed (Unprivileged ISA, "D": NaN Boxing of Narrower Values). */
	assert_int_equal(fake_fregs[A0], 0xffffffff3f800000ULL);
	assert_int_equal(fake_csr_get(VSSTATUS) & SSTATUS_FS, SSTATUS_FS_DIRTY);
	assert_int_equal(REGS.x[A0], 0);
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, UART + 8, UART + 8, 0);
	assert_int_equal(mmio_log[1].value, 0xffffffff3f800000ULL);
	assert_int_equal(mmio_log[1].width, 8);
	assert_nothing_injected(CODE + 8);
}

static void test_engine_hw_mmio_halt_keeps_pc(void **state)
{
	(void)state;
	enter(&vcpu);
	REGS.x[A0] = 3;
	mmio_ret = MMIO_HALT;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART, UART, HTINST_LW_A0);
	assert_int_equal(mmio_calls, 1);
	assert_nothing_injected(CODE);
	assert_int_equal(REGS.x[A0], 3);
}

static void test_engine_hw_mmio_fetch_fault_access_fault(void **state)
{
	(void)state;
	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	/* The guest's code page is gone by the time Trapeze reads it. */
	fake_guest_mem.fault = 1;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 4, UART + 4, 0);
	assert_injected(EXC_LOAD_ACCESS, UART + 4, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
	assert_int_equal(mmio_calls, 0);
	assert_false(harts[0].probe_active);
}

static void test_engine_hw_mmio_rejected_access_fault(void **state)
{
	(void)state;
	enter(&vcpu);
	/* Not a load: an instruction that cannot have made the access. */
	put32(CODE, INSN_NOP);
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART, UART, 0);
	assert_injected(EXC_LOAD_ACCESS, UART, CODE, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
	/* A store's instruction for a load's fault. */
	REGS.pc = CODE;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART, UART, HTINST_SD_A2);
	assert_injected(EXC_LOAD_ACCESS, UART, CODE, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
	/* The device says no. */
	REGS.pc = CODE;
	mmio_ret = -1;
	guest_page_fault(EXC_STORE_GUEST_PAGE_FAULT, UART, UART, HTINST_SD_A2);
	assert_int_equal(mmio_calls, 1);
	assert_injected(EXC_STORE_ACCESS, UART, CODE, STVEC_BASE);
}

static void test_engine_hw_mmio_misaligned_load_split(void **state)
{
	(void)state;
	enter(&vcpu);
	/* lw a0, 2(a1) on the UART: two aligned word loads, below and above
	 * (misaligned.h, QEMU 7.2's split), from the instruction at the pc
	 * (htinst has lost the offset). */
	put32(CODE, enc_i(2, A1, 2, A0, OP_LOAD));
	REGS.x[A1] = UART;
	mmio_regs[0] = 0x8877665544332211ULL;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 2, UART + 2, HTINST_LW_A0);
	assert_int_equal(mmio_calls, 2);
	assert_int_equal(mmio_log[0].offset, 0);
	assert_int_equal(mmio_log[0].width, 4);
	assert_int_equal(mmio_log[1].offset, 4);
	assert_int_equal(mmio_log[1].width, 4);
	assert_int_equal(REGS.x[A0], 0x66554433);
	assert_nothing_injected(CODE + 4);
	assert_int_equal(vm.stats.accesses_emulated, 1);
}

static void test_engine_hw_mmio_misaligned_other_insn_at_pc_access_fault(void **state)
{
	(void)state;
	enter(&vcpu);
	/* htinst says a word load; the guest's code at the pc (rewritten by
	 * another of its harts since) is no load at all. */
	put32(CODE, INSN_NOP);
	REGS.x[A0] = 3;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 2, UART + 2, HTINST_LW_A0);
	assert_injected(EXC_LOAD_ACCESS, UART + 2, CODE, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
	assert_int_equal(REGS.x[A0], 3);
	/* Nor a store for a load's fault. */
	REGS.pc = CODE;
	put32(CODE, enc_s(2, A2, A1, 2, OP_STORE));         /* sw a2, 2(a1) */
	REGS.x[A1] = UART;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, UART + 2, UART + 2, HTINST_LW_A0);
	assert_injected(EXC_LOAD_ACCESS, UART + 2, CODE, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
}

static void test_engine_hw_misaligned_load_reaching_nothing_split(void **state)
{
	(void)state;
	enter(&vcpu);
	/* lw a0, 2(a1) across the end of RAM: its upper part reaches nothing
	 * and faults with the part's address (misaligned.h, rule 3). */
	put32(CODE, enc_i(2, A1, 2, A0, OP_LOAD));
	REGS.x[A1] = RAM_END - 4;
	REGS.x[A0] = 3;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, RAM_END, RAM_END, 0);
	assert_injected(EXC_LOAD_ACCESS, RAM_END, CODE, STVEC_BASE);
	assert_int_equal(REGS.x[A0], 3);
	assert_int_equal(vm.stats.accesses_emulated, 1);
	/* Aligned, the same access faults with the hardware's stval. */
	REGS.pc = CODE;
	put32(CODE, enc_i(0, A1, 2, A0, OP_LOAD));
	REGS.x[A1] = RAM_END;
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, RAM_END, RAM_END, 0);
	assert_injected(EXC_LOAD_ACCESS, RAM_END, CODE, STVEC_BASE);
	assert_int_equal(vm.stats.accesses_emulated, 1);
}

static void test_engine_hw_fetch_from_device_access_fault(void **state)
{
	(void)state;
	uint32_t lw = enc_i(0, A1, 2, A0, OP_LOAD);

	enter(&vcpu);
	/* Even where the bytes at the pc would read as a load, a fetch is
	 * never a device access. */
	fake_guest_mem = (struct fake_guest_mem){ .base = (uint8_t *)&lw, .va = UART, .size = 4 };
	REGS.pc = UART;
	REGS.x[A1] = UART;
	guest_page_fault(EXC_INST_GUEST_PAGE_FAULT, UART, UART, 0);
	assert_injected(EXC_INST_ACCESS, UART, UART, STVEC_BASE);
	assert_int_equal(mmio_calls, 0);
	assert_int_equal(vm.stats.access_faults, 1);
}

/* ---- virtual-instruction traps ----------------------------------------- */

static void test_engine_hw_wfi_blocks_without_enabled_pending_irq(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, INSN_WFI);
	put32(CODE + 4, INSN_WFI);
	put32(CODE + 8, INSN_WFI);
	trap(EXC_VIRTUAL_INST, INSN_WFI);
	assert_int_equal(blocks, 1);
	assert_nothing_injected(CODE + 4);
	/* Pending but not enabled in vsie: still waits. */
	fake_csr_set(VSIE, MIP_SSIP);
	vcpu_raise_irq(&vcpu, VIRQ_EXT);
	trap(EXC_VIRTUAL_INST, INSN_WFI);
	assert_int_equal(blocks, 2);
	/* Enabled: falls through, whatever vsstatus.SIE says. */
	fake_csr_set(VSIE, MIP_SEIP);
	trap(EXC_VIRTUAL_INST, INSN_WFI);
	assert_int_equal(blocks, 2);
	assert_nothing_injected(CODE + 12);
	assert_int_equal(hw_vm_of(&vm)->stats.vi_wfi, 3);
}

static void test_engine_hw_wfi_from_vu_illegal(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, INSN_WFI);
	trap_from_vu(EXC_VIRTUAL_INST, INSN_WFI);
	assert_int_equal(blocks, 0);
	assert_injected(EXC_ILLEGAL_INST, INSN_WFI, CODE, STVEC_BASE);
}

static void test_engine_hw_stimecmp_read_before_write_is_reset_value(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, enc_csr(CSR_STIMECMP, 0, 2, A0));       /* csrr a0, stimecmp */
	put32(CODE + 4, enc_csr(CSR_STIMECMP, 0, 2, A0));
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], RESET_STIMECMP);
	assert_nothing_injected(CODE + 4);
	assert_false(fake_csr_get(HENVCFG) & HENVCFG_STCE);
	assert_false(HW.henvcfg & HENVCFG_STCE);
	assert_false(vcpu.timer_programmed);
	/* After SBI set_timer: what OpenSBI wrote there. */
	vcpu_timer_set(&vcpu, 0x4444);
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x4444);
	assert_int_equal(hw_vm_of(&vm)->stats.vi_timer, 2);
}

static void test_engine_hw_stimecmp_write_hands_timer_to_guest(void **state)
{
	(void)state;
	enter(&vcpu);
	vcpu_timer_set(&vcpu, fake_time);           /* the SBI timer is due */
	engine_hw.deliver_irq(&vcpu);
	/* With Sstc the timer is never hvip.VSTIP (the firmware's Sstc makes
	 * it read-only on QEMU 7.2; elsewhere it would stay stuck once
	 * vstimecmp took over): the next entry hands it to vstimecmp. */
	assert_false(fake_csr_get(HVIP) & HVIP_VSTIP);
	put32(CODE, enc_csr(CSR_STIMECMP, A1, 1, 0));       /* csrw stimecmp, a1 */
	REGS.x[A1] = 0x5000;
	trap(EXC_VIRTUAL_INST, 0);
	assert_nothing_injected(CODE + 4);
	assert_int_equal(fake_csr_get(HENVCFG), HENVCFG_STCE | HENVCFG_PBMTE);
	assert_true(HW.henvcfg & HENVCFG_STCE);
	assert_int_equal(fake_csr_get(VSTIMECMP), 0x5000);
	assert_int_equal(vcpu.timer_deadline, 0x5000);
	assert_true(vcpu.timer_programmed);
	assert_false(fake_csr_get(HVIP) & HVIP_VSTIP);
	/* From now on the guest's vstimecmp is the timer: read back at each
	 * trap, saved on leave, and VSTIP is the hardware's. */
	fake_csr_set(VSTIMECMP, 0x9000);
	trap(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_int_equal(vcpu.timer_deadline, 0x9000);
	fake_csr_set(HVIP, HVIP_VSTIP);
	engine_hw.deliver_irq(&vcpu);
	assert_true(fake_csr_get(HVIP) & HVIP_VSTIP);
	fake_csr_set(VSTIMECMP, 0x9100);
	engine_hw.leave(&vcpu);
	assert_int_equal(HW.vstimecmp, 0x9100);
}

static void test_engine_hw_stimecmp_set_bits_form(void **state)
{
	(void)state;
	enter(&vcpu);
	vcpu_timer_set(&vcpu, 0x4003);
	put32(CODE, enc_csr(CSR_STIMECMP, A1, 2, A0));      /* csrrs a0, stimecmp, a1 */
	put32(CODE + 4, enc_csr(CSR_STIMECMP, 5, 7, A0));   /* csrrci a0, stimecmp, 5 */
	REGS.x[A1] = 0x0f;
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x4003);
	assert_int_equal(vcpu.timer_deadline, 0x400f);
	assert_int_equal(fake_csr_get(VSTIMECMP), 0x400f);
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x400f);
	assert_int_equal(vcpu.timer_deadline, 0x400a);
	assert_nothing_injected(CODE + 8);
}

static void test_engine_hw_htimedelta_is_a_register(void **state)
{
	(void)state;
	enter(&vcpu);
	put32(CODE, enc_csr(CSR_HTIMEDELTA, A1, 1, 0));     /* csrw htimedelta, a1 */
	put32(CODE + 4, enc_csr(CSR_HTIMEDELTA, 0, 2, A0)); /* csrr a0, htimedelta */
	put32(CODE + 8, enc_csr(CSR_HTIMEDELTA, 4, 7, A0)); /* csrrci a0, htimedelta, 4 */
	REGS.x[A1] = 0x1234567;
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(HW.htimedelta, 0x1234567);
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x1234567);
	trap(EXC_VIRTUAL_INST, 0);
	assert_int_equal(REGS.x[A0], 0x1234567);
	assert_int_equal(HW.htimedelta, 0x1234563);
	assert_nothing_injected(CODE + 12);
	assert_int_equal(hw_vm_of(&vm)->stats.vi_htimedelta, 3);
	/* Not the hardware's htimedelta. */
	assert_int_equal(fake_csr_write_count("0x605"), 0);
}

static void test_engine_hw_h_csr_illegal_with_bits_raw_vstvec(void **state)
{
	(void)state;
	assert_int_equal(enc_csr(CSR_HSTATUS, 0, 2, A0), INSN_CSRR_A0_HSTATUS);
	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	put32(CODE, INSN_CSRR_A0_HSTATUS);
	REGS.x[A0] = 7;
	trap(EXC_VIRTUAL_INST, 0);
	/* Illegal instruction is not in OpenSBI's medeleg: redirected to the
	 * raw stvec. */
	assert_injected(EXC_ILLEGAL_INST, INSN_CSRR_A0_HSTATUS, CODE,
			STVEC_BASE | STVEC_MODE_VECTORED);
	assert_int_equal(REGS.x[A0], 7);
	assert_int_equal(hw_vm_of(&vm)->stats.vi_illegal, 1);
	assert_int_equal(vm.stats.inject_exc[EXC_ILLEGAL_INST], 1);
}

static void test_engine_hw_virtual_insn_unfetchable_keeps_stval(void **state)
{
	(void)state;
	enter(&vcpu);
	fake_guest_mem.fault = 1;
	trap(EXC_VIRTUAL_INST, 0x60002573);
	assert_injected(EXC_ILLEGAL_INST, 0x60002573, CODE, STVEC_BASE);
}

static void test_engine_hw_vu_rdtime_returns_time(void **state)
{
	(void)state;
	assert_int_equal(enc_csr(CSR_TIME, 0, 2, A0), INSN_RDTIME_A0);
	enter(&vcpu);
	put32(CODE, INSN_RDTIME_A0);
	fake_time = 0x123456;
	trap_from_vu(EXC_VIRTUAL_INST, INSN_RDTIME_A0);
	assert_int_equal(REGS.x[A0], 0x123456);
	assert_nothing_injected(CODE + 4);
	assert_int_equal(hw_vm_of(&vm)->stats.vi_counter, 1);
}

extern uint64_t fake_pmu_csr_value;     /* fakes/fake_pmu_engine.c: a read answers this + csr */
extern uint64_t fake_pmu_fw_events[SBI_PMU_FW_EVENTS];

/* cycle/instret trap by hcounteren: the vCPU's virtual counters, in VS,
 * and in VU where the guest's scounteren allows; a write is illegal. */
static void test_engine_hw_cycle_instret_are_virtual_counters(void **state)
{
	(void)state;
	uint32_t rdcycle = enc_csr(CSR_CYCLE, 0, 2, A0), rdinstret = enc_csr(CSR_INSTRET, 0, 2, A0);
	uint64_t illegal = fake_pmu_fw_events[SBI_PMU_FW_ILLEGAL_INSN];

	enter(&vcpu);
	put32(CODE, rdcycle);
	trap(EXC_VIRTUAL_INST, rdcycle);                /* from VS */
	assert_int_equal(REGS.x[A0], fake_pmu_csr_value + CSR_CYCLE);
	assert_nothing_injected(CODE + 4);
	REGS.pc = CODE;
	put32(CODE, rdinstret);
	fake_csr_set("scounteren", 0x4);
	trap_from_vu(EXC_VIRTUAL_INST, rdinstret);
	assert_int_equal(REGS.x[A0], fake_pmu_csr_value + CSR_INSTRET);
	assert_nothing_injected(CODE + 4);
	REGS.pc = CODE;
	uint32_t write = enc_csr(CSR_CYCLE, 0, 1, A0);     /* csrrw a0, cycle, x0 */
	put32(CODE, write);
	HW.guest_s = true;
	fake_csr_set(SSTATUS, fake_csr_get(SSTATUS) | SSTATUS_SPP);
	trap(EXC_VIRTUAL_INST, write);
	assert_injected(EXC_ILLEGAL_INST, write, CODE, STVEC_BASE);
	assert_int_equal(fake_pmu_fw_events[SBI_PMU_FW_ILLEGAL_INSN], illegal + 1);
}

static void test_engine_hw_vu_other_counter_illegal(void **state)
{
	(void)state;
	uint32_t rdcycle = enc_csr(CSR_CYCLE, 0, 2, A0);

	enter(&vcpu);
	put32(CODE, rdcycle);
	REGS.x[A0] = 7;
	trap_from_vu(EXC_VIRTUAL_INST, rdcycle);
	assert_injected(EXC_ILLEGAL_INST, rdcycle, CODE, STVEC_BASE);
	assert_int_equal(REGS.x[A0], 7);
	/* stimecmp and htimedelta from VU are nobody's. */
	REGS.pc = CODE;
	put32(CODE, enc_csr(CSR_STIMECMP, A1, 1, 0));
	trap_from_vu(EXC_VIRTUAL_INST, 0);
	assert_int_equal(fake_csr_get(VSCAUSE), EXC_ILLEGAL_INST);
	assert_false(HW.henvcfg & HENVCFG_STCE);
	REGS.pc = CODE;
	REGS.x[A1] = 0x55;
	put32(CODE, enc_csr(CSR_HTIMEDELTA, A1, 1, 0));
	trap_from_vu(EXC_VIRTUAL_INST, 0);
	assert_injected(EXC_ILLEGAL_INST, enc_csr(CSR_HTIMEDELTA, A1, 1, 0), CODE, STVEC_BASE);
	assert_int_equal(HW.htimedelta, 0);
}

/* ---- injection --------------------------------------------------------- */

static void test_engine_hw_inject_from_vu_sets_vs_trap_state(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	enter(&vcpu);
	trap_from_vu(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	REGS.pc = 0x10074;
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	fake_csr_set(VSSTATUS, SSTATUS_UXL_64 | SSTATUS_SIE | SSTATUS_SPP);
	trap_inject(&t, EXC_BREAKPOINT, 0x10074);
	engine_hw.inject(&vcpu, &t);
	/* Delegated by OpenSBI: the hardware way, vstvec's MODE cleared. */
	assert_injected(EXC_BREAKPOINT, 0x10074, 0x10074, STVEC_BASE);
	/* SPP = U, SPIE = the old SIE, SIE = 0 (Privileged ISA v1.12, 4.1.1). */
	assert_int_equal(fake_csr_get(VSSTATUS), SSTATUS_UXL_64 | SSTATUS_SPIE);
	assert_int_equal(vm.stats.inject_exc[EXC_BREAKPOINT], 1);
	/* The guest is in VS now: the next entry says so. */
	enter(&vcpu);
	assert_true(fake_csr_get(HSTATUS) & HSTATUS_SPVP);
	assert_true(fake_csr_get(SSTATUS) & SSTATUS_SPP);
}

static void test_engine_hw_inject_from_vs_sets_spp_clears_spie(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	enter(&vcpu);
	fake_csr_set(VSSTATUS, SSTATUS_UXL_64 | SSTATUS_SPIE);     /* SIE = 0 */
	trap_inject(&t, EXC_LOAD_PAGE_FAULT, 0x5000);
	engine_hw.inject(&vcpu, &t);
	assert_int_equal(fake_csr_get(VSSTATUS), SSTATUS_UXL_64 | SSTATUS_SPP);
	assert_injected(EXC_LOAD_PAGE_FAULT, 0x5000, CODE, STVEC_BASE);
}

static void test_engine_hw_inject_delegated_masks_mode_redirected_raw(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	trap_inject(&t, EXC_STORE_PAGE_FAULT, 0x5000);
	engine_hw.inject(&vcpu, &t);
	assert_injected(EXC_STORE_PAGE_FAULT, 0x5000, CODE, STVEC_BASE);
	/* A page fault the firmware took itself (sbi_trap_redirect). */
	REGS.pc = CODE;
	t.inject_redirected = true;
	engine_hw.inject(&vcpu, &t);
	assert_injected(EXC_STORE_PAGE_FAULT, 0x5000, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
	/* Misaligned loads are OpenSBI's too (not in medeleg). */
	REGS.pc = CODE;
	trap_inject(&t, EXC_LOAD_MISALIGNED, 0x5001);
	engine_hw.inject(&vcpu, &t);
	assert_injected(EXC_LOAD_MISALIGNED, 0x5001, CODE, STVEC_BASE | STVEC_MODE_VECTORED);
}

static void test_engine_hw_inject_interrupt_vectored(void **state)
{
	(void)state;
	struct trap_info t = { 0 };

	enter(&vcpu);
	fake_csr_set(VSTVEC, STVEC_BASE | STVEC_MODE_VECTORED);
	trap_inject(&t, CAUSE_INTERRUPT | IRQ_S_EXT, 0);
	engine_hw.inject(&vcpu, &t);
	assert_injected(CAUSE_INTERRUPT | IRQ_S_EXT, 0, CODE, STVEC_BASE + 4 * IRQ_S_EXT);
	fake_csr_set(VSTVEC, STVEC_BASE);
	engine_hw.inject(&vcpu, &t);
	assert_int_equal(REGS.pc, STVEC_BASE);
}

static void test_engine_hw_unhandled_cause_reflected(void **state)
{
	(void)state;
	/* A cause hedeleg would have sent straight to the guest. */
	enter(&vcpu);
	trap(EXC_BREAKPOINT, CODE);
	assert_injected(EXC_BREAKPOINT, CODE, CODE, STVEC_BASE);
	assert_int_equal(vm.stats.trap_exc[EXC_BREAKPOINT], 1);
}

/* ---- ECALL from VS ----------------------------------------------------- */

static void test_engine_hw_ecall_from_vs_goes_to_sbi(void **state)
{
	(void)state;
	enter(&vcpu);
	REGS.x[A7] = 0x10;
	trap(EXC_ECALL_VS, 0);
	assert_int_equal(sbi_calls, 1);
	assert_int_equal(sbi_ecall_len, 4);
	assert_int_equal(REGS.x[A0], 0);
	assert_int_equal(REGS.x[A1], 42);
	assert_nothing_injected(CODE + 4);
	assert_int_equal(vm.stats.trap_exc[EXC_ECALL_VS], 1);
}

static void test_engine_hw_ecall_sbi_jump_and_halt(void **state)
{
	(void)state;
	enter(&vcpu);
	sbi_result = RESUME_JUMP;
	sbi_jump_pc = 0x80280000;
	trap(EXC_ECALL_VS, 0);
	assert_int_equal(REGS.pc, 0x80280000);
	sbi_result = RESUME_HALT;
	trap(EXC_ECALL_VS, 0);
	assert_nothing_injected(0x80280000);
	assert_int_equal(sbi_calls, 2);
}

/* ---- firmware_load (OpenSBI's sbi_load_ulong for a VS caller) ---------- */

/* An Sv39 address space in guest RAM (chunk 1): data at VA 0x20000. */
#define PT_ROOT     0x80300000ULL
#define PT_L1       0x80301000ULL
#define PT_L0       0x80302000ULL
#define VA_DATA     0x20000ULL
#define DATA_GPA    0x80210000ULL

static void put_pte(uint64_t table, unsigned index, uint64_t pte)
{
	assert_true(guestmem_write(&vm, table + 8 * index, &pte, 8));
}

/* The guest turns paging on by itself: only vsatp says so. */
static void guest_paging_on(void)
{
	put_pte(PT_ROOT, 0, pte_make(PT_L1, PTE_V));
	put_pte(PT_L1, 0, pte_make(PT_L0, PTE_V));
	put_pte(PT_L0, VA_DATA >> 12, pte_make(DATA_GPA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
	fake_csr_set(VSATP, (SATP_MODE_SV39 << SATP_MODE_SHIFT) | (PT_ROOT >> 12));
}

static void test_engine_hw_firmware_load_bare_reads_ram(void **state)
{
	(void)state;
	uint64_t val = 0, tval = 0, word = 0x1122334455667788ULL;

	enter(&vcpu);
	assert_true(guestmem_write(&vm, CODE + 0x100, &word, 8));
	assert_int_equal(engine_hw.firmware_load(&vcpu, CODE + 0x100, &val, &tval), 0);
	assert_int_equal(val, word);
	/* Across a page boundary, as OpenSBI's misaligned load gets it. */
	assert_true(guestmem_write(&vm, CODE + PAGE_SIZE - 4, &word, 8));
	assert_int_equal(engine_hw.firmware_load(&vcpu, CODE + PAGE_SIZE - 4, &val, &tval), 0);
	assert_int_equal(val, word);
	/* A chunk nobody touched yet: zeroed first, never stale bytes. */
	assert_int_equal(engine_hw.firmware_load(&vcpu, CHUNK2 + 8, &val, &tval), 0);
	assert_int_equal(val, 0);
	assert_true(all_bytes(ram_host(CHUNK2), 0, MMU_2M));
}

static void test_engine_hw_firmware_load_through_guest_tables(void **state)
{
	(void)state;
	uint64_t val = 0, tval = 0, word = 0xfeedfacecafebeefULL;

	enter(&vcpu);
	guest_paging_on();
	assert_true(guestmem_write(&vm, DATA_GPA + 0x18, &word, 8));
	assert_int_equal(engine_hw.firmware_load(&vcpu, VA_DATA + 0x18, &val, &tval), 0);
	assert_int_equal(val, word);
	/* Nothing mapped there: the guest's own page fault. */
	assert_int_equal(engine_hw.firmware_load(&vcpu, 0x50000, &val, &tval), EXC_LOAD_PAGE_FAULT);
	assert_int_equal(tval, 0x50000);
}

static void test_engine_hw_firmware_load_elsewhere_access_fault(void **state)
{
	(void)state;
	uint64_t val = 0, tval = 0;

	enter(&vcpu);
	assert_int_equal(engine_hw.firmware_load(&vcpu, 0x40000000, &val, &tval), EXC_LOAD_ACCESS);
	assert_int_equal(tval, 0x40000000);
	/* The firmware's own memory, which its PMP denies. */
	assert_int_equal(engine_hw.firmware_load(&vcpu, GUEST_RAM_BASE + 0x100, &val, &tval),
			 EXC_LOAD_ACCESS);
	assert_int_equal(tval, GUEST_RAM_BASE + 0x100);
}

/* ---- the other ops ----------------------------------------------------- */

static void test_engine_hw_vcpu_reset_firmware_state(void **state)
{
	(void)state;
	enter(&vcpu);
	host_csr.reset.stvec = 0x80200000;
	host_csr.reset.sie = MIP_SEIP;
	host_csr.reset.scounteren = 7;
	HW.guest_s = false;
	vcpu_reset(&vcpu, CODE, 0x82200000);
	assert_int_equal(HW.vsstatus, SSTATUS_UXL_64);
	assert_int_equal(HW.vstvec, 0x80200000);
	assert_int_equal(HW.vsie, MIP_SEIP);
	assert_int_equal(HW.scounteren, 7);
	assert_int_equal(HW.vsatp, 0);
	assert_int_equal(HW.vstimecmp, RESET_STIMECMP);
	assert_int_equal(HW.henvcfg, HENVCFG_PBMTE);    /* where the CPU keeps it */
	assert_true(HW.guest_s);
	assert_false(HW.loaded);
	assert_null(harts[0].hw_current);
	assert_int_equal(REGS.x[A1], 0x82200000);
	/* Reloaded at the next entry. */
	enter(&vcpu);
	assert_int_equal(fake_csr_get(VSTVEC), 0x80200000);
	assert_int_equal(fake_csr_write_count(VSTVEC), 2);
}

static void test_engine_hw_vcpu_resume_clears_vsatp_and_sie(void **state)
{
	(void)state;
	enter(&vcpu);
	trap_from_vu(CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	fake_csr_set(VSATP, 0x8000000000080300ULL);
	fake_csr_set(VSSTATUS, SSTATUS_UXL_64 | SSTATUS_SIE | SSTATUS_SUM);
	fake_csr_set(VSIE, MIP_STIP);
	vcpu_resume_regs(&vcpu, 0xabc);
	assert_int_equal(fake_csr_get(VSATP), 0);
	assert_int_equal(fake_csr_get(VSSTATUS), SSTATUS_UXL_64 | SSTATUS_SUM);
	assert_int_equal(fake_csr_get(VSIE), MIP_STIP);
	assert_true(HW.guest_s);
	assert_int_equal(REGS.x[A0], 0);
	assert_int_equal(REGS.x[A1], 0xabc);
	/* Off the hart: the saved copy. */
	engine_hw.leave(&vcpu);
	HW.vsatp = 0x8000000000080300ULL;
	HW.vsstatus |= SSTATUS_SIE;
	vcpu_resume_regs(&vcpu, 0);
	assert_int_equal(HW.vsatp, 0);
	assert_false(HW.vsstatus & SSTATUS_SIE);
}

static void test_engine_hw_flush_guest_tlb_when_live(void **state)
{
	(void)state;
	enter(&vcpu);
	unsigned before = hfences(0);
	vcpu_flush_guest_tlb(&vcpu, 0x10000, PAGE_SIZE, 3);
	assert_int_equal(hfences(0), before + 1);
	engine_hw.leave(&vcpu);
	/* Not on a hart: nothing now, its next entry fences (owed). */
	enum vcpu_state was = vcpu.state;
	vcpu.state = VCPU_BLOCKED;
	vcpu_flush_guest_tlb(&vcpu, 0x10000, PAGE_SIZE, 3);
	assert_int_equal(hfences(0), before + 1);
	vcpu.state = was;
	enter(&vcpu);
	assert_int_equal(hfences(0), before + 2);
}

static void test_engine_hw_vm_destroy_frees_every_table(void **state)
{
	(void)state;
	enter(&vcpu);
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, CHUNK2, CHUNK2, 0);
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, CHUNK3, CHUNK3, 0);
	guest_page_fault(EXC_LOAD_GUEST_PAGE_FAULT, RAM_BASE, RAM_BASE, 0);
	/* The root, the table of the GiB, leaf tables for chunks 0 and 3. */
	assert_true(fake_frames_live >= vm.realmap.nram + 4);
	engine_hw.vm_destroy(&vm);
	assert_null(vm.engine_vm);
	assert_int_equal(harts[0].live_hgatp, 0);
	/* Only the real map table's bookkeeping is left, until guestmem's turn. */
	assert_int_equal(fake_frames_live, vm.realmap.nram);
	guestmem_destroy(&vm);
	assert_int_equal(fake_frames_live, 0);
}

static void test_engine_hw_hart_init_delegation(void **state)
{
	(void)state;
	fake_csr_reset();
	platform.vmid_mask = 0;
	engine_hw_hart_init();
	/* The guest's own exceptions; never ECALL from VS nor the guest-page
	 * faults and virtual instructions (Trapeze's). */
	assert_int_equal(fake_csr_get(HEDELEG), 0xb1ffULL);
	assert_int_equal(fake_csr_get(HIDELEG), HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP);
	assert_int_equal(fake_csr_get(HCOUNTEREN), ~COUNTEREN_VIRTUAL);     /* cycle, instret trap */
	assert_int_equal(fake_csr_get(HENVCFG), 0);
	assert_int_equal(fake_csr_get(HVIP), 0);
	assert_int_equal(fake_csr_get(HGATP), 0);
	/* Every VMID bit the (fake) hgatp keeps. */
	assert_int_equal(platform.vmid_mask, HGATP_VMID_MASK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_engine_hw_enter_loads_vs_csrs_on_first_entry),
		T(test_engine_hw_reenter_same_vcpu_loads_nothing),
		T(test_engine_hw_leave_saves_vs_csrs),
		T(test_engine_hw_enter_after_other_vcpu_reloads),
		T(test_engine_hw_enter_while_other_vcpu_live_loads_newcomer),
		T(test_engine_hw_enter_after_leave_reloads_same_vcpu),
		T(test_engine_hw_enter_vs_guest_hstatus_and_sstatus),
		T(test_engine_hw_enter_vu_guest_privilege),
		T(test_engine_hw_vtw_only_when_contended),
		T(test_engine_hw_remote_sfence_reaches_vcpu_off_hart),
		T(test_engine_hw_leave_clears_spv),
		T(test_engine_hw_enter_writes_hgatp_when_it_changes),
		T(test_engine_hw_vmids_switch_vms_without_gvma_flush),
		T(test_engine_hw_without_vmids_switching_vms_flushes),
		T(test_engine_hw_vmid_rollover_kicks_other_harts),
		T(test_engine_hw_enter_vstimecmp_follows_sbi_timer),
		T(test_engine_hw_sbi_timer_hands_timer_to_hardware),
		T(test_engine_hw_enter_fp_switch_only_with_f),
		T(test_engine_hw_deliver_irq_soft_and_ext_to_hvip),
		T(test_engine_hw_guest_clearing_ssip_lowers_virq_soft),
		T(test_engine_hw_guest_setting_ssip_raises_virq_soft),
		T(test_engine_hw_virq_enabled_maps_vsie),
		T(test_engine_hw_timer_without_sstc_drives_vstip),
		T(test_engine_hw_timer_with_stce_leaves_vstip_to_hardware),
		T(test_engine_hw_vm_init_maps_loaded_chunk),
		T(test_engine_hw_gpf_on_ram_maps_zeroed_chunk),
		T(test_engine_hw_gpf_on_partial_chunks_maps_pages),
		T(test_engine_hw_gpf_out_of_memory_stops_vm),
		T(test_engine_hw_gpf_outside_everything_access_fault),
		T(test_engine_hw_walk_fault_on_nothing_page_fault),
		T(test_engine_hw_walk_fault_on_device_page_fault),
		T(test_engine_hw_walk_fault_on_firmware_pmp_access_fault),
		T(test_engine_hw_walk_fault_on_ram_maps_chunk),
		T(test_engine_hw_mmio_load_from_htinst),
		T(test_engine_hw_mmio_compressed_load_from_htinst),
		T(test_engine_hw_mmio_load_via_hlvx_fetch),
		T(test_engine_hw_mmio_compressed_load_via_hlvx_fetch),
		T(test_engine_hw_mmio_store_passes_rs2),
		T(test_engine_hw_mmio_fp_load_and_store),
		T(test_engine_hw_mmio_halt_keeps_pc),
		T(test_engine_hw_mmio_fetch_fault_access_fault),
		T(test_engine_hw_mmio_rejected_access_fault),
		T(test_engine_hw_mmio_misaligned_load_split),
		T(test_engine_hw_mmio_misaligned_other_insn_at_pc_access_fault),
		T(test_engine_hw_misaligned_load_reaching_nothing_split),
		T(test_engine_hw_fetch_from_device_access_fault),
		T(test_engine_hw_wfi_blocks_without_enabled_pending_irq),
		T(test_engine_hw_wfi_from_vu_illegal),
		T(test_engine_hw_stimecmp_read_before_write_is_reset_value),
		T(test_engine_hw_stimecmp_write_hands_timer_to_guest),
		T(test_engine_hw_stimecmp_set_bits_form),
		T(test_engine_hw_htimedelta_is_a_register),
		T(test_engine_hw_h_csr_illegal_with_bits_raw_vstvec),
		T(test_engine_hw_virtual_insn_unfetchable_keeps_stval),
		T(test_engine_hw_vu_rdtime_returns_time),
		T(test_engine_hw_vu_other_counter_illegal),
		T(test_engine_hw_cycle_instret_are_virtual_counters),
		T(test_engine_hw_inject_from_vu_sets_vs_trap_state),
		T(test_engine_hw_inject_from_vs_sets_spp_clears_spie),
		T(test_engine_hw_inject_delegated_masks_mode_redirected_raw),
		T(test_engine_hw_inject_interrupt_vectored),
		T(test_engine_hw_unhandled_cause_reflected),
		T(test_engine_hw_ecall_from_vs_goes_to_sbi),
		T(test_engine_hw_ecall_sbi_jump_and_halt),
		T(test_engine_hw_firmware_load_bare_reads_ram),
		T(test_engine_hw_firmware_load_through_guest_tables),
		T(test_engine_hw_firmware_load_elsewhere_access_fault),
		T(test_engine_hw_vcpu_reset_firmware_state),
		T(test_engine_hw_vcpu_resume_clears_vsatp_and_sie),
		T(test_engine_hw_flush_guest_tlb_when_live),
		T(test_engine_hw_vm_destroy_frees_every_table),
		T(test_engine_hw_hart_init_delegation),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
