/*
 * The benchmark program: fault latency, fork cost against resident size
 * and TLB shootdown cost, on this kernel and, unchanged, on Linux.
 *
 *   bench [--quick] [--only NAME[,NAME...]] [--smp-max N] [--pages N]
 *         [--budget-ms N]
 *
 * NAME is a group (fault, fork, shootdown) or the start of a case name
 * (fork.call, shootdown.range). Output: KTAP, one "# bench:" line before
 * each result (report.c). Run as /init on Linux, it mounts /proc if it
 * must and powers the machine off at the end; here the kernel does that
 * with the exit status. bench/README.md says what each case measures.
 */
#include <stdarg.h>

#include <u/errno.h>
#include <u/ktap.h>
#include <u/printf.h>
#include <u/proc.h>
#include <u/string.h>
#include <u/sys.h>

#include "bench.h"

#define MAX_CASES	256
#define MAX_ONLY	16

struct bench_opts bench_opts = {
	.fault_pages = 2000,
	.budget_ns = 300ULL * 1000 * 1000,
	.min_iters = 10,
	.max_iters = 2000,
	.smp_max = BENCH_MAX_CPUS,
};

unsigned int bench_cpus[BENCH_MAX_CPUS];
unsigned int bench_ncpus;

static struct bench_case cases[MAX_CASES];
static const char *only[MAX_ONLY];
static unsigned int nonly;

static _Noreturn void usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static _Noreturn void usage(const char *fmt, ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("# %s\n# usage: bench [--quick] [--only NAME[,NAME]] "
	       "[--smp-max N] [--pages N] [--budget-ms N]\n", why);
	sys_exit_group(2);
}

/* A decimal argument in [1, @max], or usage(). */
static unsigned long number(const char *opt, const char *s, unsigned long max)
{
	unsigned long v = 0;
	const char *d;

	/* v <= max bounds v before each step: no overflow. */
	for (d = s; *d >= '0' && *d <= '9' && v <= max; d++)
		v = v * 10 + (unsigned long)(*d - '0');
	if (d == s || *d || v < 1 || v > max)
		usage("%s takes a number from 1 to %lu, not '%s'", opt, max, s);
	return v;
}

/* Split the comma list @s into only[] (in place). */
static void parse_only(char *s)
{
	while (s && *s) {
		char *comma = strchr(s, ',');

		if (nonly == MAX_ONLY)
			usage("--only names too many cases");
		if (comma)
			*comma = '\0';
		if (*s)
			only[nonly++] = s;
		s = comma ? comma + 1 : NULL;
	}
	if (nonly == 0)
		usage("--only needs a name");
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		/* Linux hands /init every boot word it does not know
		 * ("nokaslr" on x86): not ours to judge. */
		if (strncmp(a, "--", 2) != 0) {
			ktap_diag("ignoring argument '%s'", a);
			continue;
		}
		if (!strcmp(a, "--quick")) {
			bench_opts.quick = true;
			bench_opts.fault_pages = 256;
			bench_opts.budget_ns = 40ULL * 1000 * 1000;
			bench_opts.min_iters = 3;
			bench_opts.max_iters = 200;
			continue;
		}
		if (strcmp(a, "--only") && strcmp(a, "--smp-max") &&
		    strcmp(a, "--pages") && strcmp(a, "--budget-ms"))
			usage("unknown option '%s'", a);
		if (!v)
			usage("%s needs a value", a);
		if (!strcmp(a, "--only"))
			parse_only(argv[i + 1]);
		else if (!strcmp(a, "--smp-max"))
			bench_opts.smp_max = number(a, v, BENCH_MAX_CPUS);
		else if (!strcmp(a, "--pages"))
			bench_opts.fault_pages = number(a, v, BENCH_MAX_SAMPLES);
		else
			bench_opts.budget_ns = number(a, v, 60000) * 1000000ULL;
		i++;
	}
}

/* Does @c match a --only name: its group or a dotted prefix of its
 * name ("fork" and "fork.call" match fork.call, "fork.ca" does not)? */
static bool selected(const struct bench_case *c)
{
	if (nonly == 0)
		return true;
	for (unsigned int i = 0; i < nonly; i++) {
		size_t k = strlen(only[i]);

		if (!strncmp(c->name, only[i], k) &&
		    (c->name[k] == '\0' || c->name[k] == '.'))
			return true;
	}
	return false;
}

/* Every selected case, in the order they run. */
static unsigned int list_cases(void)
{
	unsigned int n = 0, kept = 0;

	n = bench_fault_cases(cases, n, MAX_CASES);
	n = bench_fork_cases(cases, n, MAX_CASES);
	n = bench_shootdown_cases(cases, n, MAX_CASES);
	for (unsigned int i = 0; i < n; i++)
		if (selected(&cases[i]))
			cases[kept++] = cases[i];
	return kept;
}

/* Run @c in a child process of its own; did it pass? */
static bool run_case(const struct bench_case *c)
{
	long pid = sys_fork(), status;

	if (pid == 0)
		sys_exit_group(c->run(c) ? 0 : 1);
	if (pid < 0) {
		ktap_diag("%s: fork: %ld", c->name, pid);
		return false;
	}
	status = proc_reap(pid);
	if (proc_exited_with(status, 0))
		return true;
	if (status >= 0 && WIFSIGNALED(status))
		ktap_diag("%s: killed by signal %ld", c->name, WTERMSIG(status));
	return false;
}

static void find_cpus(void)
{
	int n = proc_cpus(bench_cpus, BENCH_MAX_CPUS);

	bench_ncpus = n > 0 ? (unsigned int)n : 0;
	if (n <= 0) {
		bench_cpus[0] = 0;
		bench_ncpus = 1;
	}
}

int main(int argc, char **argv)
{
	unsigned int n;
	int rc, counters;

	parse_args(argc, argv);
	find_cpus();
	if (bench_clock_init() != 0)
		ktap_bail("cannot calibrate the cycle counter");
	counters = bench_counters_init();
	n = list_cases();
	if (n == 0)
		usage("--only matches no case");
	ktap_plan(n);
	bench_report_info();
	if (counters != 0)
		ktap_diag("no /proc/interrupts (%d): IPI counts are n/a",
			  counters);
	for (unsigned int i = 0; i < n; i++)
		ktap_ok(run_case(&cases[i]), "%s%s%s", cases[i].name,
			cases[i].params[0] ? " " : "", cases[i].params);
	rc = ktap_finish();
	/* Linux panics when init exits; this kernel powers off with the
	 * status, which a reboot call would lose. */
	if (sys_getpid() == 1 && !strcmp(bench_kernel_name(), "linux"))
		sys_reboot(REBOOT_CMD_POWER_OFF);
	return rc;
}
