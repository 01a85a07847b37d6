/*
 * The scheduler (see <kern/sched.h>): per-CPU FIFO run queues, round robin
 * by time slice, affinity, sleep and wakeup.
 *
 * A thread's state moves RUNNING -> RUNNABLE (preempted, yield) under its
 * run queue's lock, RUNNING -> SLEEPING by the thread itself, and
 * SLEEPING -> RUNNABLE by whoever wins the compare-and-swap in
 * sched_wakeup. Wakers may queue a thread that is still switching away on
 * its old CPU; the CPU that picks it waits for on_cpu to clear.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/lock_rank.h>
#include <kern/panic.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <mm/kheap.h>
#include <mm/pmap.h>
#include <mm/vm.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>
#include <smp/tlb.h>

static void rq_push(struct sched_cpu *s, struct thread *t)
{
	/* Cheap and fatal if broken: a thread on two queues runs twice. */
	if (t->state != THREAD_RUNNABLE || t->on_rq)
		panic("sched: thread %d queued in state %d (on a queue: %d)",
		      t->tid, t->state, t->on_rq);
	t->on_rq = 1;
	t->rq_next = NULL;
	if (s->tail)
		s->tail->rq_next = t;
	else
		s->head = t;
	s->tail = t;
	s->nr_queued++;
}

static struct thread *rq_pop(struct sched_cpu *s)
{
	struct thread *t = s->head;

	if (!t)
		return NULL;
	s->head = t->rq_next;
	t->on_rq = 0;
	if (!s->head)
		s->tail = NULL;
	s->nr_queued--;
	return t;
}

/* Threads waiting or running on @c (a snapshot, for placement only). */
static unsigned int cpu_load(const struct cpu *c)
{
	const struct sched_cpu *s = &c->sched;

	return READ_ONCE(s->nr_queued) + (READ_ONCE(s->current) != s->idle);
}

/*
 * Where @t should run: the least loaded online CPU of its affinity. With
 * @stay, its last CPU wins ties and is taken outright when idle (its
 * caches may still hold the thread's data); otherwise the lowest-numbered
 * CPU wins ties. There is no other balancing: a thread moves only here,
 * when it is woken, started or re-pinned.
 */
static struct cpu *pick_cpu(const struct thread *t, bool stay)
{
	struct cpu *best = NULL, *last = stay ? t->cpu : NULL;
	unsigned int i, load, best_load = ~0u;

	if (last && cpuset_test(&t->affinity, last->id) && cpu_load(last) == 0)
		return last;
	for_each_cpu_in(i, &cpus_online) {
		if (!cpuset_test(&t->affinity, i) || !cpus[i].sched.idle)
			continue;
		load = cpu_load(&cpus[i]);
		if (load < best_load || (load == best_load && &cpus[i] == last)) {
			best = &cpus[i];
			best_load = load;
		}
	}
	/* Another thread may be rewriting the affinity word by word right
	 * now (sched_setaffinity on this one): stay put rather than fail. */
	return best ? best : (last ? last : this_cpu());
}

/* Queue the RUNNABLE @t on @c and make @c notice if it idles. */
static void enqueue(struct cpu *c, struct thread *t)
{
	struct sched_cpu *s = &c->sched;
	unsigned long irq = spin_lock_irqsave(&s->lock);
	bool kick = false;

	t->cpu = c;
	rq_push(s, t);
	if (s->current == s->idle) {
		s->need_resched = true;
		kick = c != this_cpu();
	}
	spin_unlock_irqrestore(&s->lock, irq);
	/* An idle CPU sleeps in arch_idle until an interrupt; a busy one
	 * finds the thread when its slice ends. */
	if (kick)
		arch_ipi_send(c, IPI_WAKE);
}

int sched_init_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = kzalloc(sizeof(*idle));

	if (!idle)
		return -ENOMEM;
	idle->kstack_top = c->stack_top;
	idle->state = THREAD_RUNNING;
	idle->cpu = c;
	idle->on_cpu = 1;
	cpuset_set(&idle->affinity, c->id);
	c->sched.lock = (struct spinlock)
		SPINLOCK_INIT_ORDERED("runqueue", CORE_LOCK_RANK_RQ);
	c->sched.current = idle;
	/* Release: pick_cpu on other CPUs reads idle to see we are ready. */
	__atomic_store_n(&c->sched.idle, idle, __ATOMIC_RELEASE);
	return 0;
}

