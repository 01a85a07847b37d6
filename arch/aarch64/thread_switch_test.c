/*
 * Suite thread_switch: the aarch64 half of <kern/thread_md.h> without the
 * MI scheduler. Two threads made with kstack_alloc + arch_thread_init take
 * turns with the test's own context: each runs on its own stack, gets its
 * argument, and finds its callee-saved registers and its user FP/SIMD
 * registers (q0, q31, FPCR) as it left them however the others changed
 * theirs. arch_copy_user, with a test pmap in TTBR0,
 * returns the exact count of bytes it could not copy when it runs into an
 * unmapped or read-only user page, whichever side is the user one.
 *
 * The test's switches run with IRQs masked, as the contract requires; the
 * FP/SIMD registers this CPU held before (some user thread's, if any) are
 * saved first and put back at the end.
 */
#include <kern/arch.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <machine/sysreg.h>
#include <mm/kstack.h>

#define ROUNDS		3
#define USER_VA		((vaddr_t)0x400000)	/* RW page; RO page above it */
#define FPCR_RMODE_RZ	(3UL << 22)	/* round towards zero */
#define FPCR_FZ		(1UL << 24)	/* flush denormals to zero */

struct worker {
	struct thread *self, *next;
	char name;
	unsigned int runs;
	void *arg_seen;
	uintptr_t sp_seen;	/* an address in fn's frame */
	uint64_t v0_seen, v31_seen, fpcr_seen;
};

static struct thread caller, thr_a, thr_b;
static struct worker work_a, work_b;
static char order[2 * ROUNDS + 1];
static unsigned int order_len;

/*
 * q0 and q31 hold @v in both halves / what they hold (0 if the halves
 * differ). The kernel itself never uses them (-mgeneral-regs-only), so
 * nothing in between changes them but a switch. That flag also keeps
 * clang's assembler from accepting FP/SIMD instructions unless told.
 */
#define FPSIMD_ASM	".arch_extension fp\n\t.arch_extension simd\n\t"

static void vregs_set(uint64_t v)
{
	__asm__ __volatile__(FPSIMD_ASM
			     "fmov d0, %0\n\t"
			     "mov v0.d[1], %0\n\t"
			     "fmov d31, %0\n\t"
			     "mov v31.d[1], %0" :: "r"(v));
}

static uint64_t v0_get(void)
{
	uint64_t lo, hi;

	__asm__ __volatile__(FPSIMD_ASM "fmov %0, d0\n\tmov %1, v0.d[1]"
			     : "=r"(lo), "=r"(hi));
	return lo == hi ? lo : 0;
}

static uint64_t v31_get(void)
{
	uint64_t lo, hi;

	__asm__ __volatile__(FPSIMD_ASM "fmov %0, d31\n\tmov %1, v31.d[1]"
			     : "=r"(lo), "=r"(hi));
	return lo == hi ? lo : 0;
}

/*
 * Each resumption: note the order, the stack and the argument; set this
 * thread's own vector registers the first time and read them back every
 * later time, after the others have run with theirs; pass control on.
 */
static void worker_fn(void *arg)
{
	struct worker *w = arg;
	uint64_t mine = w->name == 'A' ? 0xaaaa0000aaaa0001UL :
					 0xbbbb0000bbbb0002UL;

	vregs_set(mine);
	write_sysreg(fpcr, w->name == 'A' ? FPCR_RMODE_RZ : FPCR_FZ);
	for (;;) {
		w->runs++;
		w->arg_seen = arg;
		w->sp_seen = (uintptr_t)__builtin_frame_address(0);
		w->v0_seen = v0_get();
		w->v31_seen = v31_get();
		w->fpcr_seen = read_sysreg(fpcr);
		order[order_len++] = w->name;
		arch_thread_switch(w->self, w->next);
	}
}

static bool on_stack(uintptr_t p, const struct thread *t)
{
	return p >= kstack_bottom(t->kstack_top) &&
	       p < (uintptr_t)arch_thread_trapframe((struct thread *)t);
}

/*
 * Switch from the caller to thread A with x19-x28 set to 19..28, and note
 * what they hold once control comes back: the switch must have saved and
 * restored them, whatever the threads in between kept there.
 */
