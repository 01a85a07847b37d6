/*
 * The 8254 programmable interval timer, channel 2, as a polled one-shot
 * stopwatch: for delays during CPU start-up and for calibrating the local
 * APIC timer. Never an interrupt source.
 */
#ifndef MACHINE_PIT_H
#define MACHINE_PIT_H

#include <kern/types.h>

#define PIT_HZ		1193182u	/* input clock: 14.31818 MHz / 12 */
#define PIT_MAX_COUNT	0xffffu

/*
 * Start a one-shot of @count input clocks (1..PIT_MAX_COUNT).
 * Locking: boot CPU only (the PIT is one device shared by all CPUs).
 */
void pit_oneshot_start(uint16_t count);

/*
 * Wait for the one-shot started last to expire. Returns 0, or -ENODEV if
 * it never does (no PIT, e.g. QEMU -M microvm). Locking: as above.
 */
int pit_oneshot_wait(void);

/*
 * Busy-wait at least @us microseconds, timed by the PIT. Returns 0 or
 * -ENODEV. Locking: boot CPU only.
 */
int pit_delay_us(unsigned int us);

#endif
