/*
 * Fidelity runtime, the C half: for every program of the batch
 * (fid_programs[], written by run.py) restore the reset state, run it
 * (fid_enter) and dump its architectural state, one deterministic line per
 * item:
 *
 *   prog SEED
 *   x1=0x...            (x1..x31)
 *   sstatus=0x... sie=... (the S CSRs, then senvcfg/stimecmp when present)
 *   fcsr=0x.. fregs=0x.. (when sstatus.FS != Off)
 *   mem 0xADDR h h h h h h h h   (hash of each 4 KiB page, data then tables)
 *   traps N [aborted]
 *   trap I cause=0x.. tval=0x.. epc=+0x.. spp=S spie=P
 *   end SEED
 *
 * and "done" after the last one, then SBI SRST shutdown.
 */
#include "guest.h"
#include "fid.h"

struct fid_desc {
	unsigned long seed, entry;
	const unsigned long *image;
	unsigned long image_count, fs, fcsr;
	unsigned long x[32];
	unsigned long f[32];
};

extern const struct fid_desc *const fid_programs[];
extern const unsigned long fid_program_count;
extern unsigned long fid_ctx[CTX_SIZE / 8];
extern char fid_vec[];

void fid_enter(unsigned long entry);
void fid_fp_load(const unsigned long f[32], unsigned long fcsr);
void fid_fp_save(unsigned long f[32]);

#define CTX(off) fid_ctx[(off) / 8]

static int has_senvcfg, has_stimecmp;

/* A CSR access that may trap: the handler logs it and steps over it. */
static int fid_probe_traps(void (*fn)(void))
{
	unsigned long before = CTX(CTX_LOGN);

	fn();
	return CTX(CTX_LOGN) != before;
}

static void probe_senvcfg(void) { __asm__ volatile("csrw senvcfg, zero" ::: "memory"); }
static void probe_stimecmp(void) { __asm__ volatile("csrw stimecmp, %0" :: "r"(-1L) : "memory"); }

