/*
 * Futex wait and wake (see <kern/futex.h>) on a hash of wait queues. The
 * wait reads the user word under the bucket lock, and a waker takes that
 * lock too, so a wake that follows the user's store cannot be missed.
 * Bucket locks are never taken in interrupt context.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/futex.h>
#include <kern/lock_rank.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <kern/waitq.h>

#define FUTEX_BUCKETS	64

struct futex_bucket {
	struct spinlock lock;
	struct waitq waiters;
};

static struct futex_bucket buckets[FUTEX_BUCKETS] = {
	[0 ... FUTEX_BUCKETS - 1] = {
		.lock = SPINLOCK_INIT_ORDERED("futex", CORE_LOCK_RANK_FUTEX),
	},
};

static struct futex_bucket *bucket_of(const struct vm_space *vs,
				      uintptr_t uaddr)
{
	uintptr_t h = (uintptr_t)vs ^ (uaddr >> 2);

	h ^= h >> 7;
	return &buckets[h % FUTEX_BUCKETS];
}

int futex_wait(uintptr_t uaddr, uint32_t val, uint64_t deadline_ns)
{
	struct vm_space *vs = proc_current()->vm;
	struct futex_bucket *b;
	struct waiter w = { .key1 = vs, .key2 = uaddr };
	unsigned long irq;
	uint32_t cur;
	int err;

	if (uaddr & 3)
		return -EINVAL;
	b = bucket_of(vs, uaddr);
	/* Interrupts stay on while the word is read: a fault on it may wait
	 * for the address space's lock, whose holder may be waiting for
	 * this CPU to answer a TLB shootdown. */
	spin_lock(&b->lock);
	err = copy_from_user(&cur, uaddr, sizeof(cur));
	if (err == 0 && cur != val)
		err = -EAGAIN;
	if (err) {
		spin_unlock(&b->lock);
		return err;
	}
	irq = arch_irq_save();
	err = waitq_sleep(&b->waiters, &w, &b->lock, &irq, deadline_ns);
	spin_unlock_irqrestore(&b->lock, irq);
	return err;
}

int futex_wake_addr(struct vm_space *vs, uintptr_t uaddr, unsigned int n)
{
	struct futex_bucket *b;
	unsigned long irq;
	unsigned int woken;

	if (uaddr & 3)
		return -EINVAL;
	b = bucket_of(vs, uaddr);
	irq = spin_lock_irqsave(&b->lock);
	woken = waitq_wake(&b->waiters, vs, uaddr, n);
	spin_unlock_irqrestore(&b->lock, irq);
	return (int)woken;
}
