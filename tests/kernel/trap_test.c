/*
 * Suite trap: take deliberate exceptions in kernel mode and come back.
 * Each case checks the handler really ran (a hit was counted) and that
 * execution resumed after the instruction with registers intact.
 */
#include <kern/arch.h>
#include <kern/trap.h>
#include <ktest/ktest.h>

static void breakpoint_returns(struct ktest *t)
{
	volatile unsigned long canary = 0x5a5a1234;

	trap_expect(TRAP_BREAKPOINT);
	arch_trap_breakpoint();
	KEXPECT_EQ(t, trap_expect_end(), 1);
	KEXPECT_EQ(t, canary, 0x5a5a1234);
}

static void undefined_returns(struct ktest *t)
{
	volatile unsigned long canary = 0xc0ffee;

	trap_expect(TRAP_UNDEFINED);
	arch_trap_undefined();
	KEXPECT_EQ(t, trap_expect_end(), 1);
	KEXPECT_EQ(t, canary, 0xc0ffee);
}

static void repeated_traps(struct ktest *t)
{
	unsigned int hits = 0;

	for (int i = 0; i < 100; i++) {
		trap_expect(i & 1 ? TRAP_UNDEFINED : TRAP_BREAKPOINT);
		if (i & 1)
			arch_trap_undefined();
		else
			arch_trap_breakpoint();
		hits += trap_expect_end();
	}
	KEXPECT_EQ(t, hits, 100);
}

static void expectation_is_one_shot(struct ktest *t)
{
	/* Armed for a different kind: nothing taken, nothing counted. */
	trap_expect(TRAP_PAGE_FAULT);
	KEXPECT_EQ(t, trap_expect_end(), 0);
	KEXPECT_FALSE(t, trap_expected(TRAP_BREAKPOINT));
}

KTEST_SUITE(trap,
	    KTEST_CASE(breakpoint_returns),
	    KTEST_CASE(undefined_returns),
	    KTEST_CASE(repeated_traps),
	    KTEST_CASE(expectation_is_one_shot));
