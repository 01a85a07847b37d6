/*
 * The benchmark program's shared parts: the clock, samples and their
 * quantiles, the coherence counters read around a measurement, the result
 * line, and the list of cases. One static binary per arch, built against
 * user/ (Linux ABI), runs unchanged as /init on this kernel and on Linux.
 * What each case measures: bench/README.md.
 *
 * Every case runs in a child process of its own (bench_run_case), so a
 * case's address space, threads and pinning never leak into the next and
 * a case that kills its process (out of memory) fails alone.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_CPUS		64
#define BENCH_MAX_SAMPLES	8192

#define ARRAY_LEN(a)		(sizeof(a) / sizeof((a)[0]))

/* What the command line asked for (bench/main.c). */
struct bench_opts {
	bool quick;
	unsigned int fault_pages;	/* pages per fault case */
	uint64_t budget_ns;		/* measured time a case aims for */
	unsigned int min_iters, max_iters;
	unsigned int smp_max;		/* shootdown: at most this many CPUs */
};

extern struct bench_opts bench_opts;

/* The CPUs the program started with (its affinity mask), in order. */
extern unsigned int bench_cpus[BENCH_MAX_CPUS];
extern unsigned int bench_ncpus;

/* --- clock.c ------------------------------------------------------------ */

/*
 * Calibrate the cycle counter against CLOCK_MONOTONIC (x86: TSC; aarch64:
 * CNTFRQ_EL0 is the rate). Returns 0 or -errno.
 */
int bench_clock_init(void);
/* The counter's name ("tsc", "cntvct") and its rate in Hz. */
const char *bench_clock_name(void);
uint64_t bench_clock_hz(void);

/* Read the cycle counter: no system call, so it costs the same on both
 * kernels. Ordered after earlier instructions (lfence / isb). */
static inline uint64_t bench_ticks(void)
{
#if defined(__aarch64__)
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
#else
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
#endif
}

/* @ticks of bench_ticks() in nanoseconds (no overflow below 2^64 ns). */
uint64_t bench_ticks_to_ns(uint64_t ticks);

/* --- stats.c ------------------------------------------------------------ */

/* One case's samples (in ticks) and what they are about. */
struct bench_samples {
	uint64_t *t;		/* BENCH_MAX_SAMPLES, mapped and touched */
	unsigned int n;
	uint64_t sum;		/* of the samples, in ticks */
};

/*
 * Map and pre-fault the sample array, so recording a sample never faults.
 * Returns 0 or -ENOMEM.
 */
int bench_samples_init(struct bench_samples *s);
void bench_samples_add(struct bench_samples *s, uint64_t ticks);
/* Should the loop go on: fewer than min_iters, or within the time budget
 * and below max_iters (and the array)? */
bool bench_samples_more(const struct bench_samples *s, unsigned int max);
/* Sort @t[0..n) ascending. */
void bench_sort(uint64_t *t, unsigned int n);
/* The @pct-th percentile (nearest rank) of sorted @t[0..n). */
uint64_t bench_percentile(const uint64_t *t, unsigned int n, unsigned int pct);

/* --- counters.c ----------------------------------------------------------- */

/* The counters of the coherence layer, summed over CPUs. */
enum bench_counter {
	BC_IPIS,		/* /proc/interrupts, on both kernels */
	BC_SHOOTDOWNS,		/* the rest: /proc/tlbk/shootdown (tlbk) */
	BC_IPI_SENT,
	BC_PAGE_FLUSHES,
	BC_ASID_FLUSHES,
	BC_FULL_FLUSHES,
	BC_COALESCED,
	BC_SKIPPED,
	BC_LAZY_SKIPPED,
	BC_BROADCAST,
	BC_MERGED,
	BC_CATCHUP,
	BC_NCOUNTERS
};

/* The counters' names: their keys on result lines and, but for "ipis",
 * their rows in /proc/tlbk/shootdown. */
extern const char *const bench_counter_names[BC_NCOUNTERS];

#define BENCH_MAX_PHASES	32
#define BENCH_PHASE_NAME	24

/* One phase of this kernel's /proc/tlbk/profile: "name count total_ns". */
struct bench_phase {
	char name[BENCH_PHASE_NAME];
	uint64_t count, total_ns;
};

struct bench_counts {
	uint64_t v[BC_NCOUNTERS];
	bool have[BC_NCOUNTERS];	/* false: this kernel has no such counter */
	struct bench_phase phase[BENCH_MAX_PHASES];
	unsigned int nphases;		/* 0 on Linux */
};

/*
 * Make /proc/interrupts readable (Linux: mount proc on /proc if the file
 * is missing; this kernel has it built in). Returns 0 or -errno.
 */
int bench_counters_init(void);
/* Read every counter now. Opens and reads files: call it outside the
 * timed region. */
void bench_counters_read(struct bench_counts *c);
/* Is this kernel tlbk (it has /proc/tlbk/shootdown)? */
bool bench_is_tlbk(void);

/* --- report.c --------------------------------------------------------------- */

/*
 * Print the case's "# bench:" line: @name, its identifying @params
 * ("mib=64 pinned=1", may be ""), iterations, median / p90 / p99 / mean /
 * min in ns, and each counter's change from @before to @after per
 * iteration ("n/a" where the kernel has none). Sorts @s.
 */
void bench_report(const char *name, const char *params,
		  struct bench_samples *s, const struct bench_counts *before,
		  const struct bench_counts *after);

/* The "# bench-info:" line: kernel, arch, CPUs, clock and options. */
void bench_report_info(void);
const char *bench_kernel_name(void);
const char *bench_arch_name(void);

/* --- cases ------------------------------------------------------------------- */

/* One result line: a function run in its own child process. */
struct bench_case {
	char name[48];
	char params[80];
	/* Returns true if every operation did what it must (data checked). */
	bool (*run)(const struct bench_case *c);
	unsigned long a, b, c;	/* the case's own parameters */
};

/* Append the cases of each group to @out (at most @max); return the new
 * count. */
unsigned int bench_fault_cases(struct bench_case *out, unsigned int n,
			       unsigned int max);
unsigned int bench_fork_cases(struct bench_case *out, unsigned int n,
			      unsigned int max);
unsigned int bench_shootdown_cases(struct bench_case *out, unsigned int n,
				   unsigned int max);

/* Pin the calling thread to CPU @cpu (index into bench_cpus), or let it
 * run on every CPU the program started with (@cpu < 0). */
long bench_pin(int cpu);

/* Map @pages anonymous private read-write pages; NULL on failure. With
 * @touch, write each page once so it is resident. */
char *bench_map(unsigned long pages, bool touch);

#endif
