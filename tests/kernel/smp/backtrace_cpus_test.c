/*
 * Suite backtrace_cpus: on every online CPU, from a cross-call (interrupt
 * context on a secondary, on the stack it was running on: its idle
 * thread's, c->stack_top), the running frame lies in one of the ranges
 * arch_stack_bounds() reports for that CPU, every range reads in full,
 * and the walk starts with the caller's return address.
 */
#include <kern/backtrace.h>
#include <kern/compiler.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <smp/cpu.h>
#include <smp/xcall.h>

enum probe_result {
	PROBE_NOT_RUN,
	PROBE_OK,
	PROBE_NO_RANGES,
	PROBE_FP_OUTSIDE,
	PROBE_SHORT_WALK,
	PROBE_WRONG_RETURN,
};

static int probe_result[MAX_CPUS];

static bool in_ranges(uintptr_t a, const struct stack_range *r,
		      unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (a >= r[i].lo && a < r[i].hi)
			return true;
	return false;
}

static __attribute__((noinline)) int probe_stack(void)
{
	struct stack_range r[STACK_RANGES_MAX];
	uintptr_t pcs[BACKTRACE_MAX];
	uintptr_t fp = backtrace_current_fp();
	uintptr_t ret = (uintptr_t)__builtin_return_address(0);
	unsigned int n = arch_stack_bounds(r, STACK_RANGES_MAX);

	if (n == 0)
		return PROBE_NO_RANGES;
	for (unsigned int i = 0; i < n; i++) {
		(void)READ_ONCE(*(const uintptr_t *)r[i].lo);
		(void)READ_ONCE(*((const uintptr_t *)r[i].hi - 1));
	}
	if (!in_ranges(fp, r, n))
		return PROBE_FP_OUTSIDE;
	if (backtrace_walk(fp, pcs, BACKTRACE_MAX) < 1)
		return PROBE_SHORT_WALK;
	return pcs[0] == ret ? PROBE_OK : PROBE_WRONG_RETURN;
}

static void probe_here(void *arg)
{
	int r;

	(void)arg;
	r = probe_stack();
	barrier();	/* not a tail call: probe_stack returns here */
	probe_result[this_cpu()->id] = r;
}

static void every_cpu_walks_its_stack(struct ktest *t)
{
	unsigned int cpu;

	memset(probe_result, 0, sizeof(probe_result));
	KASSERT_EQ(t, xcall_run(&cpus_online, probe_here, NULL), 0);
	for_each_cpu_in(cpu, &cpus_online) {
		if (probe_result[cpu] != PROBE_OK)
			ktest_diag(t, "cpu%u: probe result %d", cpu,
				   probe_result[cpu]);
		KEXPECT_EQ(t, probe_result[cpu], PROBE_OK);
	}
}

KTEST_SUITE(backtrace_cpus, KTEST_CASE(every_cpu_walks_its_stack));
