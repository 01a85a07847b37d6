/*
 * Suite backtrace: the frame-pointer walker of panics and kernel traps.
 *
 * A chain of three noinline calls must come back as the three return
 * addresses each callee saw (__builtin_return_address), in order, each
 * inside its caller; and hand-made frame records that are corrupt (NULL,
 * outside the stack, straddling its end, misaligned, looping, going down,
 * endless) must end the walk where the rules say, without reading outside
 * the given stack.
 */
#include <kern/backtrace.h>
#include <kern/compiler.h>
#include <ktest/ktest.h>

#define WORD		sizeof(uintptr_t)
/* Generous size of the small functions below (sanitizer builds too):
 * a return address must fall in [fn, fn + FN_MAX_BYTES). */
#define FN_MAX_BYTES	1024
/* Fake records: more than BACKTRACE_MAX of them, two words each. */
#define FAKE_WORDS	(2 * (BACKTRACE_MAX + 8))

static uintptr_t seen_ret[3];		/* what chain_a/b/c were returned to */
static uintptr_t walked[BACKTRACE_MAX];
static unsigned int nwalked;
static uintptr_t not_a_stack[4];	/* a global: in no stack's range */

static __attribute__((noinline)) int chain_c(int x)
{
	seen_ret[2] = (uintptr_t)__builtin_return_address(0);
	nwalked = backtrace_walk(backtrace_current_fp(), walked,
				 BACKTRACE_MAX);
	barrier();
	return x + 1;
}

/* Work after each call keeps it from becoming a tail call, which would
 * drop the caller's frame from the chain. */
static __attribute__((noinline)) int chain_b(int x)
{
	int r;

	seen_ret[1] = (uintptr_t)__builtin_return_address(0);
	r = chain_c(x + 1);
	barrier();
	return r + 1;
}

static __attribute__((noinline)) int chain_a(int x)
{
	int r;

	seen_ret[0] = (uintptr_t)__builtin_return_address(0);
	r = chain_b(x + 1);
	barrier();
	return r + 1;
}

static bool in_fn(uintptr_t pc, void (*fn)(struct ktest *))
{
	return pc > (uintptr_t)fn && pc - (uintptr_t)fn < FN_MAX_BYTES;
}

static bool in_fn_int(uintptr_t pc, int (*fn)(int))
{
	return pc > (uintptr_t)fn && pc - (uintptr_t)fn < FN_MAX_BYTES;
}

static void three_calls_in_order(struct ktest *t)
{
	volatile int start = 1;

	KASSERT_EQ(t, chain_a(start), 6);
	KASSERT_GE(t, nwalked, 3);
	/* chain_c's record returns into chain_b, then chain_a, then here. */
	KEXPECT_EQ(t, walked[0], seen_ret[2]);
	KEXPECT_EQ(t, walked[1], seen_ret[1]);
	KEXPECT_EQ(t, walked[2], seen_ret[0]);
	KEXPECT_TRUE(t, in_fn_int(walked[0], chain_b));
	KEXPECT_TRUE(t, in_fn_int(walked[1], chain_a));
	KEXPECT_TRUE(t, in_fn(walked[2], three_calls_in_order));
	KEXPECT_LE(t, nwalked, BACKTRACE_MAX);
}

/* The running code's stack is one the arch reports, and all of each
 * reported range reads (a hole would fault here, not in a panic). */
static void bounds_hold_current_stack(struct ktest *t)
{
	struct stack_range r[STACK_RANGES_MAX];
	unsigned int n = arch_stack_bounds(r, STACK_RANGES_MAX);
	uintptr_t fp = backtrace_current_fp();
	bool found = false;

	KASSERT_GE(t, n, 1);
	KEXPECT_LE(t, n, STACK_RANGES_MAX);
	for (unsigned int i = 0; i < n; i++) {
		KEXPECT_LT(t, r[i].lo, r[i].hi);
		found |= fp >= r[i].lo && fp < r[i].hi;
		(void)READ_ONCE(*(const uintptr_t *)r[i].lo);
		(void)READ_ONCE(*(const uintptr_t *)(r[i].hi - WORD));
	}
	KEXPECT_TRUE(t, found);
	KEXPECT_EQ(t, arch_stack_bounds(r, 0), 0);
}

static unsigned int walk_fake(uintptr_t *st, uintptr_t fp, uintptr_t *pcs,
			      unsigned int max)
{
	struct stack_range r = { (uintptr_t)st,
				 (uintptr_t)(st + FAKE_WORDS) };

	return backtrace_walk_ranges(fp, &r, 1, pcs, max);
}

/* Record at st[i]: {saved fp, return address}. */
static void record(uintptr_t *st, unsigned int i, uintptr_t next,
		   uintptr_t ret)
{
	st[i] = next;
	st[i + 1] = ret;
}

