/*
 * Ticket spinlocks. A CPU takes a ticket with one atomic increment of
 * @next and waits until @owner reaches it: FIFO order, one cache line.
 * Acquire/release ordering on @owner is what makes the critical section's
 * stores visible to the next holder.
 */
#include <kern/arch.h>
#include <kern/panic.h>
#include <kern/spinlock.h>
#include <smp/cpuset.h>

#ifdef CONFIG_DEBUG
/* Locks each CPU holds, in acquisition order; only that CPU touches its
 * row, so no lock guards it. */
static struct {
	const struct spinlock *lock[SPIN_HELD_MAX];
	unsigned int depth;
} spin_held[MAX_CPUS];
#endif

bool spin_order_allows(const struct spinlock *held,
		       const struct spinlock *next)
{
	return held->order == 0 || next->order == 0 ||
	       next->order > held->order;
}

unsigned int spin_held_count(void)
{
#ifdef CONFIG_DEBUG
	return spin_held[arch_cpu_id()].depth;
#else
	return 0;
#endif
}

/* Debug: check @lock against what this CPU holds, then record it. */
static void spin_debug_acquire(const struct spinlock *lock)
{
#ifdef CONFIG_DEBUG
	/* Interrupts off while this CPU's record changes: an interrupt
	 * handler's lock taken between the slot store and the depth store
	 * would overwrite the slot and leave its own lock recorded. */
	unsigned long irq = arch_irq_save();
	unsigned int cpu = arch_cpu_id();
	unsigned int depth = spin_held[cpu].depth;

	for (unsigned int i = 0; i < depth; i++) {
		const struct spinlock *h = spin_held[cpu].lock[i];

		if (!spin_order_allows(h, lock))
			panic("lock order: cpu%u takes '%s' (order %u) while "
			      "holding '%s' (order %u)", cpu, lock->name,
			      lock->order, h->name, h->order);
	}
	if (depth == SPIN_HELD_MAX)
		panic("spin_lock: cpu%u holds %u locks taking '%s'", cpu,
		      depth, lock->name);
	spin_held[cpu].lock[depth] = lock;
	spin_held[cpu].depth = depth + 1;
	arch_irq_restore(irq);
#else
	(void)lock;
#endif
}

/* Debug: forget @lock (locks may be released out of order). */
static void spin_debug_release(const struct spinlock *lock)
{
#ifdef CONFIG_DEBUG
	unsigned long irq = arch_irq_save();	/* see spin_debug_acquire */
	unsigned int cpu = arch_cpu_id();
	unsigned int depth = spin_held[cpu].depth, i;

	for (i = depth; i > 0 && spin_held[cpu].lock[i - 1] != lock; i--)
		;
	if (i == 0)
		panic("spin_unlock: '%s' not recorded as held by cpu%u",
		      lock->name, cpu);
	for (; i < depth; i++)
		spin_held[cpu].lock[i - 1] = spin_held[cpu].lock[i];
	spin_held[cpu].depth = depth - 1;
	arch_irq_restore(irq);
#else
	(void)lock;
#endif
}

/* @holder is diagnostics, read by every CPU that takes the lock: relaxed
 * atomics, so the race is a defined one (and TSan says nothing). Only
 * the holder itself can read its own id there. */
static int holder_of(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->holder, __ATOMIC_RELAXED);
}

static void set_holder(struct spinlock *lock, int cpu)
{
	__atomic_store_n(&lock->holder, cpu, __ATOMIC_RELAXED);
}

bool spin_is_held_by_me(const struct spinlock *lock)
{
	return holder_of(lock) == (int)arch_cpu_id() &&
	       __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

void spin_lock(struct spinlock *lock)
{
	uint32_t ticket;

	if (spin_is_held_by_me(lock))
		panic("spin_lock: recursive acquire of '%s' on cpu%u",
		      lock->name, arch_cpu_id());
	spin_debug_acquire(lock);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	set_holder(lock, (int)arch_cpu_id());
}

bool spin_trylock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;

	/* Only take a ticket if it would be served at once. */
	if (!__atomic_compare_exchange_n(&lock->next, &expected, owner + 1,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	/* A trylock cannot deadlock, but what it holds still ranks the
	 * locks taken after it. */
	spin_debug_acquire(lock);
	set_holder(lock, (int)arch_cpu_id());
	return true;
}

void spin_unlock(struct spinlock *lock)
{
	if (holder_of(lock) != (int)arch_cpu_id())
		panic("spin_unlock: '%s' not held by cpu%u (holder %d)",
		      lock->name, arch_cpu_id(), holder_of(lock));
	spin_debug_release(lock);
	set_holder(lock, -1);
	/* Only the holder writes @owner, so a plain increment is enough. */
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = arch_irq_save();

	spin_lock(lock);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	spin_unlock(lock);
	arch_irq_restore(flags);
}
