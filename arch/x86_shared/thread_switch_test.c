/*
 * Suite thread_switch: the x86 half of <kern/thread_md.h> without the MI
 * scheduler. Two threads made with kstack_alloc + arch_thread_init are
 * switched to and from the test itself (which runs on this CPU's current
 * stack, saved in a struct thread of its own). Cases check that values
 * pass through, that each thread runs on its own stack, that a thread's
 * x87/SSE registers survive another thread changing them, that a new
 * thread starts with clean FP state, that arch_copy_user stops at an
 * unmapped user page and returns the exact count not copied, and that
 * arch_clock_ns() advances.
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <ktest/ktest.h>
#include <machine/fpu.h>
#include <machine/gdt.h>
#include <machine/pit.h>
#include <mm/kstack.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>

#define ROUNDS		5
#define PAGE		4096u
#define USER_VA		0x400000u	/* any user page the test maps */
#define FCW_A		0x027f		/* 53-bit precision */
#define FCW_B		0x0c7f		/* round toward zero */
#define MXCSR_A		0x3f80		/* round down */
#define MXCSR_B		0x5f80		/* round up */
#define XMM_A		0x11223344u
#define XMM_B		0x55667788u

/* What a test thread saw, written by it, read by the test between
 * switches (same CPU, interrupts off: no ordering beyond the compiler's). */
struct probe {
	struct thread *self, *back;	/* back: the test's own thread */
	unsigned int runs;
	uintptr_t stack_addr;		/* address of a local of the thread */
	uint16_t fcw;			/* x87 control word it found */
	uint32_t mxcsr, xmm0;		/* MXCSR and xmm0[31:0] it found */
	uint16_t set_fcw;		/* what it loads before switching back */
	uint32_t set_mxcsr, set_xmm0;
};

static struct thread test_self, thread_a, thread_b;
static struct probe probe_a, probe_b;

/* The FP/SIMD registers by inline asm (the kernel is built without them:
 * nothing else here touches these registers, so no clobber is needed). */
static uint16_t fcw_get(void)
{
	uint16_t v;

	__asm__ __volatile__("fnstcw %0" : "=m"(v));
	return v;
}

static void fcw_set(uint16_t v)
{
	__asm__ __volatile__("fldcw %0" : : "m"(v));
}

static uint32_t mxcsr_get(void)
{
	uint32_t v = 0;

	if (x86_fpu_fxsr)
		__asm__ __volatile__("stmxcsr %0" : "=m"(v));
	return v;
}

static uint32_t xmm0_get(void)
{
	uint32_t v = 0;

	if (x86_fpu_fxsr)
		__asm__ __volatile__("movss %%xmm0, %0" : "=m"(v));
	return v;
}

static void sse_set(uint32_t mxcsr, uint32_t xmm0)
{
	if (x86_fpu_fxsr)
		__asm__ __volatile__("ldmxcsr %0\n\tmovss %1, %%xmm0"
				     : : "m"(mxcsr), "m"(xmm0));
}

/* Body of both test threads: record, load its own FP values, go back. */
static void probe_thread(void *arg)
{
	struct probe *p = arg;
	volatile int local;

	for (;;) {
		p->runs++;
		p->stack_addr = (uintptr_t)&local;
		p->fcw = fcw_get();
		p->mxcsr = mxcsr_get();
		p->xmm0 = xmm0_get();
		fcw_set(p->set_fcw);
		sse_set(p->set_mxcsr, p->set_xmm0);
		arch_thread_switch(p->self, p->back);
	}
}

static bool thread_setup(struct thread *t, struct probe *p, uint16_t fcw,
			 uint32_t mxcsr, uint32_t xmm0)
{
	memset(t, 0, sizeof(*t));
	*p = (struct probe){ .self = t, .back = &test_self, .set_fcw = fcw,
			     .set_mxcsr = mxcsr, .set_xmm0 = xmm0 };
	t->kstack_top = kstack_alloc();
	if (t->kstack_top == NULL)
		return false;
	arch_thread_init(t, probe_thread, p);
	return true;
}

/* Run @t once, as the MI scheduler would: interrupts off. The test's
 * own context (its TSS stack included) is restored on the way back. */
static void run(struct thread *t)
{
	unsigned long irq = arch_irq_save();

	test_self.kstack_top = x86_tss_kernel_stack();
	arch_thread_switch(&test_self, t);
	x86_tss_set_kernel_stack(test_self.kstack_top);
	arch_irq_restore(irq);
}

static bool on_stack(uintptr_t addr, const struct thread *t)
{
	return addr >= kstack_bottom(t->kstack_top) &&
	       addr < (uintptr_t)arch_thread_trapframe((struct thread *)t);
}