static void bad_pointers_end_at_once(struct ktest *t)
{
	uintptr_t st[FAKE_WORDS] __aligned(16) = { 0 };
	uintptr_t pcs[BACKTRACE_MAX];
	uintptr_t end = (uintptr_t)(st + FAKE_WORDS);

	record(st, 0, 0, 0x1000);
	KEXPECT_EQ(t, walk_fake(st, 0, pcs, BACKTRACE_MAX), 0);
	/* Never read: below, at and across the end, misaligned. */
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)st - 2 * WORD, pcs,
				BACKTRACE_MAX), 0);
	KEXPECT_EQ(t, walk_fake(st, end, pcs, BACKTRACE_MAX), 0);
	KEXPECT_EQ(t, walk_fake(st, end - WORD, pcs, BACKTRACE_MAX), 0);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)st + 1, pcs, BACKTRACE_MAX),
		   0);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)st + WORD / 2, pcs,
				BACKTRACE_MAX), 0);
	/* An address the walker would fault on if it read it. */
	KEXPECT_EQ(t, walk_fake(st, 16, pcs, BACKTRACE_MAX), 0);
	/* The real bounds: a global, a low address, the top of memory. */
	KEXPECT_EQ(t, backtrace_walk((uintptr_t)not_a_stack, pcs,
				     BACKTRACE_MAX), 0);
	KEXPECT_EQ(t, backtrace_walk(16, pcs, BACKTRACE_MAX), 0);
	KEXPECT_EQ(t, backtrace_walk(~(uintptr_t)0 - WORD + 1, pcs,
				     BACKTRACE_MAX), 0);
	/* A record with a zero return address ends the chain. */
	record(st, 4, (uintptr_t)&st[8], 0);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[4], pcs, BACKTRACE_MAX),
		   0);
}

static void loops_and_escapes_end(struct ktest *t)
{
	uintptr_t st[FAKE_WORDS] __aligned(16) = { 0 };
	uintptr_t pcs[BACKTRACE_MAX] = { 0 };

	/* Pointing at itself. */
	record(st, 0, (uintptr_t)&st[0], 0x11);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[0], pcs, BACKTRACE_MAX),
		   1);
	KEXPECT_EQ(t, pcs[0], 0x11);
	/* Two records pointing at each other: the downward step ends it. */
	record(st, 2, (uintptr_t)&st[6], 0x21);
	record(st, 6, (uintptr_t)&st[2], 0x22);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[2], pcs, BACKTRACE_MAX),
		   2);
	KEXPECT_EQ(t, pcs[0], 0x21);
	KEXPECT_EQ(t, pcs[1], 0x22);
	/* Up, then out of the stack (a global), then misaligned. */
	record(st, 10, (uintptr_t)not_a_stack, 0x31);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[10], pcs, BACKTRACE_MAX),
		   1);
	record(st, 10, (uintptr_t)&st[12] + 1, 0x41);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[10], pcs, BACKTRACE_MAX),
		   1);
	/* Garbage below the real stack: the walker reads it and stops. */
	record(st, 10, 16, 0x51);
	KEXPECT_EQ(t, backtrace_walk((uintptr_t)&st[10], pcs, BACKTRACE_MAX),
		   1);
	KEXPECT_EQ(t, pcs[0], 0x51);
}

static void endless_chain_stops_at_limit(struct ktest *t)
{
	uintptr_t st[FAKE_WORDS] __aligned(16) = { 0 };
	uintptr_t pcs[BACKTRACE_MAX] = { 0 };
	unsigned int n;

	/* FAKE_WORDS / 2 valid records, each one above the last. */
	for (unsigned int i = 0; i + 2 < FAKE_WORDS; i += 2)
		record(st, i, (uintptr_t)&st[i + 2], 0x100 + i / 2);
	record(st, FAKE_WORDS - 2, 0, 0x100 + FAKE_WORDS / 2 - 1);
	n = walk_fake(st, (uintptr_t)&st[0], pcs, BACKTRACE_MAX);
	KEXPECT_EQ(t, n, BACKTRACE_MAX);
	for (unsigned int i = 0; i < n; i++)
		KEXPECT_EQ(t, pcs[i], 0x100 + i);
	/* A larger @max is clamped: pcs has only BACKTRACE_MAX slots. */
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[0], pcs, 1000),
		   BACKTRACE_MAX);
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[0], pcs, 3), 3);
	/* Started near the end: runs to the last record's NULL fp. */
	KEXPECT_EQ(t, walk_fake(st, (uintptr_t)&st[FAKE_WORDS - 6], pcs,
				BACKTRACE_MAX), 3);
	KEXPECT_EQ(t, pcs[2], 0x100 + FAKE_WORDS / 2 - 1);
}

KTEST_SUITE(backtrace,
	KTEST_CASE(three_calls_in_order),
	KTEST_CASE(bounds_hold_current_stack),
	KTEST_CASE(bad_pointers_end_at_once),
	KTEST_CASE(loops_and_escapes_end),
	KTEST_CASE(endless_chain_stops_at_limit));
