/*
 * A bounded fork bomb: fork children (each sleeps CHILD_NAP_MS, then
 * exits 0) until fork fails or PROBE children exist, reap them all, and do
 * it again: the process table must give every slot back.
 *
 * The rule for the bound: this kernel allows 64 processes, so fork must
 * fail with -EAGAIN before PROBE (200) children. A general-purpose host
 * allows far more. So:
 *   - fork failed before PROBE children: it must be -EAGAIN, after at
 *     least MIN_CHILDREN children, and the second round must reach the
 *     same count (checked wherever it happens, Linux included, e.g. under
 *     a small RLIMIT_NPROC);
 *   - all PROBE forks succeeded: a failure if we are pid 1 (this kernel
 *     runs the program as init, and must have stopped us), otherwise a
 *     SKIP: an ordinary process on a host whose limit is above PROBE.
 * Reaping (every child exits 0, wait4 then says -ECHILD) and a fork after
 * reaping are checked everywhere.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/proc.h>
#include <u/sys.h>

#define PROBE		200
#define MIN_CHILDREN	8
#define CHILD_NAP_MS	2000

struct round {
	int created;
	long error;		/* fork's result that stopped the round, or 0 */
	int reaped;		/* children reaped with exit status 0 */
	int other;		/* children reaped with another status */
};

static int nap(long ms)
{
	proc_sleep_ms(ms);
	return 0;
}

static struct round fill_and_reap(void)
{
	struct round r = { 0, 0, 0, 0 };

	while (r.created < PROBE) {
		long pid = proc_spawn(nap, CHILD_NAP_MS);

		if (pid < 0) {
			r.error = pid;
			break;
		}
		r.created++;
	}
	for (int i = 0; i < r.created; i++) {
		int status = -1;

		if (sys_wait4(-1, &status, 0) <= 0)
			break;
		if (proc_exited_with(status, 0))
			r.reaped++;
		else
			r.other++;
	}
	return r;
}

int main(void)
{
	struct round a, b;
	bool limited, init = sys_getpid() == 1;

	ktap_plan(5);
	a = fill_and_reap();
	ktap_diag("round 1: %d children, then fork returned %ld", a.created,
		  a.error);
	limited = a.created < PROBE;
	ktap_ok(a.reaped == a.created && a.other == 0 &&
		sys_wait4(-1, NULL, WNOHANG) == -ECHILD,
		"reaped_every_child");
	if (limited)
		ktap_ok(a.error == -EAGAIN && a.created >= MIN_CHILDREN,
			"fork_fails_with_eagain_at_limit");
	else if (init)
		ktap_ok(false, "fork_fails_with_eagain_at_limit");
	else
		ktap_skip("not pid 1 and the host allows over 200 processes",
			  "fork_fails_with_eagain_at_limit");
	if (init && !limited)
		ktap_diag("pid 1 forked %d children: no process limit", PROBE);

	b = fill_and_reap();
	ktap_diag("round 2: %d children, then fork returned %ld", b.created,
		  b.error);
	ktap_ok(b.reaped == b.created && b.other == 0,
		"reaped_every_child_again");
	if (limited)
		ktap_eq(b.created, a.created, "second_round_same_limit");
	else
		ktap_skip("no limit reached", "second_round_same_limit");
	ktap_ok(proc_exited_with(proc_reap(proc_spawn(nap, 1)), 0),
		"fork_works_after_reaping");
	return ktap_finish();
}