static void switch_round_trips(struct ktest *t)
{
	unsigned long before = pmm_free_count();

	KASSERT_TRUE(t, thread_setup(&thread_a, &probe_a, FCW_A, MXCSR_A,
				     XMM_A));
	KASSERT_TRUE(t, thread_setup(&thread_b, &probe_b, FCW_B, MXCSR_B,
				     XMM_B));
	for (unsigned int i = 1; i <= ROUNDS; i++) {
		run(&thread_a);
		KEXPECT_EQ(t, probe_a.runs, i);
		KEXPECT_TRUE(t, on_stack(probe_a.stack_addr, &thread_a));
		run(&thread_b);
		KEXPECT_EQ(t, probe_b.runs, i);
		KEXPECT_TRUE(t, on_stack(probe_b.stack_addr, &thread_b));
		/* From round 2 on, each finds the values it loaded itself,
		 * although the other loaded different ones in between. */
		KEXPECT_EQ(t, probe_a.fcw, i == 1 ? 0x37f : FCW_A);
		KEXPECT_EQ(t, probe_b.fcw, i == 1 ? 0x37f : FCW_B);
		if (x86_fpu_fxsr) {
			KEXPECT_EQ(t, probe_a.mxcsr, i == 1 ? 0x1f80 : MXCSR_A);
			KEXPECT_EQ(t, probe_b.mxcsr, i == 1 ? 0x1f80 : MXCSR_B);
			KEXPECT_EQ(t, probe_a.xmm0, i == 1 ? 0 : XMM_A);
			KEXPECT_EQ(t, probe_b.xmm0, i == 1 ? 0 : XMM_B);
		}
	}
	/* The test's own state was switched out and back untouched. */
	KEXPECT_EQ(t, fcw_get(), 0x37f);
	kstack_free(thread_a.kstack_top);
	kstack_free(thread_b.kstack_top);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* A child gets the caller's live registers, not a clean set. */
static void copy_fpu_takes_live_state(struct ktest *t)
{
	static struct thread child;
	uint16_t saved = fcw_get();

	fcw_set(FCW_B);
	arch_thread_copy_user_state(&child);
	fcw_set(saved);
	KEXPECT_EQ(t, child.arch.fpu[0] | child.arch.fpu[1] << 8, FCW_B);
	KEXPECT_EQ(t, fcw_get(), saved);
}

/* Map one user page in a fresh pmap and copy across its ends. */
static void copy_user_stops_at_unmapped(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *pg = pmm_alloc(0, PMM_ZERO);
	struct pmap *pm = pmap_create();
	uint8_t buf[300], *kva;
	struct tlb_batch b;

	KASSERT_NOT_NULL(t, pg);
	KASSERT_NOT_NULL(t, pm);
	kva = pmm_phys_to_virt(page_to_phys(pg));
	memset(kva, 0x5a, PAGE);
	KASSERT_EQ(t, pmap_enter(pm, USER_VA, page_to_phys(pg),
				 VM_READ | VM_WRITE, NULL), 0);
	pmap_activate(pm);
	memset(buf, 0, sizeof(buf));
	KEXPECT_EQ(t, arch_copy_user(buf, (void *)(USER_VA + PAGE - 100), 300),
		   200);
	KEXPECT_EQ(t, buf[0], 0x5a);
	KEXPECT_EQ(t, buf[99], 0x5a);
	KEXPECT_EQ(t, buf[100], 0);
	KEXPECT_EQ(t, arch_copy_user(buf, (void *)(USER_VA + 2 * PAGE), 64),
		   64);
	KEXPECT_EQ(t, arch_copy_user((void *)(USER_VA + PAGE - 10), buf, 30),
		   20);
	KEXPECT_EQ(t, arch_copy_user(buf, (void *)USER_VA, 16), 0);
	pmap_activate(pmap_kernel());
	tlb_batch_begin(&b, pm);
	pmap_remove(pm, USER_VA, PAGE, &b);
	tlb_batch_end(&b);
	pmap_destroy(pm);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/*
 * The TSC clock against a 5 ms PIT delay. Loose bounds on purpose: under
 * TCG both are emulated from the host's clock and drift apart when the
 * host is busy (3.2 ms was seen with 16 guests at once); the check is that
 * the clock runs, forwards, at roughly the right scale.
 */
static void clock_advances(struct ktest *t)
{
	uint64_t t0 = arch_clock_ns(), t1;

	KASSERT_EQ(t, pit_delay_us(5000), 0);
	t1 = arch_clock_ns();
	KEXPECT_GE(t, t1 - t0, 1000000ull);
	KEXPECT_LT(t, t1 - t0, 1000000000ull);
}

KTEST_SUITE(thread_switch,
	    KTEST_CASE(switch_round_trips),
	    KTEST_CASE(copy_fpu_takes_live_state),
	    KTEST_CASE(copy_user_stops_at_unmapped),
	    KTEST_CASE(clock_advances));
