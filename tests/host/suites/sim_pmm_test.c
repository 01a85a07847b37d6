/*
 * Suite sim_pmm: the pmm's per-CPU caches with several simulated CPUs,
 * which a single-CPU guest cannot show: frames freed on another CPU than
 * the one that allocated them, and exhaustion while another CPU's cache
 * still holds frames. pmm_free_count() must stay exact throughout.
 */
#include <ktest/ktest.h>
#include <mm/pmm.h>
#include <sim/sim.h>

static unsigned long cached_on(unsigned int cpu)
{
	return pmm_pcpu_count(cpu);
}

static void drain_all(void)
{
	for (unsigned int cpu = 0; cpu < SIM_CPUS; cpu++) {
		host_cpu_set(cpu);
		pmm_drain_local();
	}
	host_cpu_set(0);
}

static void free_on_other_cpu(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *pg;

	drain_all();
	host_cpu_set(1);
	pg = pmm_alloc(0, PMM_DIRECT);
	KASSERT_NOT_NULL(t, pg);
	KEXPECT_EQ(t, cached_on(1), PMM_PCPU_BATCH - 1);
	host_cpu_set(2);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, cached_on(2), 1);
	KEXPECT_EQ(t, pmm_free_count(), before);
	drain_all();
	for (unsigned int cpu = 0; cpu < SIM_CPUS; cpu++)
		KEXPECT_EQ(t, cached_on(cpu), 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* CPU 0 takes everything it can; what CPU 1 caches stays free and
 * counted, and comes back when CPU 1 drains. */
static void exhaustion_with_remote_cache(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *list = NULL, *pg;

	drain_all();
	host_cpu_set(1);
	pg = pmm_alloc(0, 0);
	KASSERT_NOT_NULL(t, pg);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, cached_on(1), PMM_PCPU_BATCH);
	host_cpu_set(0);
	for (int order = PMM_MAX_ORDER; order >= 0; order--) {
		while ((pg = pmm_alloc((unsigned int)order, 0)) != NULL) {
			pg->next = list;
			list = pg;
		}
	}
	KEXPECT_EQ(t, pmm_free_count(), PMM_PCPU_BATCH);
	KEXPECT_EQ(t, cached_on(1), PMM_PCPU_BATCH);
	host_cpu_set(1);
	pmm_drain_local();
	host_cpu_set(0);
	pg = pmm_alloc(0, 0);
	KEXPECT_NOT_NULL(t, pg);
	if (pg)
		pmm_free(pg, 0);
	while ((pg = list) != NULL) {
		list = pg->next;
		pg->next = NULL;
		pmm_free(pg, pg->order);
	}
	drain_all();
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE(sim_pmm,
	    KTEST_CASE(free_on_other_cpu),
	    KTEST_CASE(exhaustion_with_remote_cache));
