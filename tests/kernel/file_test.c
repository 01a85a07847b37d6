/*
 * Suite file: the VFS below the file system calls. Path normalisation;
 * the read-only tree's errors; the synthetic files' contents against the
 * kernel's own state (the online CPUs, the interrupt counters, which a
 * cross-call to another CPU must move there and only there; the
 * coherence counters of /proc/tlbk/shootdown, row by row and column by
 * column, against tlb_stat_get() and a tlb_stat_add() of our own); descriptor
 * tables (lowest free slot, -EMFILE, fork's copy sharing files); and
 * every open failing at each heap and page allocation in turn, which must
 * give -ENOMEM and leave the heap and the free page count as they were.
 */
#include <kern/errno.h>
#include <kern/fd_table.h>
#include <kern/file.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <ktest/ktest_smp.h>
#include <mm/kheap.h>
#include <mm/pmm.h>
#include <smp/ipi_stats.h>
#include <smp/tlb_stats.h>

/* More allocations than one open makes; reaching it is a bug. */
#define MAX_NTH		64

static unsigned long heap_objects(void)
{
	struct kheap_stats st;

	kheap_stats(&st);
	return st.objects + st.large_blocks;
}

static void check_norm(struct ktest *t, const char *base, const char *in,
		       const char *want)
{
	char out[64];

	KEXPECT_EQ(t, file_path_normalise(base, in, out, sizeof(out)), 0);
	KEXPECT_STREQ(t, out, want);
}

static void normalise(struct ktest *t)
{
	char out[8];

	check_norm(t, "", "/", "");
	check_norm(t, "", "/bin/x", "bin/x");
	check_norm(t, "", "bin//x/", "bin/x");
	check_norm(t, "", "/./bin/./x", "bin/x");
	check_norm(t, "", "/../..", "");
	check_norm(t, "", "/proc/self/../self/status", "proc/self/status");
	check_norm(t, "proc", "self/status", "proc/self/status");
	check_norm(t, "proc", "../sys", "sys");
	check_norm(t, "proc", "/bin", "bin");
	KEXPECT_EQ(t, file_path_normalise("", "", out, sizeof(out)), -ENOENT);
	KEXPECT_EQ(t, file_path_normalise("", "/abcdefgh", out, sizeof(out)),
		   -ENAMETOOLONG);
	/* Only the result must fit: 7 bytes and the NUL in 8. */
	KEXPECT_EQ(t, file_path_normalise("", "/a/../abcdefg", out,
					  sizeof(out)), 0);
	KEXPECT_STREQ(t, out, "abcdefg");
	KEXPECT_EQ(t, file_path_normalise("", "/a/../abcdefgh", out,
					  sizeof(out)), -ENAMETOOLONG);
}

static int open_err(const char *path, unsigned int flags)
{
	struct file *f;
	int err = file_open(path, flags, &f);

	if (!err)
		file_put(f);
	return err;
}

static void read_only_errors(struct ktest *t)
{
	KEXPECT_EQ(t, open_err("proc/interrupts", O_RDONLY), 0);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_WRONLY), -EROFS);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_RDWR), -EROFS);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_RDONLY | O_TRUNC), -EROFS);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_RDONLY | O_CREAT), 0);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_CREAT | O_EXCL), -EEXIST);
	KEXPECT_EQ(t, open_err("proc/new", O_WRONLY | O_CREAT), -EROFS);
	KEXPECT_EQ(t, open_err("nope/new", O_WRONLY | O_CREAT), -ENOENT);
	KEXPECT_EQ(t, open_err("nope", O_RDONLY), -ENOENT);
	KEXPECT_EQ(t, open_err("proc/interrupts/x", O_RDONLY), -ENOTDIR);
	KEXPECT_EQ(t, open_err("proc/interrupts", O_DIRECTORY), -ENOTDIR);
	KEXPECT_EQ(t, open_err("proc", O_DIRECTORY), 0);
	KEXPECT_EQ(t, open_err("proc", O_WRONLY), -EISDIR);
	KEXPECT_EQ(t, open_err("", O_RDONLY), 0);
}

/* Open @path and copy its whole text into @buf (NUL-terminated). */
static int text_of(const char *path, char *buf, size_t size)
{
	struct file *f;
	int err = file_open(path, O_RDONLY, &f);

	if (err)
		return err;
	if (f->size >= size) {
		file_put(f);
		return -ERANGE;
	}
	memcpy(buf, f->data, f->size);
	buf[f->size] = '\0';
	file_put(f);
	return 0;
}

