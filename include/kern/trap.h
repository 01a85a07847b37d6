/*
 * MI side of exception handling: the arch decodes the hardware trap, and
 * asks here whether a kernel test deliberately caused it.
 */
#ifndef KERN_TRAP_H
#define KERN_TRAP_H

#include <kern/types.h>

enum trap_kind {
	TRAP_BREAKPOINT,	/* x86 #BP (int3), arm64 BRK */
	TRAP_UNDEFINED,		/* x86 #UD, arm64 unknown / undefined */
	TRAP_PAGE_FAULT,	/* x86 #PF, arm64 data / instruction abort */
	TRAP_OTHER,
};

/*
 * Arm a one-shot expectation on this CPU: the next kernel-mode trap of
 * @kind is reported to the caller instead of panicking.
 * Locking: per-CPU state; call with the CPU pinned (interrupts may be on).
 */
void trap_expect(enum trap_kind kind);

/*
 * Disarm the expectation on this CPU and return how many matching traps
 * were taken since trap_expect() (0 or 1).
 */
unsigned int trap_expect_end(void);

/*
 * Called by an arch trap handler for a kernel-mode exception of @kind.
 * Returns true if a test expected it: the handler then skips the trapping
 * instruction and returns (for an instruction abort, where there is no
 * instruction to skip, it resumes at the caller's return address).
 * Otherwise the handler prints the trap and panics.
 */
bool trap_expected(enum trap_kind kind);

/* Human-readable name of @kind for trap reports. */
const char *trap_kind_name(enum trap_kind kind);

#endif
