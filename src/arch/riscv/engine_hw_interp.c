/* Out-of-line entry points of the interpreter (engine_hw_interp.h), for
 * callers that need no speed: the unit tests. */
#include "arch/riscv/engine_hw_interp.h"

bool hw_interp_expand_rvc(uint32_t c, uint32_t *out)
{
	return hw_interp_expand_rvc_inline(c, out);
}

bool hw_interp_step(const struct hw_interp_ops *ops, void *ctx, uint64_t x[32], uint64_t *pc,
		    uint32_t raw)
{
	return hw_interp_step_inline(ops, ctx, x, pc, raw);
}
