/*
 * Suite shootdown: a mapping changed on the boot CPU, in the kernel's
 * space or in a user space the other CPUs run, must not stay stale on any
 * other CPU after tlb_batch_end. The other CPUs first load the
 * translation into their TLBs (TCG keeps it until invalidated,
 * PLATFORM.md), then the boot CPU remaps or write-protects it.
 * With tlb=none the user space's remote flush is skipped and its check
 * must fail: the harness target *-selfcheck-tlbnone demands exactly that
 * (the kernel's mappings are still shot down there, see smp/tlb_none.c).
 */
#include <kern/arch.h>
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <ktest/ktest_smp.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/cpu.h>
#include <kern/string.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>
#include <smp/xcall.h>

#define TEST_VA		(MMU_KMAP_BASE + PAGE_SIZE)	/* a test page */
#define USER_TEST_VA	((vaddr_t)0x10000000)	/* in a pmap of its own */
#define MARK_A		0x0a0a0a0au
#define MARK_B		0x0b0b0b0bu
#define PROT_RW		(VM_READ | VM_WRITE)

static uint32_t seen[MAX_CPUS];
static unsigned int faults[MAX_CPUS];

static void read_test_va(void *arg)
{
	(void)arg;
	seen[this_cpu()->id] = *(volatile uint32_t *)TEST_VA;
}

static void write_test_va(void *arg)
{
	unsigned int id = this_cpu()->id;

	trap_expect(TRAP_PAGE_FAULT);
	*(volatile uint32_t *)TEST_VA = (uint32_t)(uintptr_t)arg + id;
	faults[id] = trap_expect_end();
}

/* Count the other CPUs that read @want at TEST_VA. */
static unsigned int others_seeing(uint32_t want)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id && seen[cpu] == want;
	return n;
}

/* What each CPU's coherence counters said at one moment. */
struct snap {
	uint64_t handled[MAX_CPUS];	/* requests run for other CPUs */
	uint64_t sent, queued, rounds, tlbi;	/* this CPU's */
};

static void snap_take(struct snap *s)
{
	unsigned int cpu, self = this_cpu()->id;

	for_each_cpu_in(cpu, &cpus_online)
		s->handled[cpu] = tlb_stat_get(cpu, TLB_STAT_HANDLED);
	s->sent = tlb_stat_get(self, TLB_STAT_IPI_SENT);
	s->queued = tlb_stat_get(self, TLB_STAT_QUEUED);
	s->rounds = tlb_stat_get(self, TLB_STAT_SHOOTDOWNS);
	s->tlbi = tlb_stat_get(self, TLB_STAT_BROADCAST);
}

static bool broadcast_policy(void)
{
	return !strcmp(tlb_policy_name(), "broadcast");
}

/* Other CPUs that ran a request for us since @before. */
static unsigned int others_flushed_since(const struct snap *before)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id &&
		     tlb_stat_get(cpu, TLB_STAT_HANDLED) > before->handled[cpu];
	return n;
}

static void remap_reaches_every_cpu(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int others = cpuset_count(&cpus_online) - 1;
	struct page *a = ktest_frame_with(MARK_A), *b = ktest_frame_with(MARK_B);
	static struct snap st, mine;
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_EQ(t, pmap_kenter(TEST_VA, page_to_phys(a), PROT_RW), 0);
	ktest_run_on_others(read_test_va, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);	/* now cached */
	snap_take(&st);
	tlb_batch_begin(&batch, pmap_kernel());
	KASSERT_EQ(t, pmap_enter(pmap_kernel(), TEST_VA, page_to_phys(b),
				 PROT_RW | VM_GLOBAL, &batch), 0);
	tlb_batch_end(&batch);
	/* The counters say the same: every other CPU flushed for us, and
	 * we asked each of them (at least once: aarch64's break-before-make
	 * flushes inside pmap_enter too); under broadcast no CPU is asked
	 * and the TLBI IS instructions are counted instead. */
	snap_take(&mine);
	KEXPECT_GT(t, mine.rounds, st.rounds);
	if (broadcast_policy()) {
		KEXPECT_EQ(t, others_flushed_since(&st), 0);
		KEXPECT_GT(t, mine.tlbi, st.tlbi);
	} else {
		KEXPECT_EQ(t, others_flushed_since(&st), others);
		KEXPECT_GE(t, (mine.queued - st.queued) +
			      (mine.sent - st.sent), others);
	}
	ktest_run_on_others(read_test_va, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_B), others);
	if (others_seeing(MARK_A))
		ktest_diag(t, "%u CPU(s) still read the old frame",
			   others_seeing(MARK_A));
	ktest_kunmap(TEST_VA);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void read_user_va(void *arg)
{
	(void)arg;
	seen[this_cpu()->id] = *(volatile uint32_t *)USER_TEST_VA;
}

