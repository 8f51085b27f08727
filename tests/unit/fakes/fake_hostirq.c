/* The host's interrupt controller for host tests of arch code that routes
 * a supervisor external interrupt to it (dispatch.c): counts the calls. */
#include "core/hostirq.h"

unsigned fake_hostirq_handled;

void hostirq_handle(void)
{
	fake_hostirq_handled++;
}

bool hostirq_active(void)
{
	return false;
}
