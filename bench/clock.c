/*
 * The benchmark clock: the cycle counter read from user mode (x86 TSC,
 * aarch64 CNTVCT_EL0), so a sample costs no system call and the same on
 * both kernels. Under TCG it follows host time; under -icount shift=0 it
 * counts guest instructions (PLATFORM.md), so the "ns" of a result are
 * then instructions.
 */
#include <u/errno.h>
#include <u/proc.h>

#include "bench.h"

#define NSEC_PER_SEC		1000000000ULL
/* Long enough that two clock_gettime calls' cost is noise (< 0.1%). */
#define CALIBRATE_NS		20000000LL

static uint64_t clock_hz;

#if defined(__aarch64__)
static uint64_t counter_rate(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

const char *bench_clock_name(void)
{
	return "cntvct";
}
#else
/* The TSC's rate against CLOCK_MONOTONIC over CALIBRATE_NS. */
static uint64_t counter_rate(void)
{
	long long t0 = proc_now_ns(), t1;
	uint64_t c0 = bench_ticks(), c1;

	if (t0 == 0)
		return 0;
	do {
		t1 = proc_now_ns();
	} while (t1 - t0 < CALIBRATE_NS && t1 != 0);
	c1 = bench_ticks();
	if (t1 <= t0)
		return 0;
	return (c1 - c0) * NSEC_PER_SEC / (uint64_t)(t1 - t0);
}

const char *bench_clock_name(void)
{
	return "tsc";
}
#endif

int bench_clock_init(void)
{
	clock_hz = counter_rate();
	return clock_hz ? 0 : -EINVAL;
}

uint64_t bench_clock_hz(void)
{
	return clock_hz;
}

uint64_t bench_ticks_to_ns(uint64_t ticks)
{
	/* Whole seconds and the rest apart: ticks * 1e9 would overflow for
	 * a few seconds of a GHz counter. */
	return ticks / clock_hz * NSEC_PER_SEC +
	       ticks % clock_hz * NSEC_PER_SEC / clock_hz;
}
