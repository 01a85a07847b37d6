/*
 * Page-fault latency, one fault per sample, each over fault_pages pages
 * (default 2000) of a fresh anonymous private mapping:
 *
 *   fault.first_touch   write to a never-touched page: allocate, zero, map
 *   fault.zero_read     read a never-touched page: map the shared zero page
 *   fault.cow_copy      a forked child writes a page its parent still maps:
 *                       copy the frame (measured in the child)
 *   fault.cow_reuse     the parent writes after its child exited: the frame
 *                       is its own again, made writable in place
 *
 * A sample is the store or load alone, bracketed by the cycle counter, so
 * it is the fault's whole cost as the program sees it: trap, handler,
 * return. Every case checks the bytes it reads back.
 */
#include <u/ktap.h>
#include <u/proc.h>
#include <u/printf.h>
#include <u/string.h>
#include <u/sys.h>

#include "bench.h"

enum fault_kind { FIRST_TOUCH, ZERO_READ, COW_COPY, COW_REUSE };

/* Bytes a COW child writes: pattern() ^ CHILD_FLIP never equals
 * pattern(), so a child's write that reached the parent shows. */
#define CHILD_FLIP	0x80

/* The byte page @i holds after fill(): never 0, so a zero page shows. */
static char pattern(unsigned long i, int flip)
{
	return (char)(((i & 0x7f) + 1) ^ flip);
}

static void fill(char *p, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		p[i * PAGE_SIZE] = pattern(i, 0);
}

static bool check(const char *p, unsigned long pages, int flip)
{
	for (unsigned long i = 0; i < pages; i++)
		if (p[i * PAGE_SIZE] != pattern(i, flip)) {
			ktap_diag("page %lu reads %d, not %d", i,
			       p[i * PAGE_SIZE], pattern(i, flip));
			return false;
		}
	return true;
}

/* Time one store of pattern(i, @flip) to each page of @p: the faults. */
static void time_writes(char *p, unsigned long pages, int flip,
			struct bench_samples *s)
{
	for (unsigned long i = 0; i < pages; i++) {
		volatile char *b = p + i * PAGE_SIZE;
		char v = pattern(i, flip);
		uint64_t t0 = bench_ticks();

		*b = v;
		bench_samples_add(s, bench_ticks() - t0);
	}
}

/* Time one load of each page of @p; are they all zero? */
static bool time_reads(char *p, unsigned long pages, struct bench_samples *s)
{
	bool zero = true;

	for (unsigned long i = 0; i < pages; i++) {
		volatile char *b = p + i * PAGE_SIZE;
		uint64_t t0 = bench_ticks();
		char v = *b;

		bench_samples_add(s, bench_ticks() - t0);
		zero &= v == 0;
	}
	return zero;
}

/* Measure the writes of pattern(i, @flip) to @p (fresh, or shared with
 * a parent or child) and report them as @c's result. */
static bool measure_writes(const struct bench_case *c, char *p,
			   unsigned long pages, int flip)
{
	struct bench_counts before, after;
	struct bench_samples s;

	if (bench_samples_init(&s) != 0)
		return false;
	bench_counters_read(&before);
	time_writes(p, pages, flip, &s);
	bench_counters_read(&after);
	bench_report(c->name, c->params, &s, &before, &after);
	return check(p, pages, flip);
}

/* The COW cases: the frames shared by a fork, written by the child
 * (copy) or, once the child is gone, by the parent (reuse). */
static bool run_cow(const struct bench_case *c, char *p, unsigned long pages)
{
	long pid, status;

	fill(p, pages);
	pid = sys_fork();
	if (pid == 0)
		sys_exit_group(c->a == COW_COPY ?
			       !measure_writes(c, p, pages, CHILD_FLIP) : 0);
	status = proc_reap(pid);
	if (!proc_exited_with(status, 0))
		return false;
	if (c->a == COW_COPY)
		return check(p, pages, 0);
	return measure_writes(c, p, pages, 0);
}

static bool run_fault(const struct bench_case *c)
{
	unsigned long pages = bench_opts.fault_pages;
	struct bench_counts before, after;
	struct bench_samples s;
	char *p = bench_map(pages, false);
	bool zero;

	if (!p || bench_pin(0) != 0)
		return false;
	if (c->a == COW_COPY || c->a == COW_REUSE)
		return run_cow(c, p, pages);
	if (c->a == FIRST_TOUCH)
		return measure_writes(c, p, pages, 0);
	if (bench_samples_init(&s) != 0)
		return false;
	bench_counters_read(&before);
	zero = time_reads(p, pages, &s);
	bench_counters_read(&after);
	bench_report(c->name, c->params, &s, &before, &after);
	return zero;
}

unsigned int bench_fault_cases(struct bench_case *out, unsigned int n,
			       unsigned int max)
{
	static const char *const names[] = {
		[FIRST_TOUCH] = "fault.first_touch",
		[ZERO_READ] = "fault.zero_read",
		[COW_COPY] = "fault.cow_copy",
		[COW_REUSE] = "fault.cow_reuse",
	};

	for (unsigned int k = 0; k < 4 && n < max; k++, n++) {
		strlcpy(out[n].name, names[k], sizeof(out[n].name));
		snprintf(out[n].params, sizeof(out[n].params), "pages=%u",
			 bench_opts.fault_pages);
		out[n].run = run_fault;
		out[n].a = k;
	}
	return n;
}