static void cpu_online(struct ktest *t)
{
	char got[64], want[64];
	unsigned int n = cpuset_count(&cpus_online);

	KASSERT_EQ(t, text_of("sys/devices/system/cpu/online", got,
			      sizeof(got)), 0);
	/* Online CPUs are 0 .. n-1 here: the harness starts them all. */
	if (n == 1)
		snprintf(want, sizeof(want), "0\n");
	else
		snprintf(want, sizeof(want), "0-%u\n", n - 1);
	KEXPECT_STREQ(t, got, want);
}

/* The number in row "@row:" for CPU column @cpu of /proc/interrupts. */
static long long row_count(const char *text, const char *row,
			   unsigned int cpu)
{
	size_t k = strlen(row);
	const char *l;
	long long v = -1;

	for (l = text; *l; l++)
		if ((l == text || l[-1] == '\n') && !strncmp(l, row, k) &&
		    l[k] == ':')
			break;
	if (!*l)
		return -1;
	l += k + 1;
	for (unsigned int i = 0; i <= cpu; i++) {
		while (*l == ' ')
			l++;
		for (v = 0; *l >= '0' && *l <= '9'; l++)
			v = v * 10 + (*l - '0');
	}
	return v;
}

#if defined(__aarch64__)
#define CALL_ROW	"IPI1"
#else
#define CALL_ROW	"CAL"
#endif

static void noop(void *arg)
{
}

static char text[8192];

static void interrupts(struct ktest *t)
{
	struct cpuset one;
	uint64_t calls, mine;
	unsigned int cpu = 1;
	long long before, after;

	KASSERT_EQ(t, text_of("proc/interrupts", text, sizeof(text)), 0);
	KEXPECT_TRUE(t, !strncmp(text, "           CPU0       ", 22));
	KEXPECT_GE(t, row_count(text, CALL_ROW, 0), 0);
	if (cpuset_count(&cpus_online) < 2) {
		ktest_skip(t, "needs two CPUs to cross-call");
		return;
	}
	/* A cross-call runs on the target only: its count moves by one
	 * there, and the caller's stays. */
	before = row_count(text, CALL_ROW, cpu);
	calls = ipi_stats_get(cpu, IPI_STAT_XCALL);
	mine = ipi_stats_get(this_cpu()->id, IPI_STAT_XCALL);
	cpuset_zero(&one);
	cpuset_set(&one, cpu);
	KASSERT_EQ(t, xcall_run(&one, noop, NULL), 0);
	KEXPECT_EQ(t, ipi_stats_get(cpu, IPI_STAT_XCALL), calls + 1);
	KEXPECT_EQ(t, ipi_stats_get(this_cpu()->id, IPI_STAT_XCALL), mine);
	KASSERT_EQ(t, text_of("proc/interrupts", text, sizeof(text)), 0);
	after = row_count(text, CALL_ROW, cpu);
	KEXPECT_EQ(t, after, before + 1);
}

/* --- /proc/tlbk/shootdown ------------------------------------------------ */

#define TLBK_ROWS	(1 + TLB_STAT_NKINDS + TLB_LAT_BUCKETS)

/* The line of @text whose first field is @name, or NULL. */
static const char *line_of(const char *text, const char *name)
{
	size_t k = strlen(name);

	for (const char *l = text; *l; l++)
		if ((l == text || l[-1] == '\n') && !strncmp(l, name, k) &&
		    (l[k] == ' ' || l[k] == '\n'))
			return l;
	return NULL;
}

/* How many lines of @text have @name as first field. */
static unsigned int lines_named(const char *text, const char *name)
{
	unsigned int n = 0;
	const char *l = text;

	while ((l = line_of(l, name))) {
		n++;
		l += strlen(name);
	}
	return n;
}

/*
 * The values after line @l's first field into @v (at most @max): each
 * one space then decimal digits, the line ending in '\n'. Returns how
 * many, or -1 if the line is malformed or has more than @max.
 */
static int row_values(const char *l, uint64_t *v, unsigned int max)
{
	unsigned int n = 0;

	while (*l != ' ' && *l != '\n' && *l)
		l++;
	while (*l == ' ') {
		l++;
		if (*l < '0' || *l > '9' || n == max)
			return -1;
		for (v[n] = 0; *l >= '0' && *l <= '9'; l++)
			v[n] = v[n] * 10 + (uint64_t)(*l - '0');
		n++;
	}
	return *l == '\n' ? (int)n : -1;
}

