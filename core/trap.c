/*
 * Expected-trap bookkeeping for tests that raise exceptions on purpose.
 * One slot per CPU, indexed by arch_cpu_id() and sized for the cpuset
 * maximum, so a trap expected on one CPU never matches another CPU's.
 */
#include <kern/arch.h>
#include <kern/trap.h>

#define TRAP_MAX_CPUS	256

struct trap_expectation {
	bool armed;
	enum trap_kind kind;
	unsigned int hits;
};

static struct trap_expectation trap_slots[TRAP_MAX_CPUS];

static struct trap_expectation *trap_slot(void)
{
	return &trap_slots[arch_cpu_id() % TRAP_MAX_CPUS];
}

void trap_expect(enum trap_kind kind)
{
	struct trap_expectation *e = trap_slot();

	e->kind = kind;
	e->hits = 0;
	/* The handler reads @armed from the same CPU: a compiler barrier
	 * keeps the stores above from moving past the trapping insn. */
	barrier();
	e->armed = true;
	barrier();
}

unsigned int trap_expect_end(void)
{
	struct trap_expectation *e = trap_slot();

	barrier();
	e->armed = false;
	return e->hits;
}

bool trap_expected(enum trap_kind kind)
{
	struct trap_expectation *e = trap_slot();

	if (!e->armed || e->kind != kind)
		return false;
	/* One-shot: a second trap at the resume point must not loop. */
	e->armed = false;
	e->hits++;
	return true;
}

const char *trap_kind_name(enum trap_kind kind)
{
	switch (kind) {
	case TRAP_BREAKPOINT: return "breakpoint";
	case TRAP_UNDEFINED: return "undefined instruction";
	case TRAP_PAGE_FAULT: return "page fault";
	default: return "exception";
	}
}
