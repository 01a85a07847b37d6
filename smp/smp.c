/*
 * SMP bring-up, machine-independent half: enumerate CPUs through the arch,
 * start the secondaries one at a time, wait (bounded, on the boot CPU's
 * tick) for each to come online, and keep going without any that fail.
 */
#include <kern/arch.h>
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <mm/kstack.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>
#include <smp/tlb.h>
#include <smp/smp.h>
#include <smp/smp_md.h>

#define SMP_START_TIMEOUT_TICKS	(SMP_TICK_HZ)	/* one second per CPU */

CMDLINE_PARAM(smp_maxcpus, "smp.maxcpus",
	      "start at most this many CPUs (1 = boot CPU only)");

struct cpu cpus[MAX_CPUS];
unsigned int ncpus = 1;
struct cpuset cpus_online;

static void cpu_setup(struct cpu *c, unsigned int id)
{
	c->self = c;
	c->id = id;
	xcall_inbox_init(&c->xcall);
}

/* A guarded stack from the mapping window (the boot CPU keeps its boot
 * stack); 0 or -ENOMEM. A CPU that fails to start keeps its stack: it may
 * still be running on it. */
static int stack_setup(struct cpu *c)
{
	c->stack_top = kstack_alloc();
	return c->stack_top ? 0 : -ENOMEM;
}

/*
 * Move @c from STARTING to ONLINE and add it to cpus_online. Returns false
 * if @c was no longer STARTING (the boot CPU gave up on it first).
 * Release, state first: whoever sees ONLINE or finds the CPU in cpus_online
 * (as xcall_start does before using its interrupt controller state) also
 * sees this CPU's setup.
 */
static bool cpu_go_online(struct cpu *c)
{
	enum cpu_state expected = CPU_STARTING;

	if (!__atomic_compare_exchange_n(&c->state, &expected, CPU_ONLINE,
					 false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return false;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	cpuset_set_atomic(&cpus_online, c->id);
	return true;
}

void smp_handle_tick(void)
{
	this_cpu()->ticks++;
	sched_tick();
}

void smp_handle_ipi(enum ipi_kind kind)
{
	if (kind == IPI_XCALL)
		xcall_handle_ipi();
	else if (kind == IPI_TLB)
		tlb_handle_ipi();
	else if (kind == IPI_WAKE)
		ipi_stats_inc(IPI_STAT_RESCHED);
}

__noreturn void smp_secondary_entry(struct cpu *c)
{
	enum cpu_state starting = CPU_STARTING;

	arch_cpu_init_local(c);
	/*
	 * The idle thread before going online: a CPU in cpus_online takes
	 * threads, and everything the boot CPU measures after bring-up (the
	 * free page count init_run compares against) must already include
	 * this allocation. Allocated after going online, it raced init's
	 * first measurement and showed as a one-page "leak".
	 */
	if (sched_init_cpu() != 0) {
		printk("smp: cpu%u: no memory for its idle thread; staying "
		       "offline\n", c->id);
		__atomic_compare_exchange_n(&c->state, &starting, CPU_FAILED,
					    false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED);
		arch_ipi_send(&cpus[0], IPI_WAKE);
		arch_halt();
	}
	/* Too late: the boot CPU reported this CPU failed. Stay out (its
	 * idle record stays allocated: a halted CPU still owns it). */
	if (!cpu_go_online(c))
		arch_halt();
	arch_ipi_send(&cpus[0], IPI_WAKE);
	arch_timer_start(SMP_TICK_HZ);
	sched_idle_loop(NULL);
	panic("smp: cpu%u left its idle loop", c->id);
}

/*
 * Wait, idle, until @c leaves CPU_STARTING, or give up after the timeout by
 * moving it to CPU_FAILED. The give-up is a compare-and-swap racing the
 * CPU's own STARTING -> ONLINE, so exactly one of them wins.
 */
static bool wait_online(struct cpu *c)
{
	uint64_t until = this_cpu()->ticks + SMP_START_TIMEOUT_TICKS;
	enum cpu_state expected = CPU_STARTING;

	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_STARTING) {
		if (this_cpu()->ticks >= until &&
		    __atomic_compare_exchange_n(&c->state, &expected,
						CPU_FAILED, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE))
			return false;
		arch_idle();
	}
	return __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == CPU_ONLINE;
}

static void start_secondary(struct cpu *c)
{
	int err;

	c->state = CPU_STARTING;
	err = stack_setup(c);
	if (err == 0)
		err = arch_cpu_start(c);
	if (err) {
		c->state = CPU_FAILED;
		printk("smp: cpu%u (hw %#llx) did not start: error %d\n",
		       c->id, (unsigned long long)c->hw_id, err);
	} else if (!wait_online(c)) {
		printk("smp: cpu%u (hw %#llx) did not come online within "
		       "%u ms after %s\n", c->id, (unsigned long long)c->hw_id,
		       1000 * SMP_START_TIMEOUT_TICKS / SMP_TICK_HZ,
		       c->start_method ? c->start_method : "start");
	} else {
		printk("smp: cpu%u online: hw id %#llx, started by %s\n",
		       c->id, (unsigned long long)c->hw_id, c->start_method);
	}
}

void smp_init(void)
{
	unsigned long max;
	uint64_t freq;

	/* cpus[0] is live (printk reads its id); cpu_setup() rewrites it
	 * with the same self and id, so that is harmless. */
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		cpu_setup(&cpus[i], i);
	ncpus = arch_smp_discover(cpus, MAX_CPUS);
	BUG_ON(ncpus < 1 || ncpus > MAX_CPUS);
	max = cmdline_get_ulong("smp.maxcpus", MAX_CPUS, 1, MAX_CPUS);
	if (ncpus > max) {
		printk("smp: smp.maxcpus=%lu: leaving %lu CPU(s) unused\n",
		       max, ncpus - max);
		for (unsigned int i = max; i < ncpus; i++)
			cpus[i].state = CPU_ABSENT;
		ncpus = (unsigned int)max;
	}
	cpus[0].start_method = "firmware (boot CPU)";
	arch_set_this_cpu(&cpus[0]);
	arch_cpu_init_local(&cpus[0]);
	cpus[0].state = CPU_STARTING;
	cpu_go_online(&cpus[0]);
	freq = arch_timer_start(SMP_TICK_HZ);
	printk("smp: %u CPU(s) in use, IPIs via %s, tick %u Hz from a %llu Hz "
	       "timer; boot cpu hw id %#llx\n", ncpus, arch_ipi_path(),
	       SMP_TICK_HZ, (unsigned long long)freq,
	       (unsigned long long)cpus[0].hw_id);
	for (unsigned int i = 1; i < ncpus; i++)
		start_secondary(&cpus[i]);
	/* wait_online() idled with interrupts masked on return. */
	arch_irq_enable();
	printk("smp: %u of %u CPU(s) online\n", cpuset_count(&cpus_online),
	       ncpus);
}
