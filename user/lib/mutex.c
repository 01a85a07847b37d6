/*
 * futex mutex (see <u/mutex.h>). State 2 means "someone may sleep": a
 * locker that had to wait always leaves 2 behind, so the holder's unlock
 * knows to issue FUTEX_WAKE; only an uncontended unlock skips the call.
 */
#include <u/mutex.h>
#include <u/sys.h>

bool mutex_trylock(struct mutex *m)
{
	int expect = 0;

	return __atomic_compare_exchange_n(&m->state, &expect, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	int c = 0;

	if (__atomic_compare_exchange_n(&m->state, &c, 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	/*
	 * Contended: announce a waiter (2) before sleeping. The exchange
	 * returns 0 only if the holder released in between, and then we own
	 * it (with a possibly spurious 2, costing one extra wake).
	 */
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		/* Returns at once (-EAGAIN) if the state is no longer 2. */
		sys_futex(&m->state, FUTEX_WAIT, 2, NULL);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

void mutex_unlock(struct mutex *m)
{
	if (__atomic_exchange_n(&m->state, 0, __ATOMIC_RELEASE) == 2)
		sys_futex(&m->state, FUTEX_WAKE, 1, NULL);
}
