/*
 * Suite smp: every CPU came up, each answers as itself, IPIs and
 * cross-calls reach every CPU (also all at once), locks exclude, ticks run.
 * ktest.expect_cpus=N (the harness passes QEMU's -smp) pins the CPU count.
 */
#include <kern/arch.h>
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/spinlock.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <smp/cpu.h>
#include <smp/smp.h>
#include <smp/smp_md.h>

static unsigned int online_count(void)
{
	return cpuset_count(&cpus_online);
}

static void all_cpus_online(struct ktest *t)
{
	unsigned long want = cmdline_get_ulong("ktest.expect_cpus", 0, 0,
					       MAX_CPUS);

	KEXPECT_GE(t, online_count(), 1);
	KEXPECT_EQ(t, online_count(), ncpus);
	if (want)
		KEXPECT_EQ(t, online_count(), want);
	else
		ktest_diag(t, "no ktest.expect_cpus given: count not pinned");
	KEXPECT_TRUE(t, cpuset_test(&cpus_online, 0));
	KEXPECT_EQ(t, this_cpu()->id, 0);
}

static uint64_t seen_hw_id[MAX_CPUS];
static unsigned int seen_id[MAX_CPUS];

static void record_identity(void *arg)
{
	struct cpu *c = this_cpu();

	(void)arg;
	seen_id[c->id] = c->id + 1;	/* +1: 0 means "never ran" */
	seen_hw_id[c->id] = c->hw_id;
}

static void each_cpu_reports_its_id(struct ktest *t)
{
	unsigned int cpu;

	memset(seen_id, 0, sizeof(seen_id));
	KASSERT_EQ(t, xcall_run(&cpus_online, record_identity, NULL), 0);
	for_each_cpu_in(cpu, &cpus_online) {
		KEXPECT_EQ(t, seen_id[cpu], cpu + 1);
		KEXPECT_EQ(t, seen_hw_id[cpu], cpus[cpu].hw_id);
		KEXPECT_EQ(t, cpus[cpu].self, &cpus[cpu]);
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if (!cpuset_test(&cpus_online, cpu))
			KEXPECT_EQ(t, seen_id[cpu], 0);
}

struct ping {
	unsigned int to;
	unsigned int pongs;	/* written by the target, read by the pinger */
	unsigned int ran_on;
};

static void pong(void *arg)
{
	struct ping *p = arg;

	p->ran_on = this_cpu()->id;
	__atomic_fetch_add(&p->pongs, 1, __ATOMIC_RELAXED);
}

/* Runs on CPU a: cross-call CPU b and wait for its answer. */
static void ping(void *arg)
{
	struct ping *p = arg;
	struct cpuset one;

	cpuset_zero(&one);
	cpuset_set(&one, p->to);
	xcall_run(&one, pong, p);
}

static void ipi_ping_pong_every_pair(struct ktest *t)
{
	unsigned int a, b, pairs = 0, bad = 0;

	for_each_cpu_in(a, &cpus_online) {
		for_each_cpu_in(b, &cpus_online) {
			struct ping p = { .to = b };
			struct cpuset from;

			if (a == b)
				continue;
			cpuset_zero(&from);
			cpuset_set(&from, a);
			xcall_run(&from, ping, &p);
			pairs++;
			bad += p.pongs != 1 || p.ran_on != b;
		}
	}
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, pairs, online_count() * (online_count() - 1));
	if (online_count() == 1)
		ktest_skip(t, "one CPU: no pairs");
}

static unsigned int xcall_hits;

static void count_hit(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&xcall_hits, 1, __ATOMIC_RELAXED);
}

