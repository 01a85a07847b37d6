/*
 * Ticket spinlocks. A CPU takes a ticket with one atomic increment of
 * @next and waits until @owner reaches it: FIFO order, one cache line.
 * Acquire/release ordering on @owner is what makes the critical section's
 * stores visible to the next holder.
 */
#include <kern/arch.h>
#include <kern/panic.h>
#include <kern/spinlock.h>

bool spin_is_held_by_me(const struct spinlock *lock)
{
	return READ_ONCE(lock->holder) == (int)arch_cpu_id() &&
	       READ_ONCE(lock->owner) != READ_ONCE(lock->next);
}

void spin_lock(struct spinlock *lock)
{
	uint32_t ticket;

	if (spin_is_held_by_me(lock))
		panic("spin_lock: recursive acquire of '%s' on cpu%u",
		      lock->name, arch_cpu_id());
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	lock->holder = (int)arch_cpu_id();
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
	lock->holder = (int)arch_cpu_id();
	return true;
}

void spin_unlock(struct spinlock *lock)
{
	if (lock->holder != (int)arch_cpu_id())
		panic("spin_unlock: '%s' not held by cpu%u (holder %d)",
		      lock->name, arch_cpu_id(), lock->holder);
	lock->holder = -1;
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
