/*
 * Suite kheap: size classes, large blocks, clean failure and fault
 * injection. Every case ends with pmm_free_count() and the heap's object
 * counts where they started (emptied slabs go straight back to the pmm).
 */
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/kheap.h>
#include <mm/pmm.h>

static const size_t sizes[] = {
	1, 8, 15, 16, 17, 31, 32, 33, 100, 128, 129, 500, 1000, 1024, 2047,
	2048, 2049, 4095, 4096, 4097, 10000, 65536, 100000,
};

static size_t expected_align(size_t size)
{
	size_t a = KHEAP_MIN_SIZE;

	while (a < size && a < PAGE_SIZE)
		a <<= 1;
	return a;
}

static unsigned long heap_objects(void)
{
	struct kheap_stats st;

	kheap_stats(&st);
	return st.objects + st.large_blocks;
}

/* All sizes live at once: aligned, big enough, and not overlapping (each
 * keeps its own byte pattern until the end). */
static void every_size(struct ktest *t)
{
	unsigned long before = pmm_free_count(), objs = heap_objects();
	unsigned char *p[ARRAY_SIZE(sizes)];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		KASSERT_NOT_NULL(t, p[i]);
		KEXPECT_EQ(t, (uintptr_t)p[i] & (expected_align(sizes[i]) - 1), 0);
		KEXPECT_GE(t, kheap_size(p[i]), sizes[i]);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	KEXPECT_EQ(t, heap_objects(), objs + ARRAY_SIZE(sizes));
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		bool intact = true;

		for (size_t j = 0; j < sizes[i]; j++)
			intact &= p[i][j] == (unsigned char)(i + 1);
		KEXPECT_TRUE(t, intact);
		kfree(p[i]);
	}
	KEXPECT_EQ(t, heap_objects(), objs);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Enough objects to fill several slabs, freed in an interleaved order so
 * slabs go full -> partial -> empty. */
static void many_objects(struct ktest *t)
{
	enum { N = 300 };
	static void *p[N];
	unsigned long before = pmm_free_count();
	struct kheap_stats st0, st1;

	kheap_stats(&st0);
	for (unsigned int i = 0; i < N; i++) {
		p[i] = kmalloc(64);
		KASSERT_NOT_NULL(t, p[i]);
	}
	kheap_stats(&st1);
	KEXPECT_GE(t, st1.slabs - st0.slabs, N * 64 / PAGE_SIZE);
	for (unsigned int i = 0; i < N; i += 2)
		kfree(p[i]);
	for (unsigned int i = 1; i < N; i += 2)
		kfree(p[i]);
	kheap_stats(&st1);
	KEXPECT_EQ(t, st1.slabs, st0.slabs);
	KEXPECT_EQ(t, st1.objects, st0.objects);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void kzalloc_zeroes(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned char *p = kmalloc(256), *q;
	bool zero = true;

	KASSERT_NOT_NULL(t, p);
	memset(p, 0xff, 256);
	kfree(p);
	q = kzalloc(256);
	KASSERT_NOT_NULL(t, q);
	for (unsigned int i = 0; i < 256; i++)
		zero &= q[i] == 0;
	KEXPECT_TRUE(t, zero);
	kfree(q);
	kfree(NULL);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void clean_failures(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct kheap_stats st0, st1;

	kheap_stats(&st0);
	KEXPECT_NULL(t, kmalloc(0));
	KEXPECT_NULL(t, kmalloc((PAGE_SIZE << PMM_MAX_ORDER) + 1));
	KEXPECT_NULL(t, kzalloc(~(size_t)0));
	kheap_stats(&st1);
	KEXPECT_EQ(t, st1.failures, st0.failures + 3);
	/* A large block needs the pmm: its failure must surface as NULL. */
	pmm_fault_inject_nth(1);
	KEXPECT_NULL(t, kmalloc(3 * PAGE_SIZE));
	KEXPECT_TRUE(t, pmm_fault_inject_fired());
	pmm_fault_inject_nth(0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Fail the n-th of a run of allocations, for every n. */
static void fault_injection(struct ktest *t)
{
	enum { RUN = 6 };
	static const size_t run_sizes[RUN] = { 24, 24, 700, 5000, 24, 64 };
	unsigned long before = pmm_free_count(), objs = heap_objects();

	for (unsigned int n = 1; n <= RUN; n++) {
		void *p[RUN];

		kheap_fault_inject_nth(n);
		for (unsigned int i = 0; i < RUN; i++) {
			p[i] = kmalloc(run_sizes[i]);
			KEXPECT_TRUE(t, (p[i] == NULL) == (i + 1 == n));
		}
		KEXPECT_TRUE(t, kheap_fault_inject_fired());
		for (unsigned int i = 0; i < RUN; i++)
			kfree(p[i]);
		KEXPECT_EQ(t, heap_objects(), objs);
		KEXPECT_EQ(t, pmm_free_count(), before);
	}
	kheap_fault_inject_nth(0);
}

static void dump_stats(struct ktest *t)
{
	void *p = kmalloc(40);

	KASSERT_NOT_NULL(t, p);
	kheap_dump_stats();
	kfree(p);
}

KTEST_SUITE_SKIP_IF(kheap, ktest_skip_unless_pmm,
		    KTEST_CASE(every_size),
		    KTEST_CASE(many_objects),
		    KTEST_CASE(kzalloc_zeroes),
		    KTEST_CASE(clean_failures),
		    KTEST_CASE(fault_injection),
		    KTEST_CASE(dump_stats));
