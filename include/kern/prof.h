/*
 * Phase profile: how long each phase of fork, exit, wait and the page
 * fault handler takes, counted per CPU and read from /proc/tlbk/profile
 * (core/fs_synth.c) as "phase count total_ns" rows. The clock is
 * arch_clock_ns(), so under QEMU's -icount shift=0 the totals are guest
 * instruction counts, which is what the fork fast-path work needs: a
 * deterministic breakdown of where a fork's instructions go.
 *
 * Cost when read: two clock reads and two stores per phase; nothing is
 * locked or allocated.
 */
#ifndef KERN_PROF_H
#define KERN_PROF_H

#include <stdint.h>

enum prof_phase {
	PROF_FORK,		/* proc_clone of a process, whole */
	PROF_FORK_ALLOC,	/* its thread and process structures */
	PROF_FORK_VM_CREATE,	/* the child's empty address space */
	PROF_FORK_VMAS,		/* copying the VMA list */
	PROF_FORK_PTES,		/* entering the parent's pages in the child */
	PROF_FORK_WRPROTECT,	/* write-protecting the parent + shootdown */
	PROF_FORK_THREAD,	/* the child's thread set up and started */
	PROF_EXIT_TEARDOWN,	/* the last thread's proc_teardown */
	PROF_EXIT_VM,		/* vm_space_destroy within it */
	PROF_EXIT_VM_WALK,	/* ... its walk unhooking tables and pages */
	PROF_EXIT_VM_FLUSH,	/* ... its batch: flush, then the frees */
	PROF_WAIT_REAP,		/* wait4 freeing the zombie */
	PROF_FAULT_ZERO,	/* vm_fault mapping the zero page */
	PROF_FAULT_ANON,	/* vm_fault allocating a zeroed frame */
	PROF_FAULT_COW_COPY,	/* vm_fault copying a shared frame */
	PROF_FAULT_COW_REUSE,	/* vm_fault making a frame writable in place */
	PROF_FAULT_UNSHARE,	/* within a fault: a shared page table made
				 * private (vm.fork=share) */
	PROF_NPHASES
};

extern const char *const prof_phase_names[PROF_NPHASES];

/* The clock a phase starts at (arch_clock_ns): pass it to prof_end.
 * Locking: none, any context. TLB: none. */
uint64_t prof_start(void);

/*
 * Count one @phase that began at @t0 on this CPU.
 * Locking: none (only this CPU writes its block; the caller must not be
 * migrated in between, which holds in the kernel, as nothing preempts
 * kernel code). TLB: none.
 */
void prof_end(enum prof_phase phase, uint64_t t0);

/* The sums over CPUs of @phase's count and total nanoseconds: a racy
 * snapshot (a CPU may be adding meanwhile), never going backwards.
 * Locking: none. TLB: none. */
uint64_t prof_count(enum prof_phase phase);
uint64_t prof_total_ns(enum prof_phase phase);

#endif
