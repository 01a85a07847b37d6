/*
 * Cross-calls: run a function on a set of CPUs, optionally waiting until
 * every one has run it. The building block for IPI tests now; the TLB
 * shootdown gets its own coalescing queues later.
 */
#ifndef SMP_XCALL_H
#define SMP_XCALL_H

#include <kern/spinlock.h>
#include <kern/types.h>

struct cpuset;
typedef void (*xcall_fn)(void *arg);

/* One request; the initiator owns it until xcall_done() is true. */
struct xcall_req {
	xcall_fn fn;
	void *arg;
	unsigned int pending;		/* targets that have not finished it */
};

/* Each initiator waits for its own request, so an inbox holds at most one
 * per other CPU in the steady state: 32 covers the CPU counts QEMU runs
 * here (a full inbox makes the initiator serve its own and retry, never
 * fail). */
#define XCALL_INBOX_SLOTS	32

/* Per-CPU inbox: a ring of request pointers, guarded by its lock. */
struct xcall_inbox {
	struct spinlock lock;
	unsigned int head, tail;	/* free-running; head == tail: empty */
	struct xcall_req *ring[XCALL_INBOX_SLOTS];
	uint64_t handled;		/* requests run on this CPU */
};

/* Make @in an empty inbox. Locking: before any other CPU can see it (its
 * CPU is not online yet). */
void xcall_inbox_init(struct xcall_inbox *in);

/*
 * Queue @req (fn and arg filled in by the caller) on every online CPU in
 * @targets other than the caller and send them an IPI; if the caller is in
 * @targets it runs fn itself before returning. Returns 0, or -EINVAL if no
 * online CPU is in @targets. @req must stay alive until xcall_done(@req).
 * Locking: must not hold a lock @fn takes, nor a lock that any CPU takes
 * with interrupts off (that CPU could not answer). Interrupts may be on or
 * off here: while a target inbox is full, the caller serves its own inbox.
 */
int xcall_start(const struct cpuset *targets, struct xcall_req *req);

/* True once every target CPU has finished @req. */
bool xcall_done(const struct xcall_req *req);

/*
 * Wait for @req to finish, serving this CPU's own inbox meanwhile, so two
 * CPUs that cross-call each other at once both make progress.
 */
void xcall_wait(struct xcall_req *req);

/* xcall_start + xcall_wait with the request on the caller's stack. */
int xcall_run(const struct cpuset *targets, xcall_fn fn, void *arg);

/* Run every queued request on this CPU. Called by the arch IPI handler
 * for IPI_XCALL with interrupts off, and by waiting initiators. */
void xcall_handle_ipi(void);

#endif
