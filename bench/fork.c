/*
 * Fork cost against resident size. The measuring process first makes
 * mib MiB of anonymous memory resident (one write per page), forks once
 * untimed (so the pages are copy-on-write from then on, as in any program
 * that forks more than once), then per sample:
 *
 *   fork.wait   fork(); the child exits at once; wait4() returns:
 *               process creation, address-space copy, exit, teardown, wait
 *   fork.call   fork() alone, up to its return in the parent (the child is
 *               reaped after the sample)
 *
 * pinned=1 pins the process (and so its children) to the first CPU;
 * pinned=0 lets both run on any CPU (only with more than one).
 */
#include <u/printf.h>
#include <u/proc.h>
#include <u/string.h>
#include <u/sys.h>

#include "bench.h"

enum fork_kind { FORK_WAIT, FORK_CALL };

static const unsigned int sizes_mib[] = { 0, 1, 16, 64, 256 };
static const unsigned int quick_sizes_mib[] = { 0, 16 };

/* One fork, timed as @kind says; did the child exit 0? */
static bool fork_once(enum fork_kind kind, struct bench_samples *s)
{
	uint64_t t0 = bench_ticks(), t1;
	long pid = sys_fork(), status;

	if (pid == 0)
		sys_exit_group(0);
	t1 = bench_ticks();
	if (pid < 0)
		return false;
	status = proc_reap(pid);
	if (kind == FORK_WAIT)
		t1 = bench_ticks();
	if (s)
		bench_samples_add(s, t1 - t0);
	return proc_exited_with(status, 0);
}

static bool run_fork(const struct bench_case *c)
{
	unsigned long pages = c->b * 256;	/* MiB -> 4 KiB pages */
	struct bench_counts before, after;
	struct bench_samples s;
	bool ok = true;

	if (bench_pin(c->c ? 0 : -1) != 0 || bench_samples_init(&s) != 0)
		return false;
	if (pages && !bench_map(pages, true))
		return false;
	if (!fork_once(c->a, NULL))
		return false;
	bench_counters_read(&before);
	while (ok && bench_samples_more(&s, bench_opts.max_iters))
		ok = fork_once(c->a, &s);
	bench_counters_read(&after);
	bench_report(c->name, c->params, &s, &before, &after);
	return ok;
}

unsigned int bench_fork_cases(struct bench_case *out, unsigned int n,
			      unsigned int max)
{
	const unsigned int *sizes = bench_opts.quick ? quick_sizes_mib :
						       sizes_mib;
	unsigned int nsizes = bench_opts.quick ? ARRAY_LEN(quick_sizes_mib) :
					       ARRAY_LEN(sizes_mib);

	for (unsigned int k = FORK_WAIT; k <= FORK_CALL; k++)
		for (unsigned int i = 0; i < nsizes; i++)
			for (int pinned = 1; pinned >= 0; pinned--) {
				if (n == max || (!pinned && bench_ncpus < 2))
					continue;
				strlcpy(out[n].name, k == FORK_WAIT ?
					"fork.wait" : "fork.call",
					sizeof(out[n].name));
				snprintf(out[n].params, sizeof(out[n].params),
					 "mib=%u pinned=%d", sizes[i], pinned);
				out[n].run = run_fork;
				out[n].a = k;
				out[n].b = sizes[i];
				out[n].c = (unsigned long)pinned;
				n++;
			}
	return n;
}
