/*
 * What the program prints: one "# bench-info:" line per run and one
 * "# bench:" line per case, space-separated key=value pairs that
 * tools/bench.py reads (bench/README.md has every key). The KTAP result
 * lines around them are main.c's.
 */
#include <u/printf.h>
#include <u/string.h>
#include <u/sys.h>

#include "bench.h"

/* Longer than printf's buffer: a line with a fork's profile phases is
 * over 1 KiB, so it is written with write_all. */
#define LINE_MAX	2048

const char *bench_arch_name(void)
{
#if defined(__aarch64__)
	return "aarch64";
#elif defined(__x86_64__)
	return "x86_64";
#else
	return "i686";
#endif
}

const char *bench_kernel_name(void)
{
	static struct utsname u;

	if (!u.sysname[0] && sys_uname(&u) != 0)
		return "unknown";
	if (!strcmp(u.sysname, "Linux"))
		return "linux";
	if (!strcmp(u.sysname, "tlbk"))
		return "tlbk";
	return "unknown";
}

/* Append printf output to @buf (of LINE_MAX bytes) at *@len. */
static void append(char *buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= LINE_MAX - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, LINE_MAX - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
	if (*len > LINE_MAX - 1)
		*len = LINE_MAX - 1;
}

/* " key=per-op" for each counter, in thousandths ("n/a" if absent). */
static void append_counters(char *buf, size_t *len, unsigned int iters,
			    const struct bench_counts *before,
			    const struct bench_counts *after)
{
	for (unsigned int k = 0; k < BC_NCOUNTERS; k++) {
		uint64_t milli;

		if (!before->have[k] || !after->have[k] || iters == 0) {
			append(buf, len, " %s=n/a", bench_counter_names[k]);
			continue;
		}
		milli = (after->v[k] - before->v[k]) * 1000 / iters;
		append(buf, len, " %s=%llu.%03llu", bench_counter_names[k],
		       (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
	}
}

/*
 * " prof_<phase>_ns=<ns per iteration>" for each phase of this kernel's
 * profile that ran in the window (dots in names become '_'), and
 * " prof_<phase>_n=<runs per iteration>", in thousandths as counters.
 */
static void append_phases(char *buf, size_t *len, unsigned int iters,
			  const struct bench_counts *before,
			  const struct bench_counts *after)
{
	unsigned int n = before->nphases < after->nphases ?
			 before->nphases : after->nphases;

	for (unsigned int i = 0; i < n && iters; i++) {
		const struct bench_phase *b = &before->phase[i];
		const struct bench_phase *a = &after->phase[i];
		uint64_t runs = a->count - b->count, milli;
		char key[BENCH_PHASE_NAME];

		if (runs == 0 || strcmp(a->name, b->name))
			continue;
		strlcpy(key, a->name, sizeof(key));
		for (char *k = key; *k; k++)
			if (*k == '.')
				*k = '_';
		milli = runs * 1000 / iters;
		append(buf, len, " prof_%s_ns=%llu prof_%s_n=%llu.%03llu", key,
		       (unsigned long long)((a->total_ns - b->total_ns) / iters),
		       key, (unsigned long long)(milli / 1000),
		       (unsigned long long)(milli % 1000));
	}
}

static unsigned long long ns_of(uint64_t ticks)
{
	return (unsigned long long)bench_ticks_to_ns(ticks);
}

void bench_report(const char *name, const char *params,
		  struct bench_samples *s, const struct bench_counts *before,
		  const struct bench_counts *after)
{
	char buf[LINE_MAX];
	size_t len = 0;
	unsigned int n = s->n;

	bench_sort(s->t, n);
	append(buf, &len, "# bench: name=%s%s%s kernel=%s arch=%s cpus=%u",
	       name, params[0] ? " " : "", params, bench_kernel_name(),
	       bench_arch_name(), bench_ncpus);
	append(buf, &len,
	       " iters=%u median_ns=%llu p90_ns=%llu p99_ns=%llu"
	       " mean_ns=%llu min_ns=%llu max_ns=%llu", n,
	       ns_of(bench_percentile(s->t, n, 50)),
	       ns_of(bench_percentile(s->t, n, 90)),
	       ns_of(bench_percentile(s->t, n, 99)),
	       ns_of(n ? s->sum / n : 0), ns_of(n ? s->t[0] : 0),
	       ns_of(n ? s->t[n - 1] : 0));
	append_counters(buf, &len, n, before, after);
	append_phases(buf, &len, n, before, after);
	append(buf, &len, "\n");
	write_all(1, buf, len);
}

void bench_report_info(void)
{
	printf("# bench-info: kernel=%s arch=%s cpus=%u clock=%s "
	       "clock_hz=%llu pages=%u budget_ms=%llu min_iters=%u "
	       "max_iters=%u quick=%d\n", bench_kernel_name(),
	       bench_arch_name(), bench_ncpus, bench_clock_name(),
	       (unsigned long long)bench_clock_hz(), bench_opts.fault_pages,
	       (unsigned long long)(bench_opts.budget_ns / 1000000),
	       bench_opts.min_iters, bench_opts.max_iters, bench_opts.quick);
}
