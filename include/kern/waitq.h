/*
 * Wait queues: a list of sleeping threads that a waker finds under a lock
 * the caller chooses (the lock that protects the condition slept on). Each
 * sleeper links a struct waiter from its own stack, so queues need no
 * allocation. A sleep ends when a waker dequeues the waiter, at a
 * deadline, or when the sleeper's process is being killed.
 */
#ifndef KERN_WAITQ_H
#define KERN_WAITQ_H

#include <kern/spinlock.h>
#include <kern/types.h>

struct thread;

struct waiter {
	struct waiter *next;
	struct thread *thread;
	const void *key1;		/* futex: address space */
	uintptr_t key2;			/* futex: user address */
	bool woken;			/* dequeued by a waker */
};

struct waitq {
	struct waiter *head;
};

/*
 * Sleep on @wq: the caller holds @lock, taken with spin_lock_irqsave
 * (flags *@irq), and has checked its condition under it. Returns with
 * @lock held again (*@irq updated): 0 when a waker dequeued @w, -ETIMEDOUT
 * at @deadline_ns (0: none), -EINTR when the process is being killed.
 * @w is off the queue on return. Locking: as described; may not be called
 * with any other spinlock held.
 */
int waitq_sleep(struct waitq *wq, struct waiter *w, struct spinlock *lock,
		unsigned long *irq, uint64_t deadline_ns);

/*
 * Dequeue and wake up to @n waiters whose keys match (@key1 NULL: any
 * waiter). Returns how many were woken. Locking: caller holds the queue's
 * lock.
 */
unsigned int waitq_wake(struct waitq *wq, const void *key1, uintptr_t key2,
			unsigned int n);

#endif
