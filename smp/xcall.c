/*
 * Cross-calls. Each CPU has an inbox ring of request pointers; an
 * initiator pushes its request into every target's inbox and sends an IPI
 * only if that inbox was empty (a non-empty inbox already has an IPI on
 * its way, or a drain in progress that will see the new entry). A request
 * is finished when its pending count reaches zero.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>
#include <smp/tlb.h>
#include <smp/smp_md.h>
#include <smp/xcall.h>

void xcall_inbox_init(struct xcall_inbox *in)
{
	in->lock = (struct spinlock)SPINLOCK_INIT("xcall_inbox");
	in->head = in->tail = 0;
	in->handled = 0;
}

/* Returns false if the inbox is full; sets *was_empty otherwise. */
static bool inbox_push(struct xcall_inbox *in, struct xcall_req *req,
		       bool *was_empty)
{
	unsigned long flags = spin_lock_irqsave(&in->lock);
	bool ok = in->tail - in->head < XCALL_INBOX_SLOTS;

	if (ok) {
		*was_empty = in->head == in->tail;
		in->ring[in->tail++ % XCALL_INBOX_SLOTS] = req;
	}
	spin_unlock_irqrestore(&in->lock, flags);
	return ok;
}

static struct xcall_req *inbox_pop(struct xcall_inbox *in)
{
	unsigned long flags = spin_lock_irqsave(&in->lock);
	struct xcall_req *req = NULL;

	if (in->head != in->tail)
		req = in->ring[in->head++ % XCALL_INBOX_SLOTS];
	spin_unlock_irqrestore(&in->lock, flags);
	return req;
}

void xcall_handle_ipi(void)
{
	struct xcall_inbox *in = &this_cpu()->xcall;
	struct xcall_req *req;

	while ((req = inbox_pop(in)) != NULL) {
		req->fn(req->arg);
		in->handled++;
		ipi_stats_inc(IPI_STAT_XCALL);
		/* Release: the initiator may reuse @req as soon as it sees 0,
		 * and must see everything fn wrote. */
		__atomic_fetch_sub(&req->pending, 1, __ATOMIC_RELEASE);
	}
}

static void post_to(struct cpu *c, struct xcall_req *req)
{
	bool was_empty;

	/* A full inbox drains only if its owner runs; meanwhile run ours,
	 * since its owner may be waiting on us. */
	while (!inbox_push(&c->xcall, req, &was_empty)) {
		xcall_handle_ipi();
		tlb_poll();
		arch_cpu_relax();
	}
	if (was_empty)
		arch_ipi_send(c, IPI_XCALL);
}

int xcall_start(const struct cpuset *targets, struct xcall_req *req)
{
	unsigned int self = this_cpu()->id, cpu;
	bool local = cpuset_test(targets, self);
	struct cpuset remote;

	/* One snapshot of the online set, counted and posted to alike: a
	 * CPU coming online in between must not be posted to uncounted
	 * (pending would underflow) or counted and never posted to (the
	 * initiator would wait forever). Acquire: see a new CPU's setup. */
	cpuset_and(&remote, targets, &cpus_online);
	cpuset_clear(&remote, self);
	req->pending = cpuset_count(&remote);
	if (req->pending == 0 && !local)
		return -EINVAL;
	/* Publish fn/arg/pending before any target can pop the request. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for_each_cpu_in(cpu, &remote)
		post_to(&cpus[cpu], req);
	if (local)
		req->fn(req->arg);
	return 0;
}

bool xcall_done(const struct xcall_req *req)
{
	return __atomic_load_n(&req->pending, __ATOMIC_ACQUIRE) == 0;
}

void xcall_wait(struct xcall_req *req)
{
	/* The targets may be waiting for a shootdown of ours to finish
	 * (from inside their cross-call): answer those too. */
	while (!xcall_done(req)) {
		xcall_handle_ipi();
		tlb_poll();
		arch_cpu_relax();
	}
}

int xcall_run(const struct cpuset *targets, xcall_fn fn, void *arg)
{
	struct xcall_req req = { .fn = fn, .arg = arg };
	int err = xcall_start(targets, &req);

	if (err == 0)
		xcall_wait(&req);
	return err;
}
