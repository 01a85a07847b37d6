/*
 * TLB shootdown cost. The measuring thread runs on the first CPU; T - 1
 * spinners keep the other T - 1 CPUs busy in user mode:
 *
 *   mode=threads     the spinners are threads of the measuring process, so
 *                    every change to its mappings must reach their CPUs
 *   mode=processes   the spinners are processes of their own: nothing
 *                    needs to reach them (will-it-scale's convention: the
 *                    gap between the two modes is the shootdown tax)
 *
 * Per sample, on a resident private anonymous range of @pages pages:
 *
 *   shootdown.madvise   madvise(MADV_DONTNEED) + a write that refaults it
 *   shootdown.mprotect  mprotect(PROT_READ) + mprotect(PROT_READ|WRITE)
 *   shootdown.munmap    munmap + mmap of a fresh range + a write to it
 *   shootdown.range     op=mprotect over 1 .. 4096 pages at T = every CPU
 *                       (across Linux's 33-page full-flush ceiling and
 *                       arm64's 512-operation limit)
 *
 * Checks: DONTNEED and the fresh mapping must read zero, every call must
 * succeed, every spinner must have run.
 */
#include <u/ktap.h>
#include <u/printf.h>
#include <u/proc.h>
#include <u/string.h>
#include <u/sys.h>
#include <u/thread.h>

#include "bench.h"

enum sd_op { OP_MADVISE, OP_MPROTECT, OP_MUNMAP };
enum sd_mode { MODE_THREADS, MODE_PROCESSES };

/* A spinner's word and the stop flag, a page each: no false sharing,
 * and in processes mode a MAP_SHARED page the parent writes. */
struct spin_slot {
	volatile unsigned long count;
	volatile int stop;
	int cpu;
} __attribute__((aligned(PAGE_SIZE)));

struct spinners {
	enum sd_mode mode;
	unsigned int n;
	struct spin_slot *slots;
	struct thread *threads[BENCH_MAX_CPUS];
	long pids[BENCH_MAX_CPUS];
};

#define START_WAIT_NS	(5LL * 1000 * 1000 * 1000)

static const unsigned int range_pages[] = { 1, 2, 8, 32, 33, 64, 512, 513,
					    4096 };
static const unsigned int quick_range_pages[] = { 1, 33, 513 };

static int spin(struct spin_slot *slot)
{
	if (bench_pin(slot->cpu) != 0)
		return 1;
	while (!slot->stop)
		slot->count++;
	return 0;
}

static int spin_thread(void *arg)
{
	return spin(arg);
}

