/*
 * arch_clock_ns() from the TSC. The boot CPU measures the TSC rate once
 * against PIT channel 2, as lapic_timer.c does for the APIC timer. The
 * TSC is a single clock for the whole machine here: QEMU derives every
 * vCPU's TSC from one host clock (under -icount, from the instruction
 * count), so readings on different CPUs are comparable and the clock is
 * consistent across CPUs.
 */
#include <kern/compiler.h>
#include <kern/printk.h>
#include <kern/thread_md.h>
#include <machine/pit.h>
#include <machine/tsc.h>

#define NSEC_PER_SEC		1000000000ull
#define CALIB_PIT_COUNT		(PIT_HZ / 100)	/* 10 ms */
#define CALIB_ROUNDS		3
/* What QEMU's TSC counts at under -icount shift=0; the guess when there
 * is no PIT to measure against. */
#define TSC_HZ_FALLBACK		NSEC_PER_SEC

/* Written once by the boot CPU before secondaries, then read-only. */
static uint64_t tsc_hz;
static uint64_t tsc_base;

/* TSC ticks during one PIT one-shot, or 0 without a PIT. */
static uint64_t calibrate_once(void)
{
	uint64_t t0 = rdtsc();
	int err;

	pit_oneshot_start(CALIB_PIT_COUNT);
	err = pit_oneshot_wait();
	return err ? 0 : rdtsc() - t0;
}

/* The smallest round: a delay (an SMI, the host descheduling the vCPU)
 * can only add ticks to a round, never remove them. */
void x86_tsc_init(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < CALIB_ROUNDS && best != 0; i++)
		best = MIN(best, calibrate_once());
	if (best == 0) {
		tsc_hz = TSC_HZ_FALLBACK;
		printk("tsc: not calibrated; assuming %llu Hz\n",
		       (unsigned long long)tsc_hz);
	} else {
		tsc_hz = best * PIT_HZ / CALIB_PIT_COUNT;
		printk("tsc: %llu Hz (PIT-calibrated, best of %d x 10 ms)\n",
		       (unsigned long long)tsc_hz, CALIB_ROUNDS);
	}
	tsc_base = rdtsc();
}

/*
 * Split so the product never overflows: (d % hz) * 10^9 < hz * 10^9,
 * below 2^64 for any TSC under 18 GHz. Returns 0 before x86_tsc_init().
 */
uint64_t arch_clock_ns(void)
{
	uint64_t hz = READ_ONCE(tsc_hz);
	uint64_t d;

	if (hz == 0)
		return 0;
	d = rdtsc() - tsc_base;
	return d / hz * NSEC_PER_SEC + d % hz * NSEC_PER_SEC / hz;
}
