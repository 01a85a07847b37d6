/* Arm semihosting (Arm IHI 0056), used to carry the exit status out of QEMU. */
#ifndef MACHINE_SEMIHOST_H
#define MACHINE_SEMIHOST_H

#include <kern/types.h>

/*
 * Whether the emulator serves semihosting calls (QEMU: -semihosting); a
 * harmless SYS_ERRNO call that traps as UNDEFINED otherwise.
 * Locking: none.
 */
bool semihost_available(void);

/* SYS_EXIT with ADP_Stopped_ApplicationExit and @code; returns only if unavailable. */
void semihost_exit(uint32_t code);

#endif
