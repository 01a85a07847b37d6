/* Helpers shared by the suites that run code on several CPUs. */
#ifndef KTEST_KTEST_SMP_H
#define KTEST_KTEST_SMP_H

#include <ktest/ktest_mm.h>
#include <smp/cpu.h>
#include <smp/xcall.h>

/* Run @fn(@arg) on every online CPU but this one, and wait. */
static inline void ktest_run_on_others(xcall_fn fn, void *arg)
{
	struct cpuset others = cpus_online;

	cpuset_clear(&others, this_cpu()->id);
	xcall_run(&others, fn, arg);
}

/* skip_if hook: the suite needs the kernel pmap and two or more CPUs. */
static inline const char *ktest_skip_unless_pmap_smp(void)
{
	if (!pmap_kernel_ready())
		return "kernel pmap not bootstrapped";
	if (cpuset_count(&cpus_online) < 2)
		return "needs two or more CPUs";
	return NULL;
}

#endif
