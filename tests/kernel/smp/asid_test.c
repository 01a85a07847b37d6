/*
 * Suite asid: the ASID layer (smp/asid*.c) on real CPUs, through the tags
 * tlb_tag_here reports and the allocation / rollover / eviction counters.
 *
 * QEMU cannot show an ASID reuse bug as a stale read (PLATFORM.md: any
 * TTBR0 ASID change flushes its whole TLB); the host suite sim_asid does
 * that against the simulated TLB. Here the allocator's rules are checked:
 * tags stay within the width, a full bitmap rolls the generation over,
 * a CPU running a space through a rollover keeps its tag (its
 * reservation) and no other space gets it, and every CPU flushes its
 * whole TLB before it loads a tag of the new generation.
 *
 * Rollovers need few tags: the harness runs this suite with
 * tlb.asid_bits=3 on aarch64 (*-asid-bits3-smp4); at the CPU's full width
 * the rollover cases skip. Untagged CPUs (x86 under TCG, i686) check only
 * that every tag is 0.
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <ktest/ktest_smp.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <smp/asid.h>
#include <smp/cpu.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>
#include <smp/xcall.h>

#define UVA		((vaddr_t)0x20000000)
#define PROT_RW		(VM_READ | VM_WRITE)
#define MAX_SPACES	40	/* enough for three rollovers at 3 bits */
#define SMALL_BITS	5	/* rollover cases need at most this width */
#define FAIL(t, ...)	ktest_check((t), false, __FILE__, __LINE__, __VA_ARGS__)

static struct pmap *spaces[MAX_SPACES];
static struct pmap *own[MAX_CPUS];	/* the space each other CPU runs */
static unsigned int own_tag[MAX_CPUS];
static struct page *frame;

static uint64_t stat_sum(enum tlb_stat k)
{
	uint64_t n = 0;
	unsigned int cpu;

	for_each_cpu_in(cpu, &cpus_online)
		n += tlb_stat_get(cpu, k);
	return n;
}

/* @n user pmaps with one page at UVA; false (and nothing left) if out
 * of memory. */
static bool make_spaces(struct pmap **out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		out[i] = pmap_create();
		if (!out[i] || pmap_enter(out[i], UVA, page_to_phys(frame),
					  PROT_RW, NULL) != 0) {
			if (out[i])
				pmap_destroy(out[i]);
			while (i--)
				pmap_destroy(out[i]);
			return false;
		}
	}
	return true;
}

static void destroy_spaces(struct pmap **pms, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (pms[i])
			pmap_destroy(pms[i]);
}

/* Activate @pm here and return the tag it got. */
static unsigned int run_here(struct pmap *pm)
{
	unsigned long irq;
	unsigned int tag;

	pmap_activate(pm);
	irq = arch_irq_save();
	tag = tlb_tag_here(pm);
	arch_irq_restore(irq);
	return tag;
}

static void load_own(void *arg)
{
	unsigned int id = this_cpu()->id;

	(void)arg;
	own_tag[id] = run_here(own[id]);
}

static void load_kernel_root(void *arg)
{
	(void)arg;
	pmap_activate(pmap_kernel());
}

static bool setup(struct ktest *t, unsigned int n)
{
	frame = ktest_frame_with(0x5a5a5a5a);
	if (!frame) {
		FAIL(t, "no frame");
		return false;
	}
	if (!make_spaces(spaces, n)) {
		pmm_free(frame, 0);
		FAIL(t, "no memory for %u pmaps", n);
		return false;
	}
	return true;
}

static void teardown(unsigned int n)
{
	ktest_run_on_others(load_kernel_root, NULL);
	load_kernel_root(NULL);
	destroy_spaces(spaces, n);
	pmm_free(frame, 0);
}

/* Every activation gets a tag inside the width; 0 only when untagged. */
static void tags_within_width(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int n = 3 * ASID_SLOTS, bad = 0;
	unsigned int limit = asid_bits() ? 1u << asid_bits() : 1;

	KASSERT_TRUE(t, setup(t, n));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int tag = run_here(spaces[i]);

		if (tag >= limit || (asid_mode() != ASID_UNTAGGED && !tag)) {
			ktest_diag(t, "space %u got tag %u (%s, %u bits)", i,
				   tag, asid_mode_name(), asid_bits());
			bad++;
		}
	}
	KEXPECT_EQ(t, bad, 0);
	teardown(n);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Per-CPU tags: one slot per tag, LRU; the (ASID_SLOTS + 1)th space
 * evicts one and its re-activation gets a slot again. */
