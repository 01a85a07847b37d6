/*
 * Per-CPU counters of the coherence layer (see <smp/tlb_stats.h>): one
 * block per CPU, padded to whole cache lines.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <smp/cpuset.h>
#include <smp/tlb_stats.h>

#define CACHE_LINE	64

/* 8-byte aligned even on i686, where the ABI aligns uint64_t to 4: a
 * counter must be one single-copy-atomic 64-bit access. */
typedef uint64_t count_t __aligned(8);

struct tlb_counts {
	count_t n[TLB_STAT_NKINDS];
	count_t lat[TLB_LAT_BUCKETS];
} __aligned(CACHE_LINE);

static struct tlb_counts counts[MAX_CPUS];

const char *const tlb_stat_names[TLB_STAT_NKINDS] = {
	[TLB_STAT_SHOOTDOWNS] = "shootdowns",
	[TLB_STAT_IPI_SENT] = "ipi_sent",
	[TLB_STAT_IPI_RECV] = "ipi_received",
	[TLB_STAT_QUEUED] = "queued",
	[TLB_STAT_COALESCED] = "coalesced",
	[TLB_STAT_HANDLED] = "handled",
	[TLB_STAT_SKIPPED] = "skipped_by_gen",
	[TLB_STAT_PAGE_FLUSH] = "page_flushes",
	[TLB_STAT_ASID_FLUSH] = "asid_flushes",
	[TLB_STAT_FULL_FLUSH] = "full_flushes",
	[TLB_STAT_LAZY_SKIPPED] = "lazy_skipped",
	[TLB_STAT_CATCHUP] = "catchup_flushes",
	[TLB_STAT_BROADCAST] = "broadcast_tlbi",
	[TLB_STAT_UNLOADS] = "lazy_unloads",
	[TLB_STAT_ASID_ALLOC] = "asid_allocs",
	[TLB_STAT_ASID_ROLLOVER] = "asid_rollovers",
	[TLB_STAT_SLOT_EVICT] = "slot_evictions",
	[TLB_STAT_MERGED] = "merged_flushes",
};

/* Only the owning CPU writes its block, so no read-modify-write atomic is
 * needed; the store is a single one that other CPUs can read whole. */
static void bump(count_t *slot, unsigned long n)
{
	__atomic_store_n(slot, __atomic_load_n(slot, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

void tlb_stat_add(enum tlb_stat kind, unsigned long n)
{
	unsigned int cpu = arch_cpu_id();

	if (cpu < MAX_CPUS && kind < TLB_STAT_NKINDS)
		bump(&counts[cpu].n[kind], n);
}

uint64_t tlb_stat_get(unsigned int cpu, enum tlb_stat kind)
{
	if (cpu >= MAX_CPUS || kind >= TLB_STAT_NKINDS)
		return 0;
	return __atomic_load_n(&counts[cpu].n[kind], __ATOMIC_RELAXED);
}

void tlb_stat_latency(uint64_t ns)
{
	unsigned int cpu = arch_cpu_id(), b = 0;

	while (b + 1 < TLB_LAT_BUCKETS && ns >> (b + 1))
		b++;
	if (cpu < MAX_CPUS)
		bump(&counts[cpu].lat[b], 1);
}

uint64_t tlb_stat_latency_get(unsigned int cpu, unsigned int b)
{
	if (cpu >= MAX_CPUS || b >= TLB_LAT_BUCKETS)
		return 0;
	return __atomic_load_n(&counts[cpu].lat[b], __ATOMIC_RELAXED);
}