/* The next line after @l (past its '\n'). */
static const char *next_line(const char *l)
{
	const char *nl = strchr(l, '\n');

	return nl ? nl + 1 : l + strlen(l);
}

static unsigned int count_lines(const char *text)
{
	unsigned int n = 0;

	for (const char *l = text; *l; l = next_line(l))
		n++;
	return n;
}

/* Online CPU numbers, lowest first: the file's columns. */
static unsigned int online_cpus(unsigned int *ids)
{
	unsigned int cpu, n = 0;

	for_each_cpu_in(cpu, &cpus_online)
		ids[n++] = cpu;
	return n;
}

/* Row @row's value (an enum tlb_stat, then the latency buckets) now. */
static uint64_t row_now(unsigned int row, unsigned int cpu)
{
	if (row < TLB_STAT_NKINDS)
		return tlb_stat_get(cpu, (enum tlb_stat)row);
	return tlb_stat_latency_get(cpu, row - TLB_STAT_NKINDS);
}

static void row_name(unsigned int row, char *name, size_t size)
{
	if (row < TLB_STAT_NKINDS)
		snprintf(name, size, "%s", tlb_stat_names[row]);
	else
		snprintf(name, size, "lat_2^%u_ns", row - TLB_STAT_NKINDS);
}

static unsigned int ids[MAX_CPUS];
static uint64_t vals[MAX_CPUS];
/* Row r, column i of the snapshot before an open: [r * ncpu + i]. Heap,
 * not static: MAX_CPUS columns of every row would be 80 KiB of .bss. */
static uint64_t *snap;

/* The header: "cpus" then every online CPU, in order. */
static void check_tlbk_header(struct ktest *t, unsigned int ncpu)
{
	char want[8 * MAX_CPUS];
	size_t len = snprintf(want, sizeof(want), "cpus");

	for (unsigned int i = 0; i < ncpu; i++)
		len += snprintf(want + len, sizeof(want) - len, " %u", ids[i]);
	snprintf(want + len, sizeof(want) - len, "\n");
	KEXPECT_TRUE(t, !strncmp(text, want, strlen(want)));
	KEXPECT_EQ(t, lines_named(text, "cpus"), 1);
}

/* Row @row is line @row + 1, once, with one value per online CPU, each
 * between the snapshot before the open and the counter after it. */
static void check_tlbk_row(struct ktest *t, const char *l, unsigned int row,
			   unsigned int ncpu)
{
	char name[32];

	row_name(row, name, sizeof(name));
	KEXPECT_PTR_EQ(t, line_of(text, name), l);
	KEXPECT_EQ(t, lines_named(text, name), 1);
	if (!ktest_check(t, row_values(l, vals, MAX_CPUS) == (int)ncpu,
			 __FILE__, __LINE__, "row %s: not %u values", name,
			 ncpu))
		return;
	for (unsigned int i = 0; i < ncpu; i++) {
		KEXPECT_GE(t, vals[i], snap[row * ncpu + i]);
		KEXPECT_LE(t, vals[i], row_now(row, ids[i]));
	}
}

static void tlbk_shootdown(struct ktest *t)
{
	unsigned int ncpu = online_cpus(ids), row;
	const char *l;
	int err;

	snap = kmalloc((TLBK_ROWS - 1) * ncpu * sizeof(*snap));
	KASSERT_NOT_NULL(t, snap);
	for (row = 0; row < TLBK_ROWS - 1; row++)
		for (unsigned int i = 0; i < ncpu; i++)
			snap[row * ncpu + i] = row_now(row, ids[i]);
	err = text_of("proc/tlbk/shootdown", text, sizeof(text));
	if (err)
		kfree(snap);
	KASSERT_EQ(t, err, 0);
	KEXPECT_EQ(t, count_lines(text), TLBK_ROWS);
	check_tlbk_header(t, ncpu);
	l = next_line(text);
	for (row = 0; row < TLBK_ROWS - 1 && *l; row++, l = next_line(l))
		check_tlbk_row(t, l, row, ncpu);
	KEXPECT_EQ(t, row, TLBK_ROWS - 1);
	kfree(snap);
	KEXPECT_EQ(t, open_err("proc/tlbk", O_DIRECTORY), 0);
	KEXPECT_EQ(t, open_err("proc/tlbk/nope", O_RDONLY), -ENOENT);
	KEXPECT_EQ(t, open_err("proc/tlbk/shootdown", O_WRONLY), -EROFS);
}

