/*
 * Wait queues (see <kern/waitq.h>). Wakers dequeue the waiter before they
 * wake its thread, so a waiter still queued after its sleep was ended by
 * a deadline or a kill; it then takes itself off.
 */
#include <kern/errno.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <kern/waitq.h>

static void waitq_unlink(struct waitq *wq, struct waiter *w)
{
	struct waiter **pp;

	for (pp = &wq->head; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

int waitq_sleep(struct waitq *wq, struct waiter *w, struct spinlock *lock,
		unsigned long *irq, uint64_t deadline_ns)
{
	struct thread *t = thread_current();

	w->thread = t;
	w->woken = false;
	w->next = wq->head;
	wq->head = w;
	if (deadline_ns)
		timer_arm(t, deadline_ns);
	sched_sleep(lock, *irq);
	if (deadline_ns)
		timer_disarm(t);
	*irq = spin_lock_irqsave(lock);
	if (w->woken)
		return 0;
	waitq_unlink(wq, w);
	if (deadline_ns && arch_clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return -EINTR;
}

unsigned int waitq_wake(struct waitq *wq, const void *key1, uintptr_t key2,
			unsigned int n)
{
	struct waiter **pp, *w;
	unsigned int woken = 0;

	for (pp = &wq->head; (w = *pp) != NULL && woken < n;) {
		if (key1 && (w->key1 != key1 || w->key2 != key2)) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->woken = true;
		sched_wakeup(w->thread);
		woken++;
	}
	return woken;
}
