/*
 * SBI v3.0, chapter 12 "Debug Console Extension" (EID 0x4442434E "DBCN"):
 * byte strings between guest memory and the VM's console. The byte count
 * is returned in sbiret.uvalue (v3.0's unsigned view of a1).
 */
#include "core/sbi/sbi.h"

#include "core/guestmem.h"
#include "core/vcpu.h"
#include "core/vm.h"

/* Bytes staged on the hart's stack per step. */
#define DBCN_CHUNK  256

/*
 * The buffer must satisfy "Shared memory physical address range parameter"
 * (SBI v3.0, chapter 3) or the call fails with INVALID_PARAM ("Debug
 * Console Write Errors", "... Read Errors"; chapter 3's generic
 * SBI_ERR_INVALID_ADDRESS is overridden by DBCN's own tables, which keep
 * INVALID_PARAM in v3.0): on RV64 the address is base_addr_lo
 * alone, so base_addr_hi must be 0, and every byte of
 * [base_addr_lo, base_addr_lo + num_bytes) must be guest RAM. The whole
 * range is checked even though at most SBI_DBCN_MAX_BYTES are copied.
 */
static bool dbcn_buffer_ok(struct vcpu *v, const unsigned long args[6])
{
	if (args[2] != 0)
		return false;
	return args[0] == 0 || guestmem_is_ram(v->vm, args[1], args[0]);
}

static unsigned long dbcn_bound(unsigned long num_bytes)
{
	return num_bytes < SBI_DBCN_MAX_BYTES ? num_bytes : SBI_DBCN_MAX_BYTES;
}

/* "It may do partial/no writes": value is the count written. */
static int dbcn_console_write(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long n = dbcn_bound(args[0]), done = 0;
	char buf[DBCN_CHUNK];

	if (!dbcn_buffer_ok(v, args)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	while (done < n) {
		unsigned long chunk = n - done < DBCN_CHUNK ? n - done : DBCN_CHUNK;

		if (!guestmem_read(v->vm, args[1] + done, buf, chunk))
			break;
		vm_console_write(v->vm, buf, chunk);
		done += chunk;
	}
	if (done < n && done == 0)
		ret->error = SBI_ERR_FAILED;    /* RAM checked above vanished */
	ret->value = (long)done;
	return SBI_RESUME_NEXT;
}

/* Non-blocking: takes what input is queued, up to num_bytes; value is the
 * count read, 0 with memory untouched when there is none. */
static int dbcn_console_read(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	unsigned long n = dbcn_bound(args[0]), done = 0;
	uint8_t buf[DBCN_CHUNK];

	if (!dbcn_buffer_ok(v, args)) {
		ret->error = SBI_ERR_INVALID_PARAM;
		return SBI_RESUME_NEXT;
	}
	while (done < n) {
		unsigned long want = n - done < DBCN_CHUNK ? n - done : DBCN_CHUNK, got = 0;
		int c;

		while (got < want && (c = vm_console_getc(v->vm)) >= 0)
			buf[got++] = (uint8_t)c;
		if (got == 0)
			break;
		if (!guestmem_write(v->vm, args[1] + done, buf, got)) {
			ret->error = SBI_ERR_FAILED;    /* RAM checked above vanished */
			break;
		}
		done += got;
		if (got < want)
			break;
	}
	ret->value = (long)done;
	return SBI_RESUME_NEXT;
}

/* byte is a uint8_t: the rest of a0 is ignored (the width rule in sbi.h). */
static int dbcn_console_write_byte(struct vcpu *v, const unsigned long args[6], struct sbi_ret *ret)
{
	char c = (char)(uint8_t)args[0];

	(void)ret;
	vm_console_write(v->vm, &c, 1);
	return SBI_RESUME_NEXT;
}

static const sbi_fn_t dbcn_fns[] = {
	[SBI_DBCN_CONSOLE_WRITE]      = dbcn_console_write,
	[SBI_DBCN_CONSOLE_READ]       = dbcn_console_read,
	[SBI_DBCN_CONSOLE_WRITE_BYTE] = dbcn_console_write_byte,
};

static int dbcn_handle(struct vcpu *v, unsigned long eid, unsigned long fid,
		       const unsigned long args[6], struct sbi_ret *ret)
{
	(void)eid;
	return SBI_CALL_TABLE(dbcn_fns, fid, v, args, ret);
}

SBI_EXTENSION(dbcn) = {
	.name = "dbcn",
	.eid_min = SBI_EXT_DBCN,
	.eid_max = SBI_EXT_DBCN,
	.handle = dbcn_handle,
};