/* This CPU's value in row @name of the current @text, or -1. */
static long long my_value(const char *name, unsigned int col)
{
	const char *l = line_of(text, name);

	if (!l || row_values(l, vals, MAX_CPUS) <= (int)col)
		return -1;
	return (long long)vals[col];
}

/*
 * Counts added on this CPU between two opens show in its column, exactly.
 * asid_rollovers: the coherence layer bumps it only when this CPU rolls
 * its ASID generation over at a switch, and this thread does not switch
 * (the kernel is not preemptible) nor run an interrupt's flush.
 */
static void tlbk_shootdown_delta(struct ktest *t)
{
	unsigned int ncpu = online_cpus(ids), cpu = this_cpu()->id, col = 0;
	const char *name = tlb_stat_names[TLB_STAT_ASID_ROLLOVER];
	uint64_t got;
	long long before, after;

	while (col < ncpu && ids[col] != cpu)
		col++;
	KASSERT_LT(t, col, ncpu);
	KASSERT_EQ(t, text_of("proc/tlbk/shootdown", text, sizeof(text)), 0);
	before = my_value(name, col);
	got = tlb_stat_get(cpu, TLB_STAT_ASID_ROLLOVER);
	KASSERT_GE(t, before, 0);
	tlb_stat_add(TLB_STAT_ASID_ROLLOVER, 3);
	KEXPECT_EQ(t, tlb_stat_get(cpu, TLB_STAT_ASID_ROLLOVER), got + 3);
	KASSERT_EQ(t, text_of("proc/tlbk/shootdown", text, sizeof(text)), 0);
	after = my_value(name, col);
	KEXPECT_EQ(t, after, before + 3);
	KEXPECT_EQ(t, this_cpu()->id, cpu);
	ktest_diag(t, "cpu%u %s: %lld -> %lld", cpu, name, before, after);
}

/*
 * Every heap allocation of the open failing in turn, the file's text
 * buffer among them: exactly -ENOMEM each time, nothing leaked. The
 * open makes at least two (the file, then the buffer).
 */
static void tlbk_shootdown_enomem(struct ktest *t)
{
	unsigned long objs = heap_objects();
	unsigned int n, failed = 0;
	int err;

	for (n = 1; n < MAX_NTH; n++) {
		bool fired;

		kheap_fault_inject_nth(n);
		err = open_err("proc/tlbk/shootdown", O_RDONLY);
		fired = kheap_fault_inject_fired();
		kheap_fault_inject_nth(0);
		if (!fired) {
			KEXPECT_EQ(t, err, 0);
			break;
		}
		KEXPECT_EQ(t, err, -ENOMEM);
		failed++;
	}
	KEXPECT_GE(t, failed, 2);
	KEXPECT_EQ(t, heap_objects(), objs);
	ktest_diag(t, "%u failing allocations", failed);
}

static void fd_tables(struct ktest *t)
{
	struct fd_table *a = fd_table_create(true), *b;
	struct file *f, *g;
	uint64_t pos;
	int fd;

	KASSERT_NOT_NULL(t, a);
	KEXPECT_PTR_EQ(t, fd_get(a, 1), &console_out);
	file_put(&console_out);
	KEXPECT_NULL(t, fd_get(a, 3));
	KEXPECT_NULL(t, fd_get(a, -1));
	KEXPECT_NULL(t, fd_get(a, FD_MAX));
	KEXPECT_EQ(t, file_seek(&console_out, 0, SEEK_SET, &pos), -ESPIPE);
	KEXPECT_EQ(t, file_write(&console_in, 0, 0), -EBADF);
	KASSERT_EQ(t, file_open("proc/interrupts", O_RDONLY, &f), 0);
	KEXPECT_EQ(t, fd_install(a, f), 3);
	/* Fill every slot with references to the same file. */
	for (fd = 4; fd < FD_MAX; fd++) {
		file_get(f);
		KEXPECT_EQ(t, fd_install(a, f), fd);
	}
	file_get(f);
	KEXPECT_EQ(t, fd_install(a, f), -EMFILE);
	file_put(f);
	KEXPECT_EQ(t, f->refs, FD_MAX - 3);
	KEXPECT_EQ(t, fd_close(a, 10), 0);
	KEXPECT_EQ(t, fd_close(a, 10), -EBADF);
	KEXPECT_EQ(t, fd_close(a, -1), -EBADF);
	b = fd_table_copy(a);
	KASSERT_NOT_NULL(t, b);
	KEXPECT_EQ(t, f->refs, 2 * (FD_MAX - 4));
	g = fd_get(b, 3);
	KEXPECT_PTR_EQ(t, g, f);
	file_put(g);
	fd_table_destroy(a);
	KEXPECT_EQ(t, f->refs, FD_MAX - 4);
	fd_table_destroy(b);
}

