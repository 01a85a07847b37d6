/*
 * Phase profile counters (see <kern/prof.h>): one block per CPU, written
 * only by its CPU, read by anyone.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <kern/prof.h>
#include <kern/thread_md.h>
#include <smp/cpuset.h>

/* 8-byte aligned even on i686: one single-copy-atomic 64-bit access. */
typedef uint64_t count_t __aligned(8);

enum { RUNS, TOTAL_NS };

struct prof_block {
	count_t v[2][PROF_NPHASES];	/* [RUNS], [TOTAL_NS] */
} __aligned(64);

static struct prof_block blocks[MAX_CPUS];

const char *const prof_phase_names[PROF_NPHASES] = {
	[PROF_FORK] = "fork",
	[PROF_FORK_ALLOC] = "fork.alloc",
	[PROF_FORK_VM_CREATE] = "fork.vm_create",
	[PROF_FORK_VMAS] = "fork.vmas",
	[PROF_FORK_PTES] = "fork.ptes",
	[PROF_FORK_WRPROTECT] = "fork.wrprotect",
	[PROF_FORK_THREAD] = "fork.thread",
	[PROF_EXIT_TEARDOWN] = "exit.teardown",
	[PROF_EXIT_VM] = "exit.vm",
	[PROF_EXIT_VM_WALK] = "exit.vm.walk",
	[PROF_EXIT_VM_FLUSH] = "exit.vm.flush",
	[PROF_WAIT_REAP] = "wait.reap",
	[PROF_FAULT_ZERO] = "fault.zero",
	[PROF_FAULT_ANON] = "fault.anon",
	[PROF_FAULT_COW_COPY] = "fault.cow_copy",
	[PROF_FAULT_COW_REUSE] = "fault.cow_reuse",
	[PROF_FAULT_UNSHARE] = "fault.unshare",
};

/* Only the owner writes, so a plain load and store are enough; the store
 * is one access other CPUs read whole. */
static void bump(count_t *slot, uint64_t n)
{
	__atomic_store_n(slot, __atomic_load_n(slot, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

uint64_t prof_start(void)
{
	return arch_clock_ns();
}

void prof_end(enum prof_phase phase, uint64_t t0)
{
	struct prof_block *b = &blocks[arch_cpu_id()];
	uint64_t now = arch_clock_ns();

	bump(&b->v[RUNS][phase], 1);
	bump(&b->v[TOTAL_NS][phase], now > t0 ? now - t0 : 0);
}

static uint64_t sum(unsigned int which, enum prof_phase phase)
{
	uint64_t s = 0;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		s += __atomic_load_n(&blocks[cpu].v[which][phase],
				     __ATOMIC_RELAXED);
	return s;
}

uint64_t prof_count(enum prof_phase phase)
{
	return sum(RUNS, phase);
}

uint64_t prof_total_ns(enum prof_phase phase)
{
	return sum(TOTAL_NS, phase);
}