/* Start @n spinners on CPUs 1..@n and wait until each has run. */
static bool spinners_start(struct spinners *sp, enum sd_mode mode,
			   unsigned int n)
{
	long p = sys_mmap(NULL, (n + 1) * sizeof(struct spin_slot),
			  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	long long deadline = proc_now_ns() + START_WAIT_NS;

	sp->mode = mode;
	sp->n = 0;
	if (sys_err(p))
		return false;
	sp->slots = (struct spin_slot *)p;
	for (unsigned int k = 0; k < n; k++, sp->n++) {
		sp->slots[k].cpu = (int)k + 1;
		if (mode == MODE_THREADS &&
		    thread_create(&sp->threads[k], THREAD_STACK_DEFAULT,
				  spin_thread, &sp->slots[k]) != 0)
			return false;
		if (mode == MODE_PROCESSES &&
		    (sp->pids[k] = sys_fork()) == 0)
			sys_exit_group(spin(&sp->slots[k]));
		if (mode == MODE_PROCESSES && sp->pids[k] < 0)
			return false;
	}
	/* Yield while waiting: a new spinner starts on this CPU, the only
	 * one its affinity allows until it pins itself. */
	for (unsigned int k = 0; k < n; k++)
		while (sp->slots[k].count == 0 && sys_sched_yield() == 0)
			if (proc_now_ns() > deadline) {
				ktap_diag("spinner on CPU %u never ran",
				       k + 1);
				return false;
			}
	return true;
}

/* Stop and reap the spinners; did they all exit cleanly? */
static bool spinners_stop(struct spinners *sp)
{
	bool ok = true;
	int res;

	for (unsigned int k = 0; k < sp->n; k++)
		sp->slots[k].stop = 1;
	for (unsigned int k = 0; k < sp->n; k++) {
		if (sp->mode == MODE_THREADS)
			ok &= thread_join(sp->threads[k], &res) == 0 &&
			      res == 0;
		else
			ok &= proc_exited_with(proc_reap(sp->pids[k]), 0);
	}
	return ok;
}

/* A fresh resident range of @len bytes in place of the one just
 * unmapped: mmap, then one write. Returns 0 or mmap's -errno. */
static long remap(char **v, size_t len)
{
	long p = sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (sys_err(p))
		return p;
	*v = (char *)p;
	((volatile char *)p)[0] = 1;
	return 0;
}

/* One sample of @op on *@v (@pages pages, resident): true if the calls
 * succeeded and the range reads what it must. munmap moves *@v. */
static bool op_once(enum sd_op op, char **v, unsigned long pages,
		    struct bench_samples *s)
{
	size_t len = pages * PAGE_SIZE;
	uint64_t t0;
	long r;

	/* A page that DONTNEED emptied, or a fresh one, must not show it. */
	((volatile char *)*v)[8] = 0x5a;
	t0 = bench_ticks();
	if (op == OP_MADVISE) {
		r = sys_madvise(*v, len, MADV_DONTNEED);
		((volatile char *)*v)[0] = 1;
	} else if (op == OP_MPROTECT) {
		r = sys_mprotect(*v, len, PROT_READ);
		if (r == 0)
			r = sys_mprotect(*v, len, PROT_READ | PROT_WRITE);
	} else {
		r = sys_munmap(*v, len);
		if (r == 0)
			r = remap(v, len);
	}
	bench_samples_add(s, bench_ticks() - t0);
	if (r != 0) {
		ktap_diag("system call failed: %ld", r);
		return false;
	}
	if (op != OP_MPROTECT && ((volatile char *)*v)[8] != 0) {
		ktap_diag("a fresh page reads %#x",
		       ((volatile char *)*v)[8]);
		return false;
	}
	return true;
}

static bool run_shootdown(const struct bench_case *c)
{
	enum sd_op op = (enum sd_op)(c->a & 0xff);
	unsigned long pages = c->c;
	struct bench_counts before, after;
	struct bench_samples s;
	struct spinners sp;
	bool ok;
	char *v;

	if (bench_pin(0) != 0)
		return false;
	/* Spinners first: in processes mode they are forked, and what the
	 * measuring process maps afterwards is its own, not copy-on-write. */
	ok = spinners_start(&sp, (enum sd_mode)(c->a >> 8),
			    (unsigned int)c->b - 1);
	ok = ok && bench_samples_init(&s) == 0;
	ok = ok && (v = bench_map(pages, true)) != NULL;
	if (!ok) {
		spinners_stop(&sp);
		return false;
	}
	bench_counters_read(&before);
	while (ok && bench_samples_more(&s, bench_opts.max_iters))
		ok = op_once(op, &v, pages, &s);
	bench_counters_read(&after);
	ok &= spinners_stop(&sp);
	bench_report(c->name, c->params, &s, &before, &after);
	return ok;
}

static unsigned int add_case(struct bench_case *out, unsigned int n,
			     unsigned int max, enum sd_op op,
			     enum sd_mode mode, unsigned int threads,
			     unsigned int pages, bool range)
{
	static const char *const ops[] = { "madvise", "mprotect", "munmap" };
	const char *m = mode == MODE_THREADS ? "threads" : "processes";

	if (n == max)
		return n;
	if (range) {
		strlcpy(out[n].name, "shootdown.range", sizeof(out[n].name));
		snprintf(out[n].params, sizeof(out[n].params),
			 "op=%s mode=%s threads=%u pages=%u", ops[op], m,
			 threads, pages);
	} else {
		snprintf(out[n].name, sizeof(out[n].name), "shootdown.%s",
			 ops[op]);
		snprintf(out[n].params, sizeof(out[n].params),
			 "mode=%s threads=%u pages=%u", m, threads, pages);
	}
	out[n].run = run_shootdown;
	out[n].a = (unsigned long)op | (unsigned long)mode << 8;
	out[n].b = threads;
	out[n].c = pages;
	return n + 1;
}

unsigned int bench_shootdown_cases(struct bench_case *out, unsigned int n,
				   unsigned int max)
{
	const unsigned int *sweep = bench_opts.quick ? quick_range_pages :
						       range_pages;
	unsigned int nsweep = bench_opts.quick ? ARRAY_LEN(quick_range_pages) :
						 ARRAY_LEN(range_pages);
	unsigned int cpus = bench_ncpus < bench_opts.smp_max ?
			    bench_ncpus : bench_opts.smp_max;

	for (unsigned int m = MODE_THREADS; m <= MODE_PROCESSES; m++) {
		for (unsigned int op = OP_MADVISE; op <= OP_MUNMAP; op++)
			for (unsigned int t = 1; t <= cpus; t++)
				n = add_case(out, n, max, op, m, t, 1, false);
		for (unsigned int i = 0; i < nsweep; i++)
			n = add_case(out, n, max, OP_MPROTECT, m, cpus,
				     sweep[i], true);
	}
	return n;
}
