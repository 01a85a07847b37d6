/*
 * Per-CPU interrupt counters (see <smp/ipi_stats.h>). One row of counters
 * per CPU, each padded to its own cache line so counting on one CPU does
 * not bounce the line of another.
 */
#include <kern/compiler.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>

#define CACHE_LINE	64

struct ipi_counts {
	uint64_t n[IPI_STAT_NKINDS];
} __aligned(CACHE_LINE);

static struct ipi_counts counts[MAX_CPUS];

void ipi_stats_inc(enum ipi_stat kind)
{
	struct ipi_counts *c = &counts[this_cpu()->id];

	/* Only this CPU writes its row: no read-modify-write atomic needed,
	 * but the store must be a single one other CPUs can read. */
	__atomic_store_n(&c->n[kind],
			 __atomic_load_n(&c->n[kind], __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

uint64_t ipi_stats_get(unsigned int cpu, enum ipi_stat kind)
{
	if (cpu >= MAX_CPUS || kind >= IPI_STAT_NKINDS)
		return 0;
	return __atomic_load_n(&counts[cpu].n[kind], __ATOMIC_RELAXED);
}
