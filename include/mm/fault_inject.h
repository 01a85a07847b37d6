/*
 * "Fail the Nth allocation" for allocators (pmm, kheap): compiled in
 * always, one well-predicted load and branch on the allocation path when
 * disarmed. Tests arm it, run an operation, and check that the operation
 * either failed cleanly or never reached the armed allocation.
 */
#ifndef MM_FAULT_INJECT_H
#define MM_FAULT_INJECT_H

#include <kern/compiler.h>
#include <kern/types.h>

struct fault_inject {
	unsigned long countdown;	/* 0 = disarmed */
	bool fired;
};

/* Arm @fi so that the @n-th check from now fails (1 = the next); 0 disarms.
 * Locking: atomic; tests arm it from one CPU. */
static inline void fault_inject_arm(struct fault_inject *fi, unsigned long n)
{
	WRITE_ONCE(fi->fired, false);
	__atomic_store_n(&fi->countdown, n, __ATOMIC_RELAXED);
}

/* Slow path of fault_inject_hit: count down, report the armed one. */
static inline bool fault_inject_step(struct fault_inject *fi)
{
	unsigned long c = __atomic_load_n(&fi->countdown, __ATOMIC_RELAXED);

	/* A CAS loop, not a decrement: the countdown must stop at zero even
	 * when CPUs race past it. */
	while (c != 0) {
		if (__atomic_compare_exchange_n(&fi->countdown, &c, c - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			if (c != 1)
				return false;
			WRITE_ONCE(fi->fired, true);
			return true;
		}
	}
	return false;
}

/* Should this allocation fail? Called once per allocation attempt. */
static inline bool fault_inject_hit(struct fault_inject *fi)
{
	return unlikely(READ_ONCE(fi->countdown) != 0) && fault_inject_step(fi);
}

#endif