static void load_pmap(void *arg)
{
	pmap_activate(arg);
}

static void load_kernel_root(void *arg)
{
	(void)arg;
	pmap_activate(pmap_kernel());
}

/* The same for a user space every other CPU runs (reads from the kernel:
 * no SMAP/PAN yet). */
static void user_remap_reaches_every_cpu(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int others = cpuset_count(&cpus_online) - 1;
	struct page *a = ktest_frame_with(MARK_A), *b = ktest_frame_with(MARK_B);
	struct pmap *pm = pmap_create();
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_NOT_NULL(t, pm);
	KASSERT_EQ(t, pmap_enter(pm, USER_TEST_VA, page_to_phys(a), PROT_RW,
				 NULL), 0);
	ktest_run_on_others(load_pmap, pm);
	ktest_run_on_others(read_user_va, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_A), others);	/* now cached */
	tlb_batch_begin(&batch, pm);
	KASSERT_EQ(t, pmap_enter(pm, USER_TEST_VA, page_to_phys(b), PROT_RW,
				 &batch), 0);
	tlb_batch_end(&batch);
	ktest_run_on_others(read_user_va, NULL);
	KEXPECT_EQ(t, others_seeing(MARK_B), others);
	if (others_seeing(MARK_A))
		ktest_diag(t, "%u CPU(s) still read the old frame",
			   others_seeing(MARK_A));
	ktest_run_on_others(load_kernel_root, NULL);
	pmap_destroy(pm);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void write_protect_reaches_every_cpu(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int cpu, others = cpuset_count(&cpus_online) - 1, n = 0;
	struct page *a = ktest_frame_with(MARK_A);
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_EQ(t, pmap_kenter(TEST_VA, page_to_phys(a), PROT_RW), 0);
	/* Writable entries (dirty, on x86) in every other TLB. */
	ktest_run_on_others(write_test_va, (void *)0x100);
	tlb_batch_begin(&batch, pmap_kernel());
	pmap_protect(pmap_kernel(), TEST_VA, PAGE_SIZE, VM_READ, &batch);
	tlb_batch_end(&batch);
	ktest_run_on_others(write_test_va, (void *)0x200);
	for_each_cpu_in(cpu, &cpus_online)
		n += cpu != this_cpu()->id && faults[cpu] == 1;
	KEXPECT_EQ(t, n, others);
	ktest_kunmap(TEST_VA);
	pmm_free(a, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * A user address space no CPU has loaded: changing it needs no other CPU
 * (nothing can cache it), so no cross-call goes out and none flushes.
 */
static void idle_space_sends_nothing(struct ktest *t)
{
	static struct snap st, mine;
	unsigned long before = pmm_free_count();
	struct page *a = ktest_frame_with(MARK_A);
	struct pmap *pm = pmap_create();
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, pm);
	KASSERT_EQ(t, pmap_enter(pm, USER_TEST_VA, page_to_phys(a), PROT_RW,
				 NULL), 0);
	snap_take(&st);
	tlb_batch_begin(&batch, pm);
	pmap_remove(pm, USER_TEST_VA, PAGE_SIZE, &batch);
	tlb_batch_end(&batch);
	snap_take(&mine);
	KEXPECT_EQ(t, mine.queued, st.queued);
	KEXPECT_EQ(t, mine.sent, st.sent);
	KEXPECT_EQ(t, others_flushed_since(&st), 0);
	pmap_destroy(pm);
	pmm_free(a, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(shootdown, ktest_skip_unless_pmap_smp,
		    KTEST_CASE(remap_reaches_every_cpu),
		    KTEST_CASE(user_remap_reaches_every_cpu),
		    KTEST_CASE(write_protect_reaches_every_cpu),
		    KTEST_CASE(idle_space_sends_nothing));