static void percpu_slots_evict_lru(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int n = ASID_SLOTS + 1;
	uint64_t ev0, al0;

	if (asid_mode() != ASID_PER_CPU) {
		ktest_skip(t, "needs per-CPU tags (x86_64 with PCID)");
		return;
	}
	KASSERT_TRUE(t, setup(t, n));
	ev0 = tlb_stat_get(this_cpu()->id, TLB_STAT_SLOT_EVICT);
	al0 = tlb_stat_get(this_cpu()->id, TLB_STAT_ASID_ALLOC);
	for (unsigned int i = 0; i < n; i++)
		run_here(spaces[i]);
	/* spaces[0] was the least recently used: it was the one evicted. */
	KEXPECT_EQ(t, tlb_stat_get(this_cpu()->id, TLB_STAT_SLOT_EVICT) - ev0,
		   1);
	KEXPECT_EQ(t, run_here(spaces[n - 1]), run_here(spaces[n - 1]));
	run_here(spaces[0]);
	KEXPECT_EQ(t, tlb_stat_get(this_cpu()->id, TLB_STAT_ASID_ALLOC) - al0,
		   n + 1);
	teardown(n);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static const char *needs_small_global(void)
{
	if (asid_mode() != ASID_GLOBAL)
		return "needs global tags (aarch64 with tlb.asid=1)";
	if (asid_bits() > SMALL_BITS)
		return "needs tlb.asid_bits<=5 for rollovers";
	return NULL;
}

/*
 * Other CPUs each run a space of their own while this CPU goes through
 * more spaces than there are tags: the generation rolls over, the other
 * CPUs keep their tags, no space this CPU ran after the last rollover got
 * one of them, and each other CPU does one full flush when it next loads
 * a space.
 */
static void rollover_keeps_running_tags(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int cpu, self = this_cpu()->id, n, clash = 0, kept = 0;
	unsigned int flushed = 0, saved[MAX_CPUS];
	unsigned int others = cpuset_count(&cpus_online) - 1;
	uint64_t roll0, full0[MAX_CPUS];
	const char *why = needs_small_global();

	if (why) {
		ktest_skip(t, why);
		return;
	}
	n = MIN(MAX_SPACES, 3u << asid_bits());
	KASSERT_TRUE(t, setup(t, n));
	memset(own, 0, sizeof(own));
	for_each_cpu_in(cpu, &cpus_online) {
		if (cpu == self)
			continue;
		if (!make_spaces(&own[cpu], 1)) {
			FAIL(t, "no memory for cpu %u's pmap", cpu);
			goto out;
		}
	}
	ktest_run_on_others(load_own, NULL);
	memcpy(saved, own_tag, sizeof(saved));
	roll0 = stat_sum(TLB_STAT_ASID_ROLLOVER);
	/* Their tags are reserved in every generation: never handed out. */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int tag = run_here(spaces[i]);

		for_each_cpu_in(cpu, &cpus_online)
			clash += cpu != self && saved[cpu] == tag;
	}
	KEXPECT_GE(t, stat_sum(TLB_STAT_ASID_ROLLOVER) - roll0, 2);
	KEXPECT_EQ(t, clash, 0);
	for_each_cpu_in(cpu, &cpus_online)
		full0[cpu] = tlb_stat_get(cpu, TLB_STAT_FULL_FLUSH);
	/* Switch each of them away and back: the first load since the
	 * rollover flushes everything, and their space keeps its tag. */
	ktest_run_on_others(load_kernel_root, NULL);
	ktest_run_on_others(load_own, NULL);
	for_each_cpu_in(cpu, &cpus_online) {
		if (cpu == self)
			continue;
		flushed += tlb_stat_get(cpu, TLB_STAT_FULL_FLUSH) - full0[cpu] == 1;
		kept += own_tag[cpu] == saved[cpu];
	}
	KEXPECT_EQ(t, flushed, others);
	KEXPECT_EQ(t, kept, others);
out:
	ktest_run_on_others(load_kernel_root, NULL);
	for_each_cpu_in(cpu, &cpus_online)
		if (own[cpu])
			pmap_destroy(own[cpu]);
	teardown(n);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(asid, ktest_skip_unless_pmap_smp,
		    KTEST_CASE(tags_within_width),
		    KTEST_CASE(percpu_slots_evict_lru),
		    KTEST_CASE(rollover_keeps_running_tags));
