/*
 * Threads: a kernel stack, saved machine context and a place in a run
 * queue. A user thread belongs to a process (struct proc) and shares its
 * address space with the other threads of that process; a kernel thread
 * (the per-CPU idle threads) has no process and runs on the kernel pmap.
 */
#ifndef KERN_THREAD_H
#define KERN_THREAD_H

#include <kern/compiler.h>
#include <kern/thread_md.h>
#include <kern/types.h>
#include <smp/cpuset.h>

struct proc;
struct cpu;

enum thread_state {
	THREAD_NEW,		/* created, never run */
	THREAD_RUNNABLE,	/* on a run queue */
	THREAD_RUNNING,		/* on a CPU */
	THREAD_SLEEPING,	/* on a wait queue (or sleeping on time) */
	THREAD_DEAD,		/* switched away for the last time */
};

struct thread {
	struct arch_thread arch;	/* saved context, FP/SIMD state */
	void *kstack_top;		/* from kstack_alloc, or a CPU's stack */
	int tid;
	int state;			/* enum thread_state; atomic */
	struct proc *proc;		/* NULL for kernel threads */
	struct cpu *cpu;		/* run queue it is on / CPU it runs on */
	struct cpuset affinity;		/* CPUs it may run on */
	struct thread *rq_next;		/* run queue link; the reaper's
					 * list once the thread is dead */
	struct thread *wq_next;		/* wait queue link */
	struct thread *proc_next;	/* the process's thread list */
	int on_rq;			/* on a run queue (checked) */
	int on_cpu;			/* running, or being switched away from */
	uint64_t wake_at_ns;		/* timed sleep deadline, 0 if none */
	struct thread *timer_next;	/* timer list link */
	vaddr_t clear_child_tid;	/* CLONE_CHILD_CLEARTID word, 0 if none */
	vaddr_t set_child_tid;		/* CLONE_CHILD_SETTID word, 0 if none */
};

/* The thread running on this CPU. Stable for the thread itself. */
struct thread *thread_current(void);



/*
 * A new thread with a kernel stack, state THREAD_NEW, no process, an
 * affinity of every CPU, and the next thread ID; arch_thread_init is the
 * caller's job. NULL when memory or the thread limit ran out.
 * Locking: none held. TLB: none.
 */
struct thread *thread_alloc(void);

/* Threads allocated and not yet freed (idle threads not counted): once it
 * is back to an earlier value, so are the threads' pages. */
unsigned int thread_count(void);

/* Free @t's kernel stack and record: a thread that never ran, or a dead
 * one off its CPU (thread_reap_dead). Locking: none held. */
void thread_free(struct thread *t);

/* The next process / thread ID (they share one counter). */
int thread_next_id(void);

/*
 * Mark the current thread dead and hand it to the reaper; the caller then
 * switches away for good (sched_switch). Interrupts disabled.
 */
void thread_make_dead(void);

/*
 * Free the kernel stacks and records of dead threads that have left their
 * CPUs. Returns how many dead threads are still waiting (still switching
 * away on some CPU). Locking: none held; interrupts enabled.
 */
unsigned int thread_reap_dead(void);
#endif
