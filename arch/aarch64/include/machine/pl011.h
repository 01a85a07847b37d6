/* The PL011 UART console (Arm DDI 0183), polled transmit only. */
#ifndef MACHINE_PL011_H
#define MACHINE_PL011_H

#include <kern/types.h>

/*
 * Move the console to the PL011 at physical @base, which must already be
 * mapped in the direct map. Until then the console is at VIRT_UART_BASE.
 * Locking: boot CPU only, before other CPUs print.
 */
void pl011_set_base(paddr_t base);

#endif
