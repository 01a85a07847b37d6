/*
 * Suite file: the VFS below the file system calls. Path normalisation;
 * the read-only tree's errors; the synthetic files' contents against the
 * kernel's own state (the online CPUs, the interrupt counters, which a
 * cross-call to another CPU must move there and only there); descriptor
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
} opens[] = {
	{ "proc/interrupts", O_RDONLY, 0 },
	{ "proc/self/status", O_RDONLY, 0 },
	{ "sys/devices/system/cpu/online", O_RDONLY, 0 },
	{ "sys/devices", O_RDONLY, 0 },
	{ "proc/new", O_WRONLY | O_CREAT, -EROFS },
	{ "proc/interrupts/x", O_RDONLY, -ENOTDIR },
	{ "init", O_RDONLY, 0 },	/* initramfs only */
	{ "bin", O_RDONLY, 0 },		/* initramfs only */
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
		if (i >= 6 && !initramfs_present())
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
	    KTEST_CASE(fd_tables),
	    KTEST_CASE(fault_injection));
