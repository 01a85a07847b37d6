/*
 * Copying between the kernel and the current process's user memory. Every
 * user pointer a system call receives goes through these: a range that
 * leaves the user half, or that touches memory the process may not access
 * that way, gives -EFAULT instead of a kernel fault. Missing pages are
 * faulted in (demand-zero, copy-on-write) as the access would in user mode.
 *
 * Locking: never call with a vm_space lock held (faults take it); other
 * spinlocks of lower rank are fine.
 */
#ifndef KERN_UACCESS_H
#define KERN_UACCESS_H

#include <kern/types.h>

/* Is [uaddr, uaddr + n) inside the user half (and not wrapping)? */
bool user_range_ok(uintptr_t uaddr, size_t n);

/* Copy @n bytes from user @usrc / to user @udst. 0 or -EFAULT (then some
 * bytes may have been copied). */
int copy_from_user(void *dst, uintptr_t usrc, size_t n);
int copy_to_user(uintptr_t udst, const void *src, size_t n);

#endif
