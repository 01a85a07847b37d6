/*
 * Threads on clone(2) and futex(2), for user programs.
 *
 * A thread runs fn(arg) on its own stack in the caller's address space
 * (CLONE_VM | CLONE_THREAD and friends); fn's return value ends the thread
 * (exit, not exit_group) and is handed to thread_join. Joining sleeps on
 * the thread's tid word, which the kernel clears and futex-wakes when the
 * thread is gone (CLONE_CHILD_CLEARTID): only then may its stack go.
 *
 * Not provided: thread-local storage (no CLONE_SETTLS; the runtime keeps no
 * per-thread state, errno included), detaching, cancellation.
 */
#ifndef U_THREAD_H
#define U_THREAD_H

#include <stddef.h>

struct thread;

/* Stack for thread_create(..., 0, ...), and the largest one it maps. */
#define THREAD_STACK_DEFAULT	(64UL * 1024)
#define THREAD_STACK_MAX	(64UL * 1024 * 1024)
/* Smallest caller-provided stack: the thread record plus a usable stack. */
#define THREAD_STACK_MIN	4096UL

/*
 * Start fn(arg) on a new mmap'd stack of @stack_size bytes (0: default),
 * rounded up to pages, with an inaccessible guard page below it so an
 * overflow faults instead of corrupting memory. On success stores the
 * handle in *@tp and returns 0; on failure returns -EINVAL (NULL argument,
 * size over THREAD_STACK_MAX), -ENOMEM (no memory for the stack) or
 * clone's -errno, and leaves nothing mapped.
 * Locking: none; callable from any thread.
 */
int thread_create(struct thread **tp, size_t stack_size, int (*fn)(void *),
		  void *arg);

/*
 * As thread_create, on the caller's memory [@stack, @stack + @size), which
 * must stay valid until thread_join returns and is not freed by it.
 * Returns -EINVAL for a NULL argument or @size < THREAD_STACK_MIN.
 */
int thread_create_on(struct thread **tp, void *stack, size_t size,
		     int (*fn)(void *), void *arg);

/*
 * Wait until thread @t has exited, store fn's return value in *@result
 * (if non-NULL) and release the stack thread_create mapped; @t is then
 * invalid. Join each thread exactly once. Returns 0, -EINVAL for NULL, or
 * futex's -errno if the kernel cannot wait (the thread is then unjoined).
 * Locking: sleeps.
 */
int thread_join(struct thread *t, int *result);

/* The thread's kernel tid (0 once it has exited). */
int thread_tid(const struct thread *t);

/*
 * Fault injection: make the @n-th stack mapping from now on (1 = the
 * next) fail with -ENOMEM; 0 turns it off. For testing error paths.
 */
void thread_fault_inject_nth(unsigned int n);

#endif
