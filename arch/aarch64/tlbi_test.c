/*
 * Suite tlbi_broadcast: the TLBI ...IS operations of mmu.c reach every
 * CPU, and user roots load into TTBR0 with their ASID on every CPU. The
 * other CPUs first cache a translation (TCG keeps it until invalidated,
 * PLATFORM.md), then this CPU replaces the leaf by break-before-make with
 * one broadcast invalidation and no IPI: if the TLBI stayed local, they
 * would still read the old frame. No policy uses these operations yet
 * (smp/shootdown.c cross-calls), so this suite is what exercises them.
 *
 * The leaf is rewritten here, under the pmap's lock, behind the pmap's
 * back; the original leaf is put back the same way before the pmap
 * removes it, so its mapcounts stay right.
 */
#include <kern/spinlock.h>
#include <ktest/ktest.h>
#include <ktest/ktest_smp.h>
#include <machine/sysreg.h>
#include <machine/vmsa.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
#include <smp/xcall.h>

#define KERNEL_VA	(MMU_KMAP_BASE + 15 * PAGE_SIZE)	/* a test page */
#define USER_VA		((vaddr_t)0x400000)
#define MARK_A		0xa1a1a1a1u
#define MARK_B		0xb2b2b2b2u
#define PROT_RW		(VM_READ | VM_WRITE)

enum flush_kind { FLUSH_PAGE, FLUSH_ALL, FLUSH_ASID };

static uint32_t seen[MAX_CPUS];
static uint64_t ttbr0_seen[MAX_CPUS], tcr_seen[MAX_CPUS];

/* The level 0 slot mapping @va in @pm, or NULL. Locking: @pm->lock. */
static mmu_pte_t *leaf_slot(struct pmap *pm, vaddr_t va)
{
	mmu_pte_t *table = pm->root;

	for (unsigned int level = MMU_LEVELS - 1; level > 0; level--) {
		mmu_pte_t pte = table[mmu_level_index(va, level)];

		if (!mmu_pte_is_valid(pte, level) || mmu_pte_is_leaf(pte, level))
			return NULL;
		table = pmm_phys_to_virt(mmu_pte_paddr(pte, level));
	}
	return &table[mmu_level_index(va, 0)];
}

static void flush_broadcast(enum flush_kind kind, unsigned int asid,
			    vaddr_t va)
{
	if (kind == FLUSH_PAGE)
		mmu_tlb_flush_page_broadcast(asid, va);
	else if (kind == FLUSH_ALL)
		mmu_tlb_flush_all_broadcast();
	else
		mmu_tlb_flush_asid_broadcast(asid);
}

/* The tag the ASID layer gave the test's pmap (global names: the same on
 * every CPU; 0 with tlb.asid=0), read where it was activated last. */
static unsigned int test_tag;

/* Point @pm's leaf for @va at @pg by break-before-make, invalidating with
 * one broadcast operation of @kind. False if @va is not mapped. */
static bool remap_broadcast(struct pmap *pm, vaddr_t va, struct page *pg,
			    enum flush_kind kind)
{
	mmu_pte_t *slot, old;

	spin_lock(&pm->lock);
	slot = leaf_slot(pm, va);
	if (!slot) {
		spin_unlock(&pm->lock);
		return false;
	}
	old = *slot;
	mmu_pte_store(slot, MMU_PTE_INVALID);
	mmu_pte_publish();
	flush_broadcast(kind, test_tag, va);
	mmu_pte_store(slot, mmu_pte_make_leaf(page_to_phys(pg),
					      mmu_pte_flags(old, 0), 0));
	mmu_pte_publish();
	spin_unlock(&pm->lock);
	return true;
}

static void read_va(void *arg)
{
	seen[this_cpu()->id] = *(volatile uint32_t *)arg;
}

/* Online CPUs other than this one that read @want last time. */
static unsigned int others_seeing(uint32_t want)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id && seen[cpu] == want;
	return n;
}

