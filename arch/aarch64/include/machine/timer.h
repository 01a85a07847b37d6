/*
 * The Arm generic timer (Arm ARM, "The Generic Timer in AArch64 state"):
 * the system counter at CNTFRQ_EL0 Hz and this CPU's EL1 physical timer
 * (CNTP_*_EL0), the per-CPU tick.
 */
#ifndef MACHINE_TIMER_H
#define MACHINE_TIMER_H

#include <kern/types.h>

struct platform;

/*
 * Take the EL1 physical timer's INTID from the DTB (/timer "interrupts",
 * second entry) or fall back to QEMU virt's PPI 14 = INTID 30, and print
 * the timer's frequency. Locking: boot CPU only, before any other runs.
 */
void timer_init(const struct platform *p);

/*
 * Set this CPU's EL0 access to the generic timer as Linux does
 * (CNTKCTL_EL1): EL0 may read CNTVCT_EL0 and CNTFRQ_EL0; CNTPCT_EL0 and
 * the CNTP_* / CNTV_* timer registers trap. Every CPU calls it on its way
 * up, before any thread of its runs at EL0. Locking: this CPU only.
 */
void timer_cpu_init(void);

/* The INTID the timer interrupts on (a PPI, the same on every CPU). */
unsigned int timer_intid(void);

/* From the IRQ handler: re-arm the next period, count a tick.
 * Locking: interrupts off, on the CPU whose timer fired. */
void timer_handle_irq(void);

#endif
