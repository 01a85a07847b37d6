/*
 * Ticket spinlocks: FIFO-fair, so a lock-step SMP test cannot starve a CPU.
 * Interrupt-safe variants save and restore the local interrupt mask.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <kern/types.h>

struct spinlock {
	uint32_t next;		/* ticket handed to the next arriving CPU */
	uint32_t owner;		/* ticket now allowed in */
	const char *name;
	int holder;		/* CPU holding it, -1 when free (diagnostics) */
};

#define SPINLOCK_INIT(n)	{ .next = 0, .owner = 0, .name = (n), .holder = -1 }

/* Locking: acquires @lock; spins with arch_cpu_relax(). Not re-entrant:
 * taking a lock this CPU already holds panics instead of deadlocking. */
void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);
bool spin_trylock(struct spinlock *lock);

/* As above with local interrupts disabled while held; returns the old mask. */
unsigned long spin_lock_irqsave(struct spinlock *lock);
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags);

bool spin_is_held_by_me(const struct spinlock *lock);

#endif