/* Remap KERNEL_VA A -> B -> A, each time with one broadcast of @kind. */
static void kernel_remap(struct ktest *t, enum flush_kind kind)
{
	unsigned long before = pmm_free_count();
	unsigned int others = cpuset_count(&cpus_online) - 1;
	struct page *a = ktest_frame_with(MARK_A), *b = ktest_frame_with(MARK_B);
	void *va = (void *)KERNEL_VA;
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_EQ(t, pmap_kenter(KERNEL_VA, page_to_phys(a), PROT_RW), 0);
	ktest_run_on_others(read_va, va);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);	/* now cached */
	KASSERT_TRUE(t, remap_broadcast(pmap_kernel(), KERNEL_VA, b, kind));
	ktest_run_on_others(read_va, va);
	KEXPECT_EQ(t, others_seeing(MARK_B), others);
	KASSERT_TRUE(t, remap_broadcast(pmap_kernel(), KERNEL_VA, a, kind));
	ktest_run_on_others(read_va, va);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);
	tlb_batch_begin(&batch, pmap_kernel());
	pmap_kremove(KERNEL_VA, PAGE_SIZE, &batch);
	tlb_batch_end(&batch);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void page_reaches_every_cpu(struct ktest *t)
{
	kernel_remap(t, FLUSH_PAGE);
}

static void all_reaches_every_cpu(struct ktest *t)
{
	kernel_remap(t, FLUSH_ALL);
}

/* Load @arg (a user pmap) into TTBR0, read USER_VA, note TTBR0 and TCR. */
static void activate_and_read(void *arg)
{
	unsigned int id = this_cpu()->id;

	pmap_activate(arg);
	test_tag = tlb_tag_here(arg);
	seen[id] = *(volatile uint32_t *)USER_VA;
	ttbr0_seen[id] = read_sysreg(ttbr0_el1);
	tcr_seen[id] = read_sysreg(tcr_el1);
}

static void read_user_va(void *arg)
{
	(void)arg;
	seen[this_cpu()->id] = *(volatile uint32_t *)USER_VA;
}

static void deactivate(void *arg)
{
	unsigned int id = this_cpu()->id;

	(void)arg;
	pmap_activate(pmap_kernel());
	ttbr0_seen[id] = read_sysreg(ttbr0_el1);
	tcr_seen[id] = read_sysreg(tcr_el1);
}

/* Online CPUs whose TTBR0 held @pm with test_tag and whose TTBR0 walks
 * were on (@walking) or off, as last recorded. */
static unsigned int cpus_with_root(const struct pmap *pm, bool walking)
{
	uint64_t want = pm->root_pa | (uint64_t)test_tag << TTBR_ASID_SHIFT;
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += ttbr0_seen[cpu] == want &&
		     !(tcr_seen[cpu] & TCR_EPD0) == walking;
	return n;
}

static void user_asid_reaches_every_cpu(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int others = cpuset_count(&cpus_online) - 1;
	struct page *a = ktest_frame_with(MARK_A), *b = ktest_frame_with(MARK_B);
	struct pmap *pm = pmap_create();

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_NOT_NULL(t, pm);
	KASSERT_EQ(t, pmap_enter(pm, USER_VA, page_to_phys(a), PROT_RW, NULL), 0);
	/* Every CPU, this one included, runs @pm and caches USER_VA. */
	xcall_run(&cpus_online, activate_and_read, pm);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);
	KEXPECT_EQ(t, cpus_with_root(pm, true), others + 1);
	KASSERT_TRUE(t, remap_broadcast(pm, USER_VA, b, FLUSH_ASID));
	ktest_run_on_others(read_user_va, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_B), others);
	KASSERT_TRUE(t, remap_broadcast(pm, USER_VA, a, FLUSH_ASID));
	xcall_run(&cpus_online, deactivate, NULL);
	KEXPECT_EQ(t, cpus_with_root(pm, false), others + 1);
	pmap_destroy(pm);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(tlbi_broadcast, ktest_skip_unless_pmap_smp,
		    KTEST_CASE(page_reaches_every_cpu),
		    KTEST_CASE(all_reaches_every_cpu),
		    KTEST_CASE(user_asid_reaches_every_cpu));
