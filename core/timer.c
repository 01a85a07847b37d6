/*
 * Timed sleeps and the scheduler's share of the tick. Sleepers with a
 * deadline sit on one unsorted list that the boot CPU's tick scans: the
 * resolution is one tick (1000 / SMP_TICK_HZ ms), and the list is short
 * (one entry per thread in nanosleep or a futex wait with a timeout).
 */
#include <kern/errno.h>
#include <kern/lock_rank.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <smp/cpu.h>

static struct spinlock timer_lock =
	SPINLOCK_INIT_ORDERED("timer", CORE_LOCK_RANK_TIMER);
static struct thread *timer_head;

void timer_arm(struct thread *t, uint64_t deadline_ns)
{
	unsigned long irq = spin_lock_irqsave(&timer_lock);

	t->wake_at_ns = deadline_ns;
	t->timer_next = timer_head;
	timer_head = t;
	spin_unlock_irqrestore(&timer_lock, irq);
}

/* Unlink @t if armed. Locking: timer_lock held. */
static void timer_unlink(struct thread *t)
{
	struct thread **pp;

	if (!t->wake_at_ns)
		return;
	for (pp = &timer_head; *pp; pp = &(*pp)->timer_next) {
		if (*pp == t) {
			*pp = t->timer_next;
			break;
		}
	}
	t->wake_at_ns = 0;
}

void timer_disarm(struct thread *t)
{
	unsigned long irq = spin_lock_irqsave(&timer_lock);

	timer_unlink(t);
	spin_unlock_irqrestore(&timer_lock, irq);
}

/* Wake every sleeper whose deadline has passed. Interrupts off. */
static void timer_expire(void)
{
	uint64_t now = arch_clock_ns();
	struct thread **pp, *t;

	spin_lock(&timer_lock);
	for (pp = &timer_head; (t = *pp) != NULL;) {
		/* A thread armed under another lock may not be asleep yet:
		 * leave it for the next tick rather than lose the wakeup. */
		if (t->wake_at_ns > now || !sched_wakeup(t)) {
			pp = &t->timer_next;
			continue;
		}
		*pp = t->timer_next;
		t->wake_at_ns = 0;
	}
	spin_unlock(&timer_lock);
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct sched_cpu *s = &c->sched;

	if (!s->idle)
		return;
	if (s->current != s->idle && ++s->slice_ticks >= SCHED_SLICE_TICKS &&
	    READ_ONCE(s->nr_queued))
		s->need_resched = true;
	if (c->id == 0)
		timer_expire();
}

int sched_sleep_until(uint64_t deadline_ns)
{
	struct thread *t = thread_current();
	unsigned long irq;

	if (arch_clock_ns() >= deadline_ns)
		return 0;
	irq = spin_lock_irqsave(&timer_lock);
	t->wake_at_ns = deadline_ns;
	t->timer_next = timer_head;
	timer_head = t;
	sched_sleep(&timer_lock, irq);
	timer_disarm(t);
	return arch_clock_ns() >= deadline_ns ? 0 : -EINTR;
}