static void xcall_all_completes(struct ktest *t)
{
	static uint64_t handled[MAX_CPUS];
	unsigned int cpu, self = this_cpu()->id;

	for_each_cpu_in(cpu, &cpus_online)
		handled[cpu] = READ_ONCE(cpus[cpu].xcall.handled);
	xcall_hits = 0;
	for (int i = 0; i < 50; i++)
		KASSERT_EQ(t, xcall_run(&cpus_online, count_hit, NULL), 0);
	/* xcall_run waited: every hit must already be counted. */
	KEXPECT_EQ(t, xcall_hits, 50 * online_count());
	/* Each other CPU ran all 50 from its inbox; this CPU ran its own
	 * share directly, not through its inbox. */
	for_each_cpu_in(cpu, &cpus_online)
		KEXPECT_EQ(t, READ_ONCE(cpus[cpu].xcall.handled) - handled[cpu],
			   cpu == self ? 0 : 50);
}

static void xcall_rejects_empty_set(struct ktest *t)
{
	struct cpuset none;

	cpuset_zero(&none);
	KEXPECT_EQ(t, xcall_run(&none, count_hit, NULL), -EINVAL);
}

#define STORM_ROUNDS	20

/* Runs on every CPU at once: cross-call all the others, repeatedly. */
static void storm(void *arg)
{
	struct cpuset others = cpus_online;

	(void)arg;
	cpuset_clear(&others, this_cpu()->id);
	for (int i = 0; i < STORM_ROUNDS; i++)
		xcall_run(&others, count_hit, NULL);
}

static void concurrent_xcalls_no_deadlock(struct ktest *t)
{
	unsigned int n = online_count();

	xcall_hits = 0;
	/* The boot CPU storms too: it is in cpus_online and runs storm()
	 * itself inside xcall_run, while serving the others' requests. */
	KASSERT_EQ(t, xcall_run(&cpus_online, storm, NULL), 0);
	KEXPECT_EQ(t, xcall_hits, STORM_ROUNDS * n * (n - 1));
	if (n == 1)
		ktest_skip(t, "one CPU: nothing concurrent");
}

#define LOCK_ROUNDS	2000

static struct spinlock counter_lock = SPINLOCK_INIT("smp_test.counter");
static unsigned long counter;	/* guarded by counter_lock */

static void hammer_lock(void *arg)
{
	(void)arg;
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&counter_lock);
		unsigned long v = READ_ONCE(counter);

		/* Non-atomic read-modify-write with a window: without the
		 * lock, concurrent CPUs lose updates. */
		arch_cpu_relax();
		WRITE_ONCE(counter, v + 1);
		spin_unlock_irqrestore(&counter_lock, flags);
	}
}

static void spinlock_counter_exact(struct ktest *t)
{
	counter = 0;
	KASSERT_EQ(t, xcall_run(&cpus_online, hammer_lock, NULL), 0);
	KEXPECT_EQ(t, counter, (unsigned long)LOCK_ROUNDS * online_count());
	KEXPECT_EQ(t, counter_lock.holder, -1);
}

static void ticks_on_every_cpu(struct ktest *t)
{
	uint64_t before[MAX_CPUS];
	unsigned int cpu;

	for_each_cpu_in(cpu, &cpus_online)
		before[cpu] = READ_ONCE(cpus[cpu].ticks);
	/* Idle (not spin) for five of our own ticks. */
	while (READ_ONCE(this_cpu()->ticks) < before[0] + 5)
		arch_idle();
	for_each_cpu_in(cpu, &cpus_online) {
		/* Another CPU's tick may lag ours by one period. */
		KEXPECT_GE(t, READ_ONCE(cpus[cpu].ticks), before[cpu] + 3);
	}
}

KTEST_SUITE(smp,
	    KTEST_CASE(all_cpus_online),
	    KTEST_CASE(each_cpu_reports_its_id),
	    KTEST_CASE(ipi_ping_pong_every_pair),
	    KTEST_CASE(xcall_all_completes),
	    KTEST_CASE(xcall_rejects_empty_set),
	    KTEST_CASE(concurrent_xcalls_no_deadlock),
	    KTEST_CASE(spinlock_counter_exact),
	    KTEST_CASE(ticks_on_every_cpu));
