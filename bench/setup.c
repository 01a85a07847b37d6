/*
 * What cases set up before they measure: where a thread runs and the
 * memory it works on.
 */
#include <u/proc.h>
#include <u/sys.h>

#include "bench.h"

#define LONG_BITS	(8 * sizeof(unsigned long))

long bench_pin(int cpu)
{
	unsigned long mask[PROC_MAX_CPUS / LONG_BITS] = { 0 };

	if (cpu >= 0)
		return proc_pin(bench_cpus[(unsigned int)cpu % bench_ncpus]);
	for (unsigned int i = 0; i < bench_ncpus; i++)
		mask[bench_cpus[i] / LONG_BITS] |= 1UL << (bench_cpus[i] % LONG_BITS);
	return sys_sched_setaffinity(0, sizeof(mask), mask);
}

char *bench_map(unsigned long pages, bool touch)
{
	long p = sys_mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (sys_err(p))
		return NULL;
	if (touch)
		for (unsigned long i = 0; i < pages; i++)
			((volatile char *)p)[i * PAGE_SIZE] = 1;
	return (char *)p;
}