static uint64_t callee_saved_seen[10] __used;

static void switch_once(void)
{
	register uintptr_t x0 __asm__("x0") = (uintptr_t)&caller;
	register uintptr_t x1 __asm__("x1") = (uintptr_t)&thr_a;
	unsigned long flags = arch_irq_save();

	__asm__ __volatile__(
		"mov	x19, #19\n\t"
		"mov	x20, #20\n\t"
		"mov	x21, #21\n\t"
		"mov	x22, #22\n\t"
		"mov	x23, #23\n\t"
		"mov	x24, #24\n\t"
		"mov	x25, #25\n\t"
		"mov	x26, #26\n\t"
		"mov	x27, #27\n\t"
		"mov	x28, #28\n\t"
		"bl	arch_thread_switch\n\t"
		"adrp	x9, callee_saved_seen\n\t"
		"add	x9, x9, :lo12:callee_saved_seen\n\t"
		"stp	x19, x20, [x9, #0]\n\t"
		"stp	x21, x22, [x9, #16]\n\t"
		"stp	x23, x24, [x9, #32]\n\t"
		"stp	x25, x26, [x9, #48]\n\t"
		"stp	x27, x28, [x9, #64]"
		: "+r"(x0), "+r"(x1)
		:
		: "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
		  "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19",
		  "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
		  "x28", "x30", "memory", "cc");
	arch_irq_restore(flags);
}

static unsigned int callee_saved_kept(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < 10; i++)
		n += callee_saved_seen[i] == 19 + i;
	return n;
}

static void check_worker(struct ktest *t, const struct worker *w,
			 uint64_t v, uint64_t fpcr)
{
	KEXPECT_EQ(t, w->runs, ROUNDS);
	KEXPECT_PTR_EQ(t, w->arg_seen, w);
	KEXPECT_TRUE(t, on_stack(w->sp_seen, w->self));
	KEXPECT_EQ(t, w->v0_seen, v);
	KEXPECT_EQ(t, w->v31_seen, v);
	KEXPECT_EQ(t, w->fpcr_seen, fpcr);
}

/* caller -> A -> B -> caller, ROUNDS times. The threads stay suspended
 * in their loops when their stacks are freed; nothing resumes them. */
