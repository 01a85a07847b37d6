/*
 * The coherence counters a result reports per operation. Two sources:
 *
 *   /proc/interrupts     on both kernels: the TLB shootdown row on x86
 *                        ("TLB"), the function-call IPI row on arm64
 *                        (Linux invalidates by broadcast TLBI there and
 *                        sends IPIs only for other cross-calls; this
 *                        kernel counts its shootdown IPIs in that row).
 *   /proc/tlbk/shootdown this kernel's per-CPU counters (<u/tlbk.h>);
 *                        Linux has no such file: "n/a".
 *   /proc/tlbk/profile   this kernel's phase profile of fork, exit, wait
 *                        and faults (core/prof.c): "name count total_ns"
 *                        rows; Linux has none, and nothing is reported.
 */
#include <u/errno.h>
#include <u/string.h>
#include <u/sys.h>
#include <u/tlbk.h>

#include "bench.h"

#define O_RDONLY	00
#define AT_FDCWD	(-100)
#define INTERRUPTS	"/proc/interrupts"
#define PROFILE		"/proc/tlbk/profile"

/* Each counter's key on a result line; but for "ipis", also its row in
 * /proc/tlbk/shootdown (the layer's own names, smp/tlb_stats.c). */
const char *const bench_counter_names[BC_NCOUNTERS] = {
	[BC_IPIS] = "ipis",
	[BC_SHOOTDOWNS] = "shootdowns",
	[BC_IPI_SENT] = "ipi_sent",
	[BC_PAGE_FLUSHES] = "page_flushes",
	[BC_ASID_FLUSHES] = "asid_flushes",
	[BC_FULL_FLUSHES] = "full_flushes",
	[BC_COALESCED] = "coalesced",
	[BC_SKIPPED] = "skipped_by_gen",
	[BC_LAZY_SKIPPED] = "lazy_skipped",
	[BC_BROADCAST] = "broadcast_tlbi",
	[BC_MERGED] = "merged_flushes",
	[BC_CATCHUP] = "catchup_flushes",
};

/* Big enough for either file at BENCH_MAX_CPUS CPUs. */
static char text[64 * 1024];
static unsigned long row_vals[BENCH_MAX_CPUS * 4];

/* Read file @path into text[]; its length or -errno. */
static long read_file(const char *path)
{
	long fd = syscall4(SYS_openat, AT_FDCWD, (long)path, O_RDONLY, 0);
	long n, total = 0;

	if (fd < 0)
		return fd;
	while (total < (long)sizeof(text) - 1 &&
	       (n = sys_read((int)fd, text + total,
			     sizeof(text) - 1 - total)) > 0)
		total += n;
	syscall1(SYS_close, fd);
	text[total] = '\0';
	return total;
}

int bench_counters_init(void)
{
	long r;

	if (read_file(INTERRUPTS) >= 0)
		return 0;
	/* Linux as /init: nothing is mounted, and /proc is an empty
	 * directory of the initramfs. This kernel never gets here. */
	r = syscall5(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0,
		     0);
	if (r < 0)
		return (int)r;
	return read_file(INTERRUPTS) >= 0 ? 0 : -ENOENT;
}

bool bench_is_tlbk(void)
{
	return read_file(TLBK_SHOOTDOWN_PATH) > 0;
}

#if defined(__aarch64__)
/* Does the line starting at @p contain @word? */
static bool line_has(const char *p, const char *word)
{
	size_t k = strlen(word);

	for (; *p && *p != '\n'; p++)
		if (!strncmp(p, word, k))
			return true;
	return false;
}
#endif

/* Where the counts of the IPI row this arch counts start, or NULL. */
static const char *ipi_row(void)
{
	for (const char *l = text; *l; l++) {
		if (l != text && l[-1] != '\n')
			continue;
		const char *p = l;

		while (*p == ' ')
			p++;
#if defined(__aarch64__)
		const char *colon = strchr(p, ':');

		if (!strncmp(p, "IPI", 3) && colon &&
		    line_has(p, "Function call interrupts"))
			return colon + 1;
#else
		if (!strncmp(p, "TLB:", 4))
			return p + 4;
#endif
	}
	return NULL;
}

/* The sum of the decimal fields at @p, up to the first other word. */
static uint64_t sum_fields(const char *p)
{
	uint64_t sum = 0;

	for (;;) {
		uint64_t v = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			return sum;
		for (; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		sum += v;
	}
}

static void read_ipis(struct bench_counts *c)
{
	const char *row;

	if (read_file(INTERRUPTS) < 0 || !(row = ipi_row()))
		return;
	c->v[BC_IPIS] = sum_fields(row);
	c->have[BC_IPIS] = true;
}

static void read_tlbk(struct bench_counts *c)
{
	if (read_file(TLBK_SHOOTDOWN_PATH) <= 0)
		return;
	for (unsigned int k = BC_IPIS + 1; k < BC_NCOUNTERS; k++) {
		int n = tlbk_row(text, bench_counter_names[k], row_vals,
				 ARRAY_LEN(row_vals));

		if (n < 0)
			continue;
		c->v[k] = 0;
		for (int i = 0; i < n; i++)
			c->v[k] += row_vals[i];
		c->have[k] = true;
	}
}

/* One decimal at *@p, advancing *@p past it and one space; false if
 * there is none. */
static bool take_number(const char **p, uint64_t *v)
{
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (*v = 0; *s >= '0' && *s <= '9'; s++)
		*v = *v * 10 + (uint64_t)(*s - '0');
	if (*s == ' ')
		s++;
	*p = s;
	return true;
}

/* The rows after the header, as far as they are well formed. */
static void read_profile(struct bench_counts *c)
{
	const char *l;

	if (read_file(PROFILE) <= 0 || !(l = strchr(text, '\n')))
		return;
	for (l++; *l && c->nphases < BENCH_MAX_PHASES;) {
		struct bench_phase *ph = &c->phase[c->nphases];
		const char *sp = strchr(l, ' ');
		size_t k = sp ? (size_t)(sp - l) : 0;

		if (!sp || k == 0 || k >= sizeof(ph->name))
			return;
		memcpy(ph->name, l, k);
		ph->name[k] = '\0';
		l = sp + 1;
		if (!take_number(&l, &ph->count) ||
		    !take_number(&l, &ph->total_ns) || *l != '\n')
			return;
		l++;
		c->nphases++;
	}
}

void bench_counters_read(struct bench_counts *c)
{
	/* Write the buffers before reading anything: a case runs in a
	 * forked child, where the first write to these static pages is a
	 * copy-on-write fault, whose shootdown (to the CPUs of its threads)
	 * would otherwise land between the two files' readings and count as
	 * the measured operations'. */
	memset(text, 0, sizeof(text));
	memset(row_vals, 0, sizeof(row_vals));
	memset(c, 0, sizeof(*c));
	read_ipis(c);
	read_tlbk(c);
	read_profile(c);
}
