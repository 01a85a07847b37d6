/*
 * Ticket spinlocks: FIFO-fair, so a lock-step SMP test cannot starve a CPU.
 * Interrupt-safe variants save and restore the local interrupt mask.
 *
 * Lock order: a lock may carry a rank (SPINLOCK_INIT_ORDERED). In debug
 * builds (CONFIG_DEBUG, the default) each CPU records the locks it holds,
 * and taking a ranked lock while holding one of equal or higher rank
 * panics with both names: the deadlock is reported the first time the
 * order is broken, not the first time it bites. Rank 0 = unranked.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <kern/types.h>

struct spinlock {
	uint32_t next;		/* ticket handed to the next arriving CPU */
	uint32_t owner;		/* ticket now allowed in */
	const char *name;
	int holder;		/* CPU holding it, -1 when free (diagnostics) */
	unsigned int order;	/* rank; take lower ranks first; 0 = none */
};

#define SPINLOCK_INIT_ORDERED(n, o)					\
	{ .next = 0, .owner = 0, .name = (n), .holder = -1, .order = (o) }
#define SPINLOCK_INIT(n)	SPINLOCK_INIT_ORDERED(n, 0)

/* Most locks one CPU may hold at once (debug builds check it). */
#define SPIN_HELD_MAX	8

/* Locking: acquires @lock; spins with arch_cpu_relax(). Not re-entrant:
 * taking a lock this CPU already holds panics instead of deadlocking. */
void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);
bool spin_trylock(struct spinlock *lock);

/* As above with local interrupts disabled while held; returns the old mask. */
unsigned long spin_lock_irqsave(struct spinlock *lock);
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags);

/* True if the calling CPU holds @lock (a diagnostic: another CPU's answer
 * may be stale by the time it is read). Locking: none. */
bool spin_is_held_by_me(const struct spinlock *lock);

/*
 * May @next be taken while @held is held? False only when both are ranked
 * and @next's rank is not above @held's. Pure; the debug check uses it.
 */
bool spin_order_allows(const struct spinlock *held,
		       const struct spinlock *next);

/* Number of locks the calling CPU holds (debug builds; 0 otherwise). */
unsigned int spin_held_count(void);

#endif