/* The opens the fault-injection case tries. */
static const struct {
	const char *path;
	unsigned int flags;
	int want;
	bool initramfs;		/* exists only with an initramfs */
} opens[] = {
	{ "proc/interrupts", O_RDONLY, 0, false },
	{ "proc/self/status", O_RDONLY, 0, false },
	{ "proc/tlbk/shootdown", O_RDONLY, 0, false },
	{ "proc/tlbk", O_RDONLY, 0, false },
	{ "sys/devices/system/cpu/online", O_RDONLY, 0, false },
	{ "sys/devices", O_RDONLY, 0, false },
	{ "proc/new", O_WRONLY | O_CREAT, -EROFS, false },
	{ "proc/interrupts/x", O_RDONLY, -ENOTDIR, false },
	{ "init", O_RDONLY, 0, true },
	{ "bin", O_RDONLY, 0, true },
};

struct injector {
	const char *name;
	void (*arm)(unsigned long n);
	bool (*fired)(void);
};

static const struct injector injectors[] = {
	{ "kheap", kheap_fault_inject_nth, kheap_fault_inject_fired },
	{ "pmm", pmm_fault_inject_nth, pmm_fault_inject_fired },
};

/* Open opens[@i] with the @n-th allocation of @inj failing; records a
 * failure in @t unless it gave its usual result or -ENOMEM. Returns
 * whether the injection fired (false: the open made fewer allocations). */
static bool open_failing(struct ktest *t, const struct injector *inj,
			 unsigned int n, unsigned int i)
{
	bool fired;
	int err;

	inj->arm(n);
	err = open_err(opens[i].path, opens[i].flags);
	fired = inj->fired();
	inj->arm(0);
	ktest_check(t, err == opens[i].want || (fired && err == -ENOMEM),
		    __FILE__, __LINE__, "open(%s) with %s allocation %u "
		    "failing: %d", opens[i].path, inj->name, n, err);
	return fired;
}

static void fault_injection(struct ktest *t)
{
	unsigned long objs = heap_objects(), free = pmm_free_count();
	unsigned int i, n, tries = 0;

	for (i = 0; i < ARRAY_SIZE(opens); i++) {
		if (opens[i].initramfs && !initramfs_present())
			continue;
		for (unsigned int j = 0; j < ARRAY_SIZE(injectors); j++) {
			for (n = 1; n < MAX_NTH; n++, tries++)
				if (!open_failing(t, &injectors[j], n, i))
					break;
			KEXPECT_LT(t, n, MAX_NTH);
		}
	}
	/* A descriptor table, and its fork copy, the same way. */
	for (n = 1; n < MAX_NTH; n++) {
		struct fd_table *a, *b;
		bool fired;

		kheap_fault_inject_nth(n);
		a = fd_table_create(true);
		b = a ? fd_table_copy(a) : NULL;
		fired = kheap_fault_inject_fired();
		kheap_fault_inject_nth(0);
		KEXPECT_TRUE(t, (a && b) || fired);
		fd_table_destroy(a);
		fd_table_destroy(b);
		if (!fired)
			break;
	}
	ktest_diag(t, "%u failing opens", tries);
	KEXPECT_EQ(t, heap_objects(), objs);
	KEXPECT_EQ(t, pmm_free_count(), free);
}

KTEST_SUITE(file,
	    KTEST_CASE(normalise),
	    KTEST_CASE(read_only_errors),
	    KTEST_CASE(cpu_online),
	    KTEST_CASE(interrupts),
	    KTEST_CASE(tlbk_shootdown),
	    KTEST_CASE(tlbk_shootdown_delta),
	    KTEST_CASE(tlbk_shootdown_enomem),
	    KTEST_CASE(fd_tables),
	    KTEST_CASE(fault_injection));