/* xorshift64: the data area's pattern, from the program's seed. */
static unsigned long fid_next(unsigned long *s)
{
	unsigned long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * Code stubs on data pages 30 and 31 (see fid.h), which programs call
 * through their own mappings; written as words so this file needs no
 * assembler tricks. Unprivileged ISA 20191213, chapter 2 encodings.
 */
#define INSN_ADDI_A0(imm) (0x00050513u | ((unsigned)(imm) << 20))
#define INSN_RET          0x00008067u
#define INSN_EBREAK       0x00100073u

static void fid_put32(unsigned long addr, uint32_t v)
{
	volatile uint16_t *p = (volatile uint16_t *)addr;

	p[0] = (uint16_t)v;
	p[1] = (uint16_t)(v >> 16);
}

static void fid_write_stubs(void)
{
	unsigned long page = FID_DATA_BASE + FID_STUB_PAGE * FID_PAGE_SIZE;

	fid_put32(page + FID_STUB_INC, INSN_ADDI_A0(1));
	fid_put32(page + FID_STUB_INC + 4, INSN_RET);
	fid_put32(page + FID_STUB_EBREAK, INSN_EBREAK);
	fid_put32(page + FID_STUB_EBREAK + 4, INSN_ADDI_A0(5));
	fid_put32(page + FID_STUB_EBREAK + 8, INSN_RET);
	fid_put32(page + FID_STUB_CROSS, INSN_ADDI_A0(3));
	fid_put32(page + FID_STUB_CROSS + 4, INSN_RET);
	__asm__ volatile("fence.i" ::: "memory");
}

static void fid_reset_memory(const struct fid_desc *d)
{
	volatile unsigned long *p = (volatile unsigned long *)FID_DATA_BASE;
	unsigned long s = d->seed * 0x9e3779b97f4a7c15UL + 1;

	for (unsigned long i = 0; i < FID_DATA_PAGES * FID_PAGE_SIZE / 8; i++)
		p[i] = fid_next(&s);
	fid_write_stubs();
	p = (volatile unsigned long *)FID_PT_BASE;
	for (unsigned long i = 0; i < FID_PT_PAGES * FID_PAGE_SIZE / 8; i++)
		p[i] = 0;
	for (unsigned long i = 0; i < d->image_count; i++)
		*(volatile unsigned long *)d->image[2 * i] = d->image[2 * i + 1];
}

/*
 * The reset state: Bare, no interrupts enabled or pending, our vector,
 * zeroed trap CSRs, the timer far away (SBI and stimecmp), htimedelta 0
 * (OpenSBI emulates it for S-mode, Trapeze too: a program may write it),
 * FP registers from the descriptor, then sstatus = SPP=1, FS from it.
 */
static void fid_reset_csrs(const struct fid_desc *d)
{
	csr_write(sie, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_clear(sip, SIP_SSIP);
	csr_write(stvec, (unsigned long)fid_vec);
	csr_write(sscratch, 0);
	csr_write(sepc, 0);
	csr_write(scause, 0);
	csr_write(stval, 0);
	csr_write(scounteren, 7);
	if (has_senvcfg)
		csr_write(senvcfg, 0);
	sbi_set_timer(~0UL);
	if (has_stimecmp)
		csr_write(stimecmp, ~0UL);
	__asm__ volatile("csrw 0x605, zero" ::: "memory");
	csr_set(sstatus, SSTATUS_FS_DIRTY);
	fid_fp_load(d->f, d->fcsr);
	csr_write(sstatus, 0x200000000UL | SSTATUS_SPP | ((d->fs & 3) << 13));
}

static unsigned long fid_hash(const volatile unsigned long *p, unsigned long n)
{
	unsigned long h = 0xcbf29ce484222325UL;

	for (unsigned long i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3UL;
		h ^= h >> 29;
	}
	return h;
}

static void fid_dump_memory(unsigned long base, unsigned pages)
{
	for (unsigned i = 0; i < pages; i += 8) {
		printf("mem 0x%lx", base + i * FID_PAGE_SIZE);
		for (unsigned j = i; j < i + 8 && j < pages; j++)
			printf(" %lx", fid_hash((const volatile unsigned long *)(base + j * FID_PAGE_SIZE),
						FID_PAGE_SIZE / 8));
		printf("\n");
	}
}

static void fid_dump(const struct fid_desc *d, unsigned long senvcfg, unsigned long stimecmp)
{
	static const char *const names[FID_CSR_COUNT] = {
		"sstatus", "sie", "sip", "stvec", "sscratch", "sepc", "scause",
		"stval", "satp", "scounteren",
	};
	unsigned long sstatus = CTX(CTX_CSRS + FID_CSR_SSTATUS * 8);
	unsigned long n = CTX(CTX_LOGN);

	for (unsigned i = 1; i < 32; i++)
		printf("x%u=0x%lx\n", i, CTX(CTX_REGS + i * 8));
	for (unsigned i = 0; i < FID_CSR_COUNT; i++)
		printf("%s=0x%lx\n", names[i], CTX(CTX_CSRS + i * 8));
	if (has_senvcfg)
		printf("senvcfg=0x%lx\n", senvcfg);
	if (has_stimecmp)
		printf("stimecmp=0x%lx\n", stimecmp);
	if (sstatus & SSTATUS_FS) {
		static unsigned long f[32];
		unsigned long fcsr;

		fid_fp_save(f);
		__asm__ volatile("frcsr %0" : "=r"(fcsr));
		printf("fcsr=0x%lx fregs=0x%lx\n", fcsr, fid_hash(f, 32));
	}
	fid_dump_memory(FID_DATA_BASE, FID_DATA_PAGES);
	fid_dump_memory(FID_PT_BASE, FID_PT_PAGES);
	printf("traps %lu%s\n", n, CTX(CTX_ABORT) ? " aborted" : "");
	for (unsigned long i = 0; i < n && i < FID_LOG_MAX; i++) {
		const unsigned long *e = &CTX(CTX_LOG + i * 32);

		printf("trap %lu cause=0x%lx tval=0x%lx epc=%s0x%lx spp=%lu spie=%lu\n", i,
		       e[0], e[1], (long)e[2] < 0 ? "-" : "+",
		       (long)e[2] < 0 ? -e[2] : e[2], (e[3] >> 8) & 1, (e[3] >> 5) & 1);
	}
	printf("end %lu\n", d->seed);
}

static void fid_run(const struct fid_desc *d)
{
	unsigned long senvcfg = 0, stimecmp = 0;

	fid_reset_memory(d);
	fid_reset_csrs(d);
	for (unsigned i = 0; i < 32; i++)
		CTX(CTX_INIT + i * 8) = d->x[i];
	CTX(CTX_LOGN) = 0;
	CTX(CTX_ABORT) = 0;
	fid_enter(d->entry);
	/* Read before anything can change them; neither traps when present. */
	if (has_senvcfg)
		senvcfg = csr_read(senvcfg);
	if (has_stimecmp)
		stimecmp = csr_read(stimecmp);
	printf("prog %lu\n", d->seed);
	fid_dump(d, senvcfg, stimecmp);
}

void fid_main(void)
{
	has_senvcfg = !fid_probe_traps(probe_senvcfg);
	has_stimecmp = !fid_probe_traps(probe_stimecmp);
	printf("fidelity: %lu programs\n", fid_program_count);
	for (unsigned long i = 0; i < fid_program_count; i++)
		fid_run(fid_programs[i]);
	guest_done();
}
