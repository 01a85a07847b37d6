/*
 * The two legacy 8259A interrupt controllers. This kernel takes every
 * interrupt through the local APIC, so the PICs are only remapped (so a
 * stray IRQ cannot look like a CPU exception) and masked.
 */
#ifndef MACHINE_PIC8259_H
#define MACHINE_PIC8259_H

#include <kern/types.h>

#define PIC_VECTOR_BASE		0x20	/* IRQ 0..15 -> vectors 0x20..0x2f */
#define PIC_NVECTORS		16

/* Remap IRQ 0-15 to PIC_VECTOR_BASE and mask them all. Boot CPU, once,
 * interrupts off. */
void pic8259_disable(void);

/*
 * Handle a vector in the PICs' range: with every line masked it can only
 * be a spurious IRQ 7 / 15 (8259A data sheet: a request that went away
 * before the acknowledge), or one latched before the mask. Sends the EOI
 * a real in-service IRQ needs, none for a spurious one.
 * Locking: interrupt context, interrupts off.
 */
void pic8259_stray(unsigned int vector);

#endif
