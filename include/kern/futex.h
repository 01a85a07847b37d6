/*
 * Futexes: sleep until a user word changes (FUTEX_WAIT), wake sleepers on
 * it (FUTEX_WAKE). Keys are (address space, user address): private to a
 * process, which is all the anonymous private memory here can share.
 */
#ifndef KERN_FUTEX_H
#define KERN_FUTEX_H

#include <kern/types.h>

struct vm_space;

/*
 * If the 32-bit word at user @uaddr still holds @val, sleep until woken
 * (0), until @deadline_ns (0: none; -ETIMEDOUT), or until the process is
 * killed (-EINTR). Otherwise -EAGAIN. -EINVAL for a misaligned @uaddr,
 * -EFAULT for a bad one. Locking: takes a futex bucket lock.
 */
int futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline_ns);

/* Wake up to @n sleepers on @uaddr of @vs; returns how many. */
int futex_wake_addr(struct vm_space *vs, uintptr_t uaddr, unsigned int n);

#endif