static struct pmap *pmap_of(const struct thread *t)
{
	return t->proc ? t->proc->vm->pmap : pmap_kernel();
}

void sched_use_kernel_pmap(void)
{
	unsigned long irq = arch_irq_save();

	tlb_switch_to_kernel_root();
	arch_irq_restore(irq);
}

void sched_finish_switch(void)
{
	struct sched_cpu *s = &this_cpu()->sched;
	struct thread *prev = s->switch_from;

	s->switch_from = NULL;
	if (!prev)
		return;
	if (prev->state == THREAD_DEAD && prev->proc)
		__atomic_sub_fetch(&prev->proc->dying_on_cpu, 1,
				   __ATOMIC_RELEASE);
	/* Release: everything done on prev's stack happens before another
	 * CPU runs it or the reaper frees it. */
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
}

void sched_thread_begin(void)
{
	sched_finish_switch();
	arch_irq_enable();
}

/* Under @s->lock: requeue @prev if it is still running here (RUNNABLE
 * means someone queued it already), and choose the thread to run next. */
static struct thread *pick_next(struct sched_cpu *s, struct thread *prev)
{
	struct thread *next;

	if (prev != s->idle && prev->state == THREAD_RUNNING) {
		prev->state = THREAD_RUNNABLE;
		rq_push(s, prev);
	}
	next = rq_pop(s);
	if (!next)
		next = s->idle;
	s->need_resched = false;
	s->slice_ticks = 0;
	return next;
}

void sched_switch(void)
{
	struct cpu *c = this_cpu();
	struct sched_cpu *s = &c->sched;
	struct thread *prev = s->current, *next;

	spin_lock(&s->lock);
	next = pick_next(s, prev);
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		spin_unlock(&s->lock);
		return;
	}
	next->cpu = c;
	s->current = next;
	s->switch_from = prev;
	spin_unlock(&s->lock);
	/* Acquire: @next may still be switching away on its old CPU, which
	 * reads its state there (pick_next): only now is it ours to mark. */
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	next->state = THREAD_RUNNING;
	next->on_cpu = 1;
	/* Kernel threads run lazily on the last user space
	 * (smp/tlb_switch.c publishes what runs here). */
	tlb_switch_to(pmap_of(next));
	arch_thread_switch(prev, next);
	sched_finish_switch();
}

void sched_yield(void)
{
	sched_switch();
}

void sched_start(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	enqueue(pick_cpu(t, false), t);
}

bool sched_wakeup(struct thread *t)
{
	int expected = THREAD_SLEEPING;

	/* Seq-cst, pairing with sched_sleep's store of SLEEPING and load of
	 * the exiting flag: a kill either sees the sleeper or is seen. */
	if (!__atomic_compare_exchange_n(&t->state, &expected,
					 THREAD_RUNNABLE, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	enqueue(pick_cpu(t, true), t);
	return true;
}

void sched_sleep(struct spinlock *lock, unsigned long irq)
{
	struct thread *t = thread_current();

	arch_irq_disable();	/* the caller's lock may allow interrupts */
	__atomic_store_n(&t->state, THREAD_SLEEPING, __ATOMIC_SEQ_CST);
	spin_unlock(lock);
	/* A kill that ran before the store above could not wake us. */
	if (t->proc && __atomic_load_n(&t->proc->exiting, __ATOMIC_SEQ_CST))
		sched_wakeup(t);
	sched_switch();
	arch_irq_restore(irq);
}

void sched_set_affinity(const struct cpuset *set)
{
	struct thread *t = thread_current();
	unsigned long irq = arch_irq_save();

	t->affinity = *set;
	if (!cpuset_test(set, this_cpu()->id)) {
		/* Queued elsewhere while still running here: the target CPU
		 * waits for on_cpu before it runs us. */
		t->state = THREAD_RUNNABLE;
		enqueue(pick_cpu(t, false), t);
		sched_switch();
	}
	arch_irq_restore(irq);
}

void sched_idle_loop(bool (*stop)(void))
{
	struct sched_cpu *s;

	for (;;) {
		arch_irq_enable();
		thread_reap_dead();
		if (stop && stop())
			return;
		arch_irq_disable();
		s = &this_cpu()->sched;
		/* Interrupts stay off from this test to the halt, so a
		 * wakeup IPI cannot slip in between. */
		if (READ_ONCE(s->nr_queued) == 0)
			arch_idle();
		else
			sched_switch();
	}
}
