/*
 * Thread records: allocation with a guarded kernel stack, IDs, and the
 * reaper that frees a dead thread once no CPU runs on its stack.
 */
#include <kern/errno.h>
#include <kern/lock_rank.h>
#include <kern/proc.h>
#include <kern/spinlock.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <mm/kheap.h>
#include <mm/kstack.h>
#include <smp/cpu.h>

/* IDs start at 1: init gets pid 1 as on Linux. */
static int next_id = 1;
static unsigned int nthreads_alloc;
static struct spinlock reap_lock =
	SPINLOCK_INIT_ORDERED("reap", CORE_LOCK_RANK_REAP);
static struct thread *dead_head;

struct thread *thread_current(void)
{
	return this_cpu()->sched.current;
}

int thread_next_id(void)
{
	return __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
}

struct thread *thread_alloc(void)
{
	struct thread *t;
	unsigned int i;

	if (__atomic_add_fetch(&nthreads_alloc, 1, __ATOMIC_RELAXED) >
	    THREAD_MAX)
		goto out_limit;
	t = kzalloc(sizeof(*t));
	if (!t)
		goto out_limit;
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		goto out_limit;
	}
	t->tid = thread_next_id();
	t->state = THREAD_NEW;
	for_each_cpu_in(i, &cpus_online)
		cpuset_set(&t->affinity, i);
	return t;
out_limit:
	__atomic_sub_fetch(&nthreads_alloc, 1, __ATOMIC_RELAXED);
	return NULL;
}

void thread_free(struct thread *t)
{
	kstack_free(t->kstack_top);
	kfree(t);
	/* Release: a reader of thread_count() sees the memory back. */
	__atomic_sub_fetch(&nthreads_alloc, 1, __ATOMIC_RELEASE);
}

unsigned int thread_count(void)
{
	return __atomic_load_n(&nthreads_alloc, __ATOMIC_ACQUIRE);
}

void thread_make_dead(void)
{
	struct thread *t = thread_current();
	unsigned long irq = spin_lock_irqsave(&reap_lock);

	t->state = THREAD_DEAD;
	t->rq_next = dead_head;
	dead_head = t;
	spin_unlock_irqrestore(&reap_lock, irq);
}

/* Take every dead thread that has left its CPU off the list. */
static struct thread *take_reapable(unsigned int *left)
{
	struct thread *ready = NULL, **pp, *t;
	unsigned long irq = spin_lock_irqsave(&reap_lock);

	*left = 0;
	for (pp = &dead_head; (t = *pp) != NULL;) {
		/* Acquire: the switch away from @t, on its stack, is over. */
		if (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
			(*left)++;
			pp = &t->rq_next;
			continue;
		}
		*pp = t->rq_next;
		t->rq_next = ready;
		ready = t;
	}
	spin_unlock_irqrestore(&reap_lock, irq);
	return ready;
}

unsigned int thread_reap_dead(void)
{
	unsigned int left;
	struct thread *t = take_reapable(&left), *next;

	for (; t; t = next) {
		next = t->rq_next;
		thread_free(t);
	}
	return left;
}
