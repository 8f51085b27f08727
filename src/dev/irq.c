#include "dev/irq.h"

#include "core/vm.h"
#include "dev/plic.h"

void irq_line_set(const struct irq_line *l, bool level)
{
	if (l->vm && l->vm->irqchip)
		plic_set_level(l->vm->irqchip, l->source, level);
}