static void switches_keep_state(struct ktest *t)
{
	static struct fpsimd_state saved;
	unsigned long before = pmm_free_count();
	unsigned int i;

	fpsimd_save(&saved);
	memset(&thr_a, 0, sizeof(thr_a));
	memset(&thr_b, 0, sizeof(thr_b));
	thr_a.kstack_top = kstack_alloc();
	thr_b.kstack_top = kstack_alloc();
	KASSERT_NOT_NULL(t, thr_a.kstack_top);
	KASSERT_NOT_NULL(t, thr_b.kstack_top);
	work_a = (struct worker){ .self = &thr_a, .next = &thr_b, .name = 'A' };
	work_b = (struct worker){ .self = &thr_b, .next = &caller, .name = 'B' };
	arch_thread_init(&thr_a, worker_fn, &work_a);
	arch_thread_init(&thr_b, worker_fn, &work_b);
	order_len = 0;

	vregs_set(0xcccc0000cccc0003UL);
	write_sysreg(fpcr, 0);
	for (i = 0; i < ROUNDS; i++) {
		switch_once();
		KEXPECT_EQ(t, callee_saved_kept(), 10);
	}
	KEXPECT_EQ(t, v0_get(), 0xcccc0000cccc0003UL);
	KEXPECT_EQ(t, v31_get(), 0xcccc0000cccc0003UL);
	KEXPECT_EQ(t, read_sysreg(fpcr), 0);
	fpsimd_load(&saved);

	KEXPECT_STREQ(t, order, "ABABAB");
	check_worker(t, &work_a, 0xaaaa0000aaaa0001UL, FPCR_RMODE_RZ);
	check_worker(t, &work_b, 0xbbbb0000bbbb0002UL, FPCR_FZ);
	kstack_free(thr_a.kstack_top);
	kstack_free(thr_b.kstack_top);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

/* A new thread's FP/SIMD state is clean, and copy_fpu hands over the
 * caller's live registers. */
static void fpu_init_and_copy(struct ktest *t)
{
	static struct fpsimd_state saved;
	static struct thread child;
	struct fpsimd_state *st = &child.arch.fpsimd;
	unsigned int i, dirty = 0;

	child.kstack_top = (char *)&saved;	/* never run: any address */
	memset(st, 0xff, sizeof(*st));
	arch_thread_init(&child, worker_fn, NULL);
	for (i = 0; i < 32; i++)
		dirty += st->v[i][0] != 0 || st->v[i][1] != 0;
	KEXPECT_EQ(t, dirty, 0);
	KEXPECT_EQ(t, st->fpcr, 0);
	KEXPECT_EQ(t, st->fpsr, 0);

	fpsimd_save(&saved);
	vregs_set(0xdddd0000dddd0004UL);
	write_sysreg(fpcr, FPCR_FZ);
	arch_thread_copy_user_state(&child);
	fpsimd_load(&saved);
	KEXPECT_EQ(t, st->v[0][0], 0xdddd0000dddd0004UL);
	KEXPECT_EQ(t, st->v[31][1], 0xdddd0000dddd0004UL);
	KEXPECT_EQ(t, st->fpcr, FPCR_FZ);
}

/* Copies with @pm in TTBR0: USER_VA read/write, the page above it
 * read-only, the one above that unmapped. */
static void copy_checks(struct ktest *t, uint8_t *rw, uint8_t *buf)
{
	uint8_t *u = (uint8_t *)USER_VA;
	size_t left;

	for (unsigned int i = 0; i < 64; i++)
		buf[i] = (uint8_t)(i + 1);
	KEXPECT_EQ(t, arch_copy_user(u + 100, buf, 64), 0);
	KEXPECT_EQ(t, memcmp(rw + 100, buf, 64), 0);
	KEXPECT_EQ(t, arch_copy_user(buf, u + 100, 0), 0);

	/* Runs into the read-only page after 5 bytes: a write fault. */
	left = arch_copy_user(u + PAGE_SIZE - 5, buf, 20);
	KEXPECT_EQ(t, left, 15);
	KEXPECT_EQ(t, memcmp(rw + PAGE_SIZE - 5, buf, 5), 0);

	/* Reads the read-only page, then runs into the unmapped one. */
	memset(buf, 0, 64);
	left = arch_copy_user(buf, u + 2 * PAGE_SIZE - 8, 32);
	KEXPECT_EQ(t, left, 24);
	KEXPECT_EQ(t, buf[0], 0x5a);
	KEXPECT_EQ(t, buf[8], 0);

	/* Nothing mapped at all: not a byte. */
	KEXPECT_EQ(t, arch_copy_user(buf, u + 2 * PAGE_SIZE, 16), 16);
	KEXPECT_EQ(t, arch_copy_user(u + 3 * PAGE_SIZE, buf, 16), 16);
}

static void copy_user_stops_at_faults(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	struct page *rw = ktest_frame_with(0), *ro = ktest_frame_with(0);
	struct pmap *pm = pmap_create();
	static uint8_t buf[64];
	unsigned long flags;

	KASSERT_NOT_NULL(t, rw);
	KASSERT_NOT_NULL(t, ro);
	KASSERT_NOT_NULL(t, pm);
	memset((uint8_t *)page_to_virt(ro) + PAGE_SIZE - 8, 0x5a, 8);
	KASSERT_EQ(t, pmap_enter(pm, USER_VA, page_to_phys(rw),
				 VM_READ | VM_WRITE, NULL), 0);
	KASSERT_EQ(t, pmap_enter(pm, USER_VA + PAGE_SIZE, page_to_phys(ro),
				 VM_READ, NULL), 0);
	flags = arch_irq_save();
	pmap_activate(pm);
	copy_checks(t, page_to_virt(rw), buf);
	pmap_activate(pmap_kernel());
	arch_irq_restore(flags);
	pmap_destroy(pm);
	pmm_free(rw, 0);
	pmm_free(ro, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE_SKIP_IF(thread_switch, ktest_skip_unless_pmap,
		    KTEST_CASE(switches_keep_state),
		    KTEST_CASE(fpu_init_and_copy),
		    KTEST_CASE(copy_user_stops_at_faults));
