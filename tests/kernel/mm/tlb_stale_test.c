/*
 * Suite tlb_stale: what the TLB keeps when a mapping changes without a
 * flush, on the real (emulated) MMU. TCG retains translations until they
 * are invalidated (PLATFORM.md), so a missing invalidation is observable:
 *  - remap: the VA still reaches the old frame until tlb_batch_end;
 *    where break-before-make is required (aarch64) the remap itself must
 *    have flushed, so the new frame is visible at once;
 *  - protect: a write after write-protecting still goes through until
 *    tlb_batch_end, and faults after it;
 *  - remove: a read after unmapping still reaches the frame until
 *    tlb_batch_end, and faults after it (no break-before-make involved,
 *    so this one detects a missing flush on every arch).
 * Break the local flush in tlb_batch_end and the post-flush checks fail.
 */
#include <kern/arch.h>
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>

#define TEST_VA		(MMU_KMAP_BASE)	/* first of MMU_KMAP_TEST_PAGES */
#define MARK_A		0xa5a5a5a5u
#define MARK_B		0x5b5b5b5bu
#define PROT_RW		(VM_READ | VM_WRITE)

static void remap_stale_until_flush(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	volatile uint32_t *va = (volatile uint32_t *)TEST_VA;
	struct page *a = ktest_frame_with(MARK_A), *b = ktest_frame_with(MARK_B);
	struct tlb_batch batch;
	uint32_t seen;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_EQ(t, pmap_kenter(TEST_VA, page_to_phys(a), PROT_RW), 0);
	KEXPECT_EQ(t, *va, MARK_A);	/* now cached in this CPU's TLB */
	tlb_batch_begin(&batch, pmap_kernel());
	KASSERT_EQ(t, pmap_enter(pmap_kernel(), TEST_VA, page_to_phys(b),
				 PROT_RW | VM_GLOBAL, &batch), 0);
	seen = *va;
	if (MMU_BBM_REQUIRED)
		KEXPECT_EQ(t, seen, MARK_B);	/* the break flushed */
	else
		KEXPECT_EQ(t, seen, MARK_A);	/* stale: nothing flushed yet */
	tlb_batch_end(&batch);
	KEXPECT_EQ(t, *va, MARK_B);
	*va = 0x1234;
	KEXPECT_EQ(t, ktest_frame_word(b), 0x1234);
	KEXPECT_EQ(t, ktest_frame_word(a), MARK_A);
	ktest_kunmap(TEST_VA);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Store @v at @va; returns how many page faults it took (0 or 1). */
static unsigned int store_faults(volatile uint32_t *va, uint32_t v)
{
	trap_expect(TRAP_PAGE_FAULT);
	*va = v;
	return trap_expect_end();
}

static void protect_stale_until_flush(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	volatile uint32_t *va = (volatile uint32_t *)TEST_VA;
	struct page *a = ktest_frame_with(MARK_A);
	struct tlb_batch batch;

	KASSERT_NOT_NULL(t, a);
	KASSERT_EQ(t, pmap_kenter(TEST_VA, page_to_phys(a), PROT_RW), 0);
	KEXPECT_EQ(t, store_faults(va, 1), 0);	/* writable entry cached */
	tlb_batch_begin(&batch, pmap_kernel());
	pmap_protect(pmap_kernel(), TEST_VA, PAGE_SIZE, VM_READ, &batch);
	/* Stale: the cached entry still allows the write. */
	KEXPECT_EQ(t, store_faults(va, 2), 0);
	KEXPECT_EQ(t, ktest_frame_word(a), 2);
	tlb_batch_end(&batch);
	KEXPECT_EQ(t, store_faults(va, 3), 1);
	KEXPECT_EQ(t, ktest_frame_word(a), 2);
	ktest_kunmap(TEST_VA);
	pmm_free(a, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* Load from @va; returns how many page faults it took (0 or 1). */
static unsigned int load_faults(volatile uint32_t *va, uint32_t *out)
{
	trap_expect(TRAP_PAGE_FAULT);
	*out = *va;
	return trap_expect_end();
}

static void remove_stale_until_flush(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	volatile uint32_t *va = (volatile uint32_t *)TEST_VA;
	struct page *a = ktest_frame_with(MARK_A);
	struct tlb_batch batch;
	uint32_t seen = 0;

	KASSERT_NOT_NULL(t, a);
	KASSERT_EQ(t, pmap_kenter(TEST_VA, page_to_phys(a), PROT_RW), 0);
	KEXPECT_EQ(t, *va, MARK_A);
	tlb_batch_begin(&batch, pmap_kernel());
	pmap_kremove(TEST_VA, PAGE_SIZE, &batch);
	KEXPECT_EQ(t, load_faults(va, &seen), 0);	/* stale */
	KEXPECT_EQ(t, seen, MARK_A);
	tlb_batch_end(&batch);
	KEXPECT_EQ(t, load_faults(va, &seen), 1);
	pmm_free(a, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(tlb_stale, ktest_skip_unless_pmap,
		    KTEST_CASE(remap_stale_until_flush),
		    KTEST_CASE(protect_stale_until_flush),
		    KTEST_CASE(remove_stale_until_flush));
