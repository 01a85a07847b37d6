/*
 * The per-CPU tick: each CPU's local APIC timer in periodic mode (SDM
 * vol. 3A 10.5.4). Its input clock (the bus or core crystal clock) is not
 * architecturally discoverable on every CPU, so the boot CPU measures it
 * once against PIT channel 2 (pit.c says why channel 2); every APIC timer
 * in the machine runs from the same clock, so the secondaries reuse it.
 */
#include <kern/panic.h>
#include <kern/printk.h>
#include <machine/lapic.h>
#include <machine/pit.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

#define TIMER_DIVIDE		16
#define TIMER_DIVIDE_BITS	0x3	/* divide configuration for /16 */
#define CALIB_PIT_COUNT		(PIT_HZ / 100)	/* 10 ms */
#define CALIB_ROUNDS		3
/* QEMU's APIC timer counts at 1 GHz before the divider: the fallback
 * when there is no PIT to measure against. */
#define TIMER_HZ_FALLBACK	1000000000ull

/* Input clock in Hz; written once by the boot CPU before secondaries. */
static uint64_t lapic_timer_hz;

/* APIC timer counts (after the divider) during one PIT one-shot, or 0. */
static uint32_t calibrate_once(void)
{
	uint32_t left;
	int err;

	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BITS);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	pit_oneshot_start(CALIB_PIT_COUNT);
	lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	err = pit_oneshot_wait();
	left = lapic_read(LAPIC_TIMER_CURRENT);
	lapic_write(LAPIC_TIMER_INITIAL, 0);		/* stop it */
	return err ? 0 : UINT32_MAX - left;
}

/*
 * The smallest of a few rounds: anything that delays this CPU between
 * the PIT expiring and the counter read (an SMI, the host descheduling
 * a TCG vCPU) can only add counts, never remove them.
 */
static uint64_t lapic_timer_calibrate(void)
{
	uint32_t best = UINT32_MAX;

	for (int i = 0; i < CALIB_ROUNDS; i++) {
		uint32_t n = calibrate_once();

		if (n == 0) {
			printk("lapic: timer not calibrated; assuming %llu "
			       "Hz\n", TIMER_HZ_FALLBACK);
			return TIMER_HZ_FALLBACK;
		}
		best = MIN(best, n);
	}
	return (uint64_t)best * TIMER_DIVIDE * PIT_HZ / CALIB_PIT_COUNT;
}

/*
 * Start the calling CPU's periodic tick at @hz; returns the timer's input
 * clock in Hz. The first call (boot CPU, from smp_init()) calibrates.
 * Locking: calling CPU; the boot CPU must call it before any secondary.
 */
uint64_t arch_timer_start(unsigned int hz)
{
	uint64_t count;

	if (lapic_timer_hz == 0) {
		BUG_ON(this_cpu()->id != 0);
		lapic_timer_hz = lapic_timer_calibrate();
		count = lapic_timer_hz / TIMER_DIVIDE / hz;
		printk("lapic: timer input %llu Hz (PIT-calibrated, best of "
		       "%d x 10 ms), divide by %d, %llu counts per %u Hz "
		       "tick\n", (unsigned long long)lapic_timer_hz,
		       CALIB_ROUNDS, TIMER_DIVIDE, (unsigned long long)count,
		       hz);
	}
	count = lapic_timer_hz / TIMER_DIVIDE / hz;
	if (count == 0 || count > UINT32_MAX)
		panic("arch_timer_start: %u Hz impossible from a %llu Hz "
		      "clock", hz, (unsigned long long)lapic_timer_hz);
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BITS);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | LAPIC_VEC_TIMER);
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
	return lapic_timer_hz;
}
