/*
 * A sleeping mutex on futex(2) (Drepper, "Futexes Are Tricky", mutex 2):
 * uncontended lock and unlock are one atomic each and no system call.
 * Not recursive; unlocking a mutex the caller does not hold is undefined.
 */
#ifndef U_MUTEX_H
#define U_MUTEX_H

#include <stdbool.h>

struct mutex {
	int state;	/* 0 free, 1 held, 2 held and maybe waited on */
};

#define MUTEX_INIT	{ 0 }

/* Acquire @m, sleeping in futex wait while another thread holds it. */
void mutex_lock(struct mutex *m);

/* Acquire @m only if it is free; returns whether it was acquired. */
bool mutex_trylock(struct mutex *m);

/* Release @m and wake one waiter if there may be any. */
void mutex_unlock(struct mutex *m);

#endif
