/*
 * Suite kstack: stacks are mapped and zeroed, the page below each is a
 * guard that faults, freeing returns every frame, and a failure at any
 * allocation inside kstack_alloc leaves nothing behind.
 */
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/kstack.h>
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <mm/pmm.h>

/* Read the byte at @va; returns the number of page faults taken. */
static unsigned int read_faults(vaddr_t va)
{
	trap_expect(TRAP_PAGE_FAULT);
	(void)*(volatile uint8_t *)va;
	return trap_expect_end();
}

static void mapped_zeroed_and_guarded(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	uint8_t *top = kstack_alloc();
	vaddr_t bottom;
	unsigned int nonzero = 0;

	KASSERT_NOT_NULL(t, top);
	bottom = kstack_bottom(top);
	for (vaddr_t va = bottom; va < (vaddr_t)top; va++)
		nonzero += *(volatile uint8_t *)va != 0;
	KEXPECT_EQ(t, nonzero, 0);
	top[-1] = 0x5a;
	*(volatile uint8_t *)bottom = 0xa5;
	KEXPECT_EQ(t, read_faults(bottom), 0);
	KEXPECT_EQ(t, read_faults(bottom - 1), 1);	/* the guard page */
	KEXPECT_EQ(t, read_faults(bottom - PAGE_SIZE), 1);
	kstack_free(top);
	KEXPECT_EQ(t, read_faults(bottom), 1);	/* unmapped everywhere */
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void neighbours_do_not_touch(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	uint8_t *a = kstack_alloc(), *b = kstack_alloc();

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	/* Between any two stacks lies at least one guard page. */
	KEXPECT_GE(t, (vaddr_t)b > (vaddr_t)a ?
		   kstack_bottom(b) - (vaddr_t)a : kstack_bottom(a) - (vaddr_t)b,
		   PAGE_SIZE);
	kstack_free(a);
	kstack_free(b);
	/* A freed slot is reused, guard and all. */
	a = kstack_alloc();
	KASSERT_NOT_NULL(t, a);
	KEXPECT_EQ(t, read_faults(kstack_bottom(a) - 1), 1);
	kstack_free(a);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

static void every_allocation_failure_is_clean(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned long n;

	for (n = 1; n < 64; n++) {
		void *top;

		pmm_fault_inject_nth(n);
		top = kstack_alloc();
		if (!pmm_fault_inject_fired()) {
			pmm_fault_inject_nth(0);
			KEXPECT_NOT_NULL(t, top);
			kstack_free(top);
			break;
		}
		KEXPECT_NULL(t, top);
		KEXPECT_EQ(t, pmm_free_count(), before);
	}
	pmm_fault_inject_nth(0);
	KEXPECT_GT(t, n, 4);	/* the stack's own pages were among them */
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(kstack, ktest_skip_unless_pmap,
		    KTEST_CASE(mapped_zeroed_and_guarded),
		    KTEST_CASE(neighbours_do_not_touch),
		    KTEST_CASE(every_allocation_failure_is_clean));
