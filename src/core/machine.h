/* Ending the whole machine: QEMU exits with the given status. */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

/* Exit QEMU through the sifive,test finisher (status 0 = pass), or through
 * SBI SRST when the board has none. Never returns. */
_Noreturn void machine_exit(unsigned status);

#endif
