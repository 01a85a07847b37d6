/*
 * The scheduler: one run queue per CPU, preemptive round robin on the
 * timer tick, CPU affinity, and sleeping / waking for wait queues and
 * timed sleeps. Threads run until they sleep, yield, exit, or their time
 * slice ends while another thread waits on their CPU; the switch itself
 * happens only on the way back to user mode or in the idle loop (the
 * kernel is not preemptible).
 *
 * Switch protocol: a thread is on at most one run queue; `on_cpu` is set
 * while a CPU runs it or is still switching away from it, and a CPU that
 * picks a thread spins until it is clear, so a thread woken while it is
 * still going to sleep on another CPU is never run twice at once.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include <kern/compiler.h>
#include <kern/spinlock.h>
#include <kern/types.h>

struct thread;
struct cpuset;
struct waitq;
struct pmap;

/* Ticks (SMP_TICK_HZ) a thread runs before another one of its CPU's run
 * queue gets a turn. */
#define SCHED_SLICE_TICKS	2

/* Per-CPU scheduler state, inside struct cpu. */
struct sched_cpu {
	struct spinlock lock;		/* the run queue */
	struct thread *head, *tail;	/* FIFO of RUNNABLE threads */
	unsigned int nr_queued;
	struct thread *current;		/* running here */
	struct thread *idle;		/* runs when the queue is empty */
	struct thread *switch_from;	/* set across arch_thread_switch */
	unsigned int slice_ticks;	/* ticks the current thread has run */
	bool need_resched;		/* switch at the next chance */
};

/*
 * Make the calling context this CPU's idle thread (its boot stack), so
 * the scheduler can switch away from it. Once per CPU, interrupts off.
 * Returns 0 or -ENOMEM.
 */
int sched_init_cpu(void);

/*
 * Run the idle loop of this CPU: reap dead threads, run queued threads,
 * halt when there are none. Returns when @stop (may be NULL: never) returns
 * true, checked after every wakeup, with interrupts enabled.
 * Locking: none held.
 */
void sched_idle_loop(bool (*stop)(void));

/*
 * Queue the NEW thread @t for the first time, on the least loaded online
 * CPU its affinity allows. Locking: takes that CPU's run-queue lock.
 */
void sched_start(struct thread *t);

/*
 * Give up the CPU: the current thread goes to the back of its run queue
 * (or stays running if nothing else waits). Interrupts disabled.
 */
void sched_yield(void);

/*
 * Switch to the next thread. The current thread's state says what happens
 * to it: RUNNING is requeued, SLEEPING and DEAD are not. Interrupts
 * disabled; returns (interrupts disabled) when the thread runs again.
 */
void sched_switch(void);

/*
 * Put the current thread to sleep: the caller holds @lock, taken with
 * spin_lock_irqsave (flags @irq) or with interrupts on (@irq then from
 * arch_irq_save, after spin_lock), and has made the thread findable by
 * its waker (a wait queue). Releases @lock, switches away, and returns
 * after sched_wakeup() with interrupts restored to @irq and @lock not held.
 */
void sched_sleep(struct spinlock *lock, unsigned long irq);

/*
 * Wake @t if it sleeps: make it RUNNABLE and queue it, on its last CPU if
 * its affinity allows. Returns whether it was asleep. Callable from any
 * context, interrupts on or off. Locking: takes a run-queue lock.
 */
bool sched_wakeup(struct thread *t);

/*
 * Sleep until arch_clock_ns() >= @deadline_ns (resolution: one tick), or
 * until woken by sched_wakeup (the process is being killed). Returns 0 at
 * the deadline, -EINTR when woken early. Interrupts enabled. An idle
 * thread (which is what runs the in-kernel suites) cannot sleep: it gets
 * -EINTR at once and must wait in sched_idle_loop with a stop test.
 */
int sched_sleep_until(uint64_t deadline_ns);

/*
 * Set the current thread's affinity to @set (which must contain an online
 * CPU), and move it there now if it runs elsewhere. Interrupts enabled.
 */
void sched_set_affinity(const struct cpuset *set);

/*
 * Load the kernel's address space on this CPU (no user half), before the
 * caller destroys the one that was loaded. Interrupts on or off.
 */
void sched_use_kernel_pmap(void);

/*
 * Timed wakeups: wake @t (with sched_wakeup) once arch_clock_ns() passes
 * @deadline_ns, unless timer_disarm(@t) runs first. One timer per thread.
 * Locking: takes the timer lock; any lower-ranked lock may be held.
 */
void timer_arm(struct thread *t, uint64_t deadline_ns);
void timer_disarm(struct thread *t);

/* From smp_handle_tick(), interrupts off: slice accounting and timed
 * sleepers. */
void sched_tick(void);

/*
 * First call of a new thread's function (arch_thread_init): completes the
 * switch to it and enables interrupts.
 */
void sched_thread_begin(void);

/*
 * Complete a switch on the thread switched to: the thread switched away
 * from is now off this CPU (its on_cpu clears). sched_switch calls it when
 * arch_thread_switch returns; a new thread's first function calls it
 * before anything else. Interrupts disabled.
 */
void sched_finish_switch(void);

#endif
