/*
 * Files as Linux programs read them: open / openat, read, lseek, fstat and
 * close on this program's own executable (an initramfs file here, the
 * build's file on Linux), their error paths, and the synthetic files:
 * /sys/devices/system/cpu/online, /proc/self/status (VmRSS must grow with
 * touched pages) and /proc/interrupts, whose TLB shootdown row (x86) or
 * function-call IPI row (arm64) must move on a CPU by at least the number
 * of munmaps another thread made while a thread of the process ran there;
 * and tlbk's own /proc/tlbk/shootdown through <u/tlbk.h>: a "cpus" header
 * naming the online CPUs, every counter and latency row with one value
 * per CPU, values that never go backwards between two reads.
 *
 * The same binary runs on Linux. Checks of this kernel's read-only file
 * system (-EROFS for writes on an existing file) skip where the file is
 * writable (Linux); the /proc/interrupts checks skip under qemu-user,
 * which runs no guest kernel (the host's file would describe the host);
 * the /proc/tlbk checks skip off tlbk (uname), where the file does not
 * exist and the reader must say -ENOENT.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/printf.h>
#include <u/proc.h>
#include <u/start.h>
#include <u/string.h>
#include <u/sys.h>
#include <u/thread.h>
#include <u/tlbk.h>
#include <smp/tlb_stats.h>	/* the row counts: TLB_STAT_NKINDS, TLB_LAT_BUCKETS */

#define O_RDONLY	00
#define O_WRONLY	01
#define O_RDWR		02
#define O_CREAT		0100
#define O_TRUNC		01000
#define AT_FDCWD	(-100)
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

/* More descriptors than any limit this test expects to meet. */
#define EMFILE_TRIES	1100
/* Pages touched between two VmRSS readings. */
#define RSS_PAGES	256
/* munmaps in the /proc/interrupts burst. */
#define BURST		50
#define BURST_TRIES	5
#define TEXT_MAX	16384

/* --- Raw calls (user/ wraps only what every program needs) ------------- */

static long f_openat(int dirfd, const char *path, int flags)
{
	return syscall4(SYS_openat, dirfd, (long)path, flags, 0);
}

static long f_open(const char *path, int flags)
{
#ifdef SYS_open
	return syscall3(SYS_open, (long)path, flags, 0);
#else
	return f_openat(AT_FDCWD, path, flags);
#endif
}

static long f_close(int fd)
{
	return syscall1(SYS_close, fd);
}

static long f_lseek(int fd, long off, int whence)
{
	return syscall3(SYS_lseek, fd, off, whence);
}

/*
 * fstat's size and mode from each arch's Linux struct stat: x86_64 and
 * the generic (arm64) struct stat, i386's packed stat64 via fstat64.
 */
static long f_fstat(int fd, long long *size, unsigned int *mode)
{
	unsigned char st[160];
	long r;

	memset(st, 0, sizeof(st));
#if defined(__i386__)
	r = syscall2(SYS_fstat64, fd, (long)st);
	memcpy(size, st + 44, 8);
	memcpy(mode, st + 16, 4);
#elif defined(__x86_64__)
	r = syscall2(SYS_fstat, fd, (long)st);
	memcpy(size, st + 48, 8);
	memcpy(mode, st + 24, 4);
#else
	r = syscall2(SYS_fstat, fd, (long)st);
	memcpy(size, st + 48, 8);
	memcpy(mode, st + 16, 4);
#endif
	return r;
}

/* newfstatat / fstatat64(dirfd, path, buf, flags): size and mode. */
#define AT_EMPTY_PATH	0x1000
static long f_fstatat(int dirfd, const char *path, int flags,
		      long long *size, unsigned int *mode)
{
	unsigned char st[160];
	long r;

	memset(st, 0, sizeof(st));
#if defined(__i386__)
	r = syscall4(SYS_fstatat64, dirfd, (long)path, (long)st, flags);
	memcpy(size, st + 44, 8);
	memcpy(mode, st + 16, 4);
#elif defined(__x86_64__)
	r = syscall4(SYS_newfstatat, dirfd, (long)path, (long)st, flags);
	memcpy(size, st + 48, 8);
	memcpy(mode, st + 24, 4);
#else
	r = syscall4(SYS_newfstatat, dirfd, (long)path, (long)st, flags);
	memcpy(size, st + 48, 8);
	memcpy(mode, st + 16, 4);
#endif
	return r;
}

/* Read all of @path into @buf (NUL-terminated); the length or -errno. */
static long slurp(const char *path, char *buf, size_t size)
{
	long fd = f_open(path, O_RDONLY), n, total = 0;

	if (fd < 0)
		return fd;
	while ((size_t)total < size - 1 &&
	       (n = sys_read((int)fd, buf + total, size - 1 - total)) > 0)
		total += n;
	f_close((int)fd);
	buf[total] = '\0';
	return total;
}

static bool on_tlbk(void)
{
	struct utsname u;

	return sys_uname(&u) == 0 && !strcmp(u.sysname, "tlbk");
}

static const char *self_path;

/* --- The executable ------------------------------------------------------ */

static void check_own_executable(void)
{
	char magic[4] = { 0 }, buf[512];
	long long size = -1;
	unsigned int mode = 0;
	long fd = f_open(self_path, O_RDONLY), n, total = 4;

	if (!ktap_ok(fd >= 0, "open_own_executable"))
		ktap_diag("open(%s): %ld", self_path, fd);
	ktap_ok(fd >= 3, "open_returns_lowest_free_fd_above_stdio");
	ktap_eq(sys_read((int)fd, magic, 4), 4, "read_4_bytes");
	ktap_ok(!memcmp(magic, "\177ELF", 4), "read_elf_magic");
	ktap_eq(f_lseek((int)fd, 0, SEEK_CUR), 4, "lseek_cur_after_read");
	ktap_eq(f_lseek((int)fd, 1, SEEK_SET), 1, "lseek_set");
	ktap_ok(sys_read((int)fd, magic, 3) == 3 && !memcmp(magic, "ELF", 3),
		"read_after_lseek_set");
	ktap_eq(f_lseek((int)fd, -1, SEEK_CUR), 3, "lseek_cur_backwards");
	ktap_eq(f_lseek((int)fd, -1, SEEK_SET), -EINVAL,
		"lseek_negative_einval");
	ktap_eq(f_lseek((int)fd, 0, 7), -EINVAL, "lseek_bad_whence_einval");
	f_lseek((int)fd, 4, SEEK_SET);
	while ((n = sys_read((int)fd, buf, sizeof(buf))) > 0)
		total += n;
	ktap_eq(f_fstat((int)fd, &size, &mode), 0, "fstat");
	ktap_eq(size, total, "fstat_size_matches_bytes_read");
	ktap_eq(mode & 0170000, 0100000, "fstat_regular_file");
	ktap_eq(f_lseek((int)fd, 0, SEEK_END), total, "lseek_end_is_size");
	{
		long long sz = -1;
		unsigned int md = 0;
		unsigned char sx[256];

		ktap_ok(f_fstatat(AT_FDCWD, self_path, 0, &sz, &md) == 0 &&
			sz == total && (md & 0170000) == 0100000,
			"fstatat_path_size_and_mode");
		sz = -1;
		ktap_ok(f_fstatat((int)fd, "", AT_EMPTY_PATH, &sz, &md) == 0 &&
			sz == total, "fstatat_empty_path_is_fstat");
		ktap_eq(f_fstatat(AT_FDCWD, "/no/such", 0, &sz, &md), -ENOENT,
			"fstatat_missing_enoent");
		memset(sx, 0, sizeof(sx));
		sz = -1;
		ktap_ok(syscall5(SYS_statx, AT_FDCWD, (long)self_path, 0,
				 0x7ff, (long)sx) == 0 &&
			(memcpy(&sz, sx + 40, 8), sz == total) &&
			(sx[29] & 0xf0) == 0x80, "statx_size_and_mode");
	}
#if defined(__i386__)
	{
		long long res = -1;

		ktap_ok(syscall5(SYS__llseek, fd, 0, 2, (long)&res, SEEK_SET)
			== 0 && res == 2, "llseek_set");
		ktap_eq(syscall5(SYS__llseek, fd, 0, 0, 8, SEEK_SET), -EFAULT,
			"llseek_bad_result_efault");
	}
	{
		/* The old i386 struct stat: 32-bit st_size at byte 20. */
		unsigned char st[64];
		unsigned long sz32 = 0;

		ktap_ok(syscall2(SYS_fstat, fd, (long)st) == 0 &&
			(memcpy(&sz32, st + 20, 4), (long)sz32 == total),
			"fstat_old_i386_struct");
	}
#else
	ktap_skip("the old struct stat is i386's", "fstat_old_i386_struct");
	ktap_skip("_llseek is i386's", "llseek_set");
	ktap_skip("_llseek is i386's", "llseek_bad_result_efault");
#endif
	{
		char a[2], b[3];
		struct { void *base; size_t len; } iov[2] = {
			{ a, sizeof(a) }, { b, sizeof(b) }
		};

		f_lseek((int)fd, 0, SEEK_SET);
		ktap_ok(syscall3(SYS_readv, fd, (long)iov, 2) == 5 &&
			!memcmp(a, "\177E", 2) && !memcmp(b, "LF", 2),
			"readv_two_buffers");
	}
	f_lseek((int)fd, 0, SEEK_END);
	ktap_eq(sys_read((int)fd, buf, sizeof(buf)), 0, "read_at_end_is_0");
	ktap_eq(sys_write((int)fd, "x", 1), -EBADF, "write_read_only_fd_ebadf");
	/* Not at the end: there Linux returns 0 without touching the buffer. */
	f_lseek((int)fd, 0, SEEK_SET);
	ktap_eq(sys_read((int)fd, (void *)8, 1), -EFAULT, "read_bad_buffer");
	ktap_eq(f_close((int)fd), 0, "close");
	ktap_eq(f_close((int)fd), -EBADF, "close_twice_ebadf");
	ktap_eq(sys_read((int)fd, buf, 1), -EBADF, "read_closed_fd_ebadf");
	ktap_eq(f_lseek((int)fd, 0, SEEK_SET), -EBADF, "lseek_closed_fd_ebadf");
	/* (Not lseek on fd 1: redirected to a file on Linux, it would
	 * seek, and this output would overwrite itself.) */
	n = f_open(self_path, O_RDONLY);
	ktap_eq(n, fd, "open_reuses_lowest_closed_fd");
	f_close((int)n);
}

static void check_open_errors(void)
{
	long fd;

	ktap_eq(f_open("/no/such/file", O_RDONLY), -ENOENT,
		"open_missing_enoent");
	ktap_eq(f_open((const char *)8, O_RDONLY), -EFAULT,
		"open_bad_pointer_efault");
	ktap_eq(f_openat(12345, "x", O_RDONLY), -EBADF,
		"openat_bad_dirfd_ebadf");
	fd = f_open(self_path, O_RDONLY);
	ktap_eq(f_openat((int)fd, "x", O_RDONLY), -ENOTDIR,
		"openat_file_dirfd_enotdir");
	f_close((int)fd);
	fd = f_openat(12345, "/proc/self/status", O_RDONLY);
	ktap_ok(fd >= 0, "openat_absolute_ignores_dirfd");
	f_close((int)fd);
	fd = f_open("/", O_RDONLY);
	if (ktap_ok(fd >= 0, "open_root_dir"))
		ktap_eq(sys_read((int)fd, &fd, 1), -EISDIR, "read_dir_eisdir");
	else
		ktap_skip("no root directory", "read_dir_eisdir");
	{
		long sub = f_openat((int)fd, "proc/self/status", O_RDONLY);

		ktap_ok(sub >= 0, "openat_relative_to_dirfd");
		f_close((int)sub);
	}
	f_close((int)fd);
	fd = f_openat(AT_FDCWD, "/proc/./self/../self//status", O_RDONLY);
	ktap_ok(fd >= 0, "open_path_with_dots_and_slashes");
	f_close((int)fd);
}

/* Writes on an existing file of a read-only file system: -EROFS. Linux
 * runs this from a writable build tree: skip there. */
static void check_read_only(void)
{
	static const struct { int flags; const char *name; } w[] = {
		{ O_WRONLY, "open_wronly_erofs" },
		{ O_RDWR, "open_rdwr_erofs" },
		{ O_RDONLY | O_TRUNC, "open_trunc_erofs" },
		{ O_WRONLY | O_CREAT, "open_creat_existing_erofs" },
	};
	bool ro = on_tlbk();

	for (unsigned int i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		if (ro)
			ktap_eq(f_open(self_path, w[i].flags), -EROFS,
				"%s", w[i].name);
		else
			ktap_skip("the file is writable here (not tlbk's "
				  "read-only initramfs)", "%s", w[i].name);
	}
	if (ro)
		ktap_eq(f_open("/bin/new_file", O_WRONLY | O_CREAT), -EROFS,
			"open_creat_missing_erofs");
	else
		ktap_skip("the file system is writable here",
			  "open_creat_missing_erofs");
	ktap_eq(f_open("/no/such/dir/new", O_WRONLY | O_CREAT), -ENOENT,
		"open_creat_missing_dir_enoent");
}

#if defined(__x86_64__)
#define SYS_prlimit64	302
#elif defined(__i386__)
#define SYS_prlimit64	340
#else
#define SYS_prlimit64	261
#endif
#define RLIMIT_NOFILE	7
#define FD_LIMIT	64

struct rlimit64 {
	unsigned long long cur, max;
};

/*
 * Linux's default descriptor limit may be far above what is worth
 * opening: lower the soft limit for the check (the hard one stays, so it
 * can be restored); this kernel has a fixed limit and no prlimit64.
 */
static bool lower_fd_limit(struct rlimit64 *old)
{
	struct rlimit64 low;

	if (on_tlbk() ||
	    syscall4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)old) != 0)
		return false;
	low.cur = FD_LIMIT;
	low.max = old->max;
	return syscall4(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&low, 0) == 0;
}

static void check_emfile(void)
{
	static int fds[EMFILE_TRIES];
	struct rlimit64 old;
	bool lowered = lower_fd_limit(&old);
	unsigned int n = 0;
	long fd = 0;

	while (n < EMFILE_TRIES && (fd = f_open(self_path, O_RDONLY)) >= 0)
		fds[n++] = (int)fd;
	if (fd == -EMFILE)
		ktap_ok(n > 0, "too_many_fds_emfile");
	else
		ktap_skip("no descriptor limit below 1100 here",
			  "too_many_fds_emfile");
	ktap_diag("opened %u descriptors, then %ld", n, fd);
	while (n)
		f_close(fds[--n]);
	if (lowered)
		syscall4(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&old, 0);
	fd = f_open(self_path, O_RDONLY);
	ktap_ok(fd >= 0, "open_after_closing_all");
	f_close((int)fd);
}

/* --- /sys/devices/system/cpu/online -------------------------------------- */

/* Parse a range list ("0-3,5\n") into @online; false if malformed. */
static bool parse_ranges(const char *s, bool *online, unsigned int max)
{
	while (*s && *s != '\n') {
		unsigned long a = 0, b;

		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			a = a * 10 + (unsigned long)(*s++ - '0');
		b = a;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			for (b = 0; *s >= '0' && *s <= '9'; s++)
				b = b * 10 + (unsigned long)(*s - '0');
		}
		if (b < a || b >= max)
			return false;
		while (a <= b)
			online[a++] = true;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return false;
	}
	return *s == '\n' && s[1] == '\0';
}

static void check_cpu_online(void)
{
	static bool online[PROC_MAX_CPUS];
	static unsigned int cpus[PROC_MAX_CPUS];
	char text[512];
	long len = slurp("/sys/devices/system/cpu/online", text, sizeof(text));
	int n = proc_cpus(cpus, PROC_MAX_CPUS);
	unsigned int nonline = 0, covered = 0;

	if (!ktap_ok(len > 0 && parse_ranges(text, online, PROC_MAX_CPUS),
		     "cpu_online_parses"))
		ktap_diag("read %ld: '%s'", len, len > 0 ? text : "");
	for (unsigned int i = 0; i < PROC_MAX_CPUS; i++)
		nonline += online[i];
	for (int i = 0; i < n; i++)
		covered += online[cpus[i]];
	ktap_ok(n > 0 && covered == (unsigned int)n,
		"cpu_online_has_every_cpu_of_affinity");
	/* Linux may restrict affinity below the online set (containers);
	 * this kernel gives init every online CPU. */
	if (on_tlbk())
		ktap_eq(nonline, n, "cpu_online_count_is_affinity_count");
	else
		ktap_ok(nonline >= (unsigned int)n,
			"cpu_online_count_is_affinity_count");
	ktap_diag("online: %.*s; %d CPU(s) in the affinity mask",
		  len > 0 ? (int)len - 1 : 0, text, n);
}

/* --- /proc/self/status --------------------------------------------------- */

/* The value of line "@key:" in @text (blanks skipped), or NULL. */
static const char *value_of(const char *text, const char *key)
{
	size_t k = strlen(key);

	for (const char *l = text; *l; l++) {
		if ((l == text || l[-1] == '\n') && !strncmp(l, key, k) &&
		    l[k] == ':') {
			for (l += k + 1; *l == '\t' || *l == ' '; l++)
				;
			return l;
		}
	}
	return NULL;
}

/* The number that value is, or -1. */
static long field(const char *text, const char *key)
{
	const char *l = value_of(text, key);
	long v = 0;

	if (!l || *l < '0' || *l > '9')
		return -1;
	while (*l >= '0' && *l <= '9')
		v = v * 10 + (*l++ - '0');
	return v;
}

/* Is VmRSS given in Linux's "<number> kB" form? */
static bool rss_in_kb(const char *text)
{
	const char *l = value_of(text, "VmRSS");

	if (!l || *l < '0' || *l > '9')
		return false;
	while (*l >= '0' && *l <= '9')
		l++;
	return !strncmp(l, " kB\n", 4);
}

static long vm_rss_kb(void)
{
	static char text[TEXT_MAX];

	return slurp("/proc/self/status", text, sizeof(text)) > 0 ?
		field(text, "VmRSS") : -1;
}

static void check_status(void)
{
	static char text[TEXT_MAX];
	long before, after, want = RSS_PAGES * (long)(PAGE_SIZE / 1024);
	volatile char *p;
	long r;

	ktap_ok(slurp("/proc/self/status", text, sizeof(text)) > 0 &&
		!strncmp(text, "Name:\t", 6), "status_name_first");
	ktap_eq(field(text, "Pid"), sys_getpid(), "status_pid");
	ktap_ok(field(text, "PPid") >= 0, "status_ppid");
	/* qemu-user reads the host's file for its own process, which has
	 * helper threads of qemu's. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user's own threads", "status_threads");
	else
		ktap_eq(field(text, "Threads"), 1, "status_threads");
	ktap_ok(rss_in_kb(text), "status_vmrss_in_kb");
	r = sys_mmap(NULL, RSS_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_err(r))
		ktap_bail("mmap: %ld", r);
	p = (volatile char *)r;
	before = vm_rss_kb();
	for (unsigned long i = 0; i < RSS_PAGES; i++)
		p[i * PAGE_SIZE] = 1;
	after = vm_rss_kb();
	/* Linux's RSS counters are per-CPU and batched: allow a quarter. */
	if (!ktap_ok(before > 0 && after - before >= want * 3 / 4 &&
		     after - before <= want * 5 / 4 + 64,
		     "vmrss_grows_by_touched_pages"))
		ktap_diag("VmRSS %ld kB -> %ld kB after touching %d pages "
			  "(%ld kB)", before, after, RSS_PAGES, want);
	sys_munmap((void *)r, RSS_PAGES * PAGE_SIZE);
	after = vm_rss_kb();
	ktap_ok(after >= 0 && after <= before + 64,
		"vmrss_shrinks_after_munmap");
}

/* --- /proc/interrupts ------------------------------------------------------ */

#if defined(__aarch64__)
/* Linux arm64: TLB invalidation is broadcast in hardware there, so a
 * remote flush is a function-call IPI (this kernel cross-calls too). */
#define IRQ_ROW		"IPI1"
#define IRQ_ROW_TEXT	"Function call interrupts"
#else
#define IRQ_ROW		"TLB"
#define IRQ_ROW_TEXT	"TLB shootdowns"
#endif

/*
 * The count in row @row (e.g. "TLB") for CPU @cpu, from @text; -1 if the
 * header has no column for @cpu or the row is missing. *@what gets the
 * row's description (the text after the counts).
 */
static long long irq_count(const char *text, const char *row,
			   unsigned int cpu, const char **what)
{
	const char *l = text, *nl;
	int col = -1, i = 0;
	char name[16];
	long long v = -1;

	snprintf(name, sizeof(name), "CPU%u", cpu);
	/* The header: blanks and CPUn columns. */
	for (nl = strchr(l, '\n'); l && l < nl; i++) {
		while (*l == ' ')
			l++;
		if (l >= nl)
			break;
		if (!strncmp(l, name, strlen(name)) &&
		    (l[strlen(name)] == ' ' || l + strlen(name) == nl))
			col = i;
		while (*l != ' ' && l < nl)
			l++;
	}
	l = value_of(text, row);
	if (col < 0 || !l)
		return -1;
	for (i = 0; i <= col; i++) {
		while (*l == ' ')
			l++;
		if (*l < '0' || *l > '9')
			return -1;
		for (v = 0; *l >= '0' && *l <= '9'; l++)
			v = v * 10 + (*l - '0');
	}
	while (*l == ' ' || (*l >= '0' && *l <= '9'))
		l++;
	*what = l;
	return v;
}

/* Show @text as diagnostics, one line each. */
static void diag_lines(const char *text)
{
	for (const char *l = text, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!nl)
			break;
		ktap_diag("%.*s", (int)(nl - l), l);
	}
}

static volatile int spin_ready, spin_stop;
static volatile long spin_count;
static unsigned int spin_cpu;

/* Keep this process's address space live on @spin_cpu, in user mode. */
static int spinner(void *arg)
{
	if (proc_pin(spin_cpu) != 0 || proc_cpu() != (long)spin_cpu) {
		spin_ready = -1;
		return 1;
	}
	spin_ready = 1;
	while (!spin_stop)
		spin_count++;
	return 0;
}

/* mmap, write and munmap one page @n times; the munmaps that succeeded. */
static int munmap_burst(int n)
{
	int done = 0;

	for (int i = 0; i < n; i++) {
		long r = sys_mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (sys_err(r))
			break;
		*(volatile char *)r = 1;
		done += sys_munmap((void *)r, PAGE_SIZE) == 0;
	}
	return done;
}

static void skip_interrupts(const char *why)
{
	ktap_skip(why, "interrupts_header_and_" IRQ_ROW "_row");
	ktap_skip(why, "interrupts_" IRQ_ROW "_moves_with_remote_munmaps");
}

static void check_interrupts(void)
{
	static char before[TEXT_MAX], after[TEXT_MAX];
	unsigned int cpus[2];
	const char *what = NULL;
	long long b = -1, a = -1;
	struct thread *t;
	bool moved = false;
	int done;

	if (getenv("USER_TEST_QEMU")) {
		skip_interrupts("qemu-user runs no guest kernel: "
				"/proc/interrupts is the host's");
		return;
	}
	if (proc_cpus(cpus, 2) < 2) {
		if (slurp("/proc/interrupts", before, sizeof(before)) > 0 &&
		    irq_count(before, IRQ_ROW, 0, &what) >= 0)
			ktap_ok(!strncmp(what, IRQ_ROW_TEXT,
					 strlen(IRQ_ROW_TEXT)),
				"interrupts_header_and_" IRQ_ROW "_row");
		else
			ktap_ok(false, "interrupts_header_and_" IRQ_ROW "_row");
		ktap_skip("one CPU: no remote CPU to flush",
			  "interrupts_" IRQ_ROW "_moves_with_remote_munmaps");
		return;
	}
	spin_cpu = cpus[1];
	if (proc_pin(cpus[0]) != 0 || thread_create(&t, 0, spinner, NULL)) {
		ktap_bail("cannot pin or start the spinner");
	}
	while (!spin_ready)
		sys_sched_yield();
	/*
	 * A busy host may preempt the spinner; while its CPU runs another
	 * process no flush is owed there, so a burst can fall short on
	 * Linux. Up to BURST_TRIES bursts: one must move the row by BURST.
	 */
	for (int i = 0; i < BURST_TRIES && !moved; i++) {
		slurp("/proc/interrupts", before, sizeof(before));
		done = spin_ready > 0 ? munmap_burst(BURST) : 0;
		slurp("/proc/interrupts", after, sizeof(after));
		b = irq_count(before, IRQ_ROW, spin_cpu, &what);
		a = irq_count(after, IRQ_ROW, spin_cpu, &what);
		moved = spin_ready > 0 && b >= 0 && done == BURST &&
			a - b >= BURST;
		ktap_diag("burst %d: spinner %s on CPU%u; %d munmaps; %s on "
			  "CPU%u: %lld -> %lld", i + 1, spin_ready > 0 ? "ran" :
			  "did not run", spin_cpu, done, IRQ_ROW, spin_cpu, b,
			  a);
	}
	spin_stop = 1;
	thread_join(t, NULL);
	b = irq_count(before, IRQ_ROW, spin_cpu, &what);
	if (!ktap_ok(b >= 0 && !strncmp(what, IRQ_ROW_TEXT,
					strlen(IRQ_ROW_TEXT)),
		     "interrupts_header_and_" IRQ_ROW "_row"))
		ktap_diag("no '%s:' row '%s' with a CPU%u column", IRQ_ROW,
			  IRQ_ROW_TEXT, spin_cpu);
	ktap_ok(moved, "interrupts_" IRQ_ROW "_moves_with_remote_munmaps");
	if (on_tlbk())
		diag_lines(after);
}

/* --- /proc/tlbk/shootdown ------------------------------------------------ */

#define TLBK_TEXT	65536
#define TLBK_ROWS	(1 + TLB_STAT_NKINDS + TLB_LAT_BUCKETS)

static char tlbk_text[TLBK_TEXT], tlbk_again[TLBK_TEXT];
static unsigned long tlbk_vals[PROC_MAX_CPUS], tlbk_vals2[PROC_MAX_CPUS];

/* The first field of the line at @l into @name (at most @size - 1). */
static void first_field(const char *l, char *name, size_t size)
{
	size_t n = 0;

	while (l[n] && l[n] != ' ' && l[n] != '\n' && n + 1 < size) {
		name[n] = l[n];
		n++;
	}
	name[n] = '\0';
}

/* How many lines of @text have first field @name. */
static unsigned int rows_named(const char *text, const char *name)
{
	char field[48];
	unsigned int n = 0;

	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n');

		first_field(l, field, sizeof(field));
		n += !strcmp(field, name);
		if (!nl)
			break;
		l = nl + 1;
	}
	return n;
}

/* The header names exactly the CPUs of @cpus (@n of them), in order. */
static bool header_is(const char *text, const unsigned int *cpus, int n)
{
	if (tlbk_row(text, "cpus", tlbk_vals, PROC_MAX_CPUS) != n)
		return false;
	for (int i = 0; i < n; i++)
		if (tlbk_vals[i] != cpus[i] || tlbk_column(text, cpus[i]) != i)
			return false;
	return strncmp(text, "cpus ", 5) == 0;
}

/*
 * Every line is NAME and @n values, each name once; TLBK_ROWS lines,
 * the last TLB_LAT_BUCKETS of them lat_2^0_ns .. in order. Diagnoses the
 * first bad line.
 */
static bool rows_well_formed(const char *text, int n)
{
	char name[48], want[48];
	unsigned int line = 0;

	for (const char *l = text; *l; line++) {
		const char *nl = strchr(l, '\n');

		first_field(l, name, sizeof(name));
		snprintf(want, sizeof(want), "lat_2^%u_ns",
			 line - (1 + TLB_STAT_NKINDS));
		if (!nl || tlbk_row(text, name, tlbk_vals, PROC_MAX_CPUS) != n ||
		    (line > TLB_STAT_NKINDS && strcmp(name, want)) ||
		    rows_named(text, name) != 1) {
			ktap_diag("line %u: '%.*s'", line + 1,
				  nl ? (int)(nl - l) : 40, l);
			return false;
		}
		l = nl + 1;
	}
	if (line != TLBK_ROWS)
		ktap_diag("%u lines, not %d", line, TLBK_ROWS);
	return line == TLBK_ROWS;
}

/* Between @a and the later @b, no value of any row went down. */
static bool never_decreases(const char *a, const char *b, int n)
{
	char name[48];

	for (const char *l = a; *l; l = strchr(l, '\n') + 1) {
		first_field(l, name, sizeof(name));
		if (tlbk_row(a, name, tlbk_vals, PROC_MAX_CPUS) != n ||
		    tlbk_row(b, name, tlbk_vals2, PROC_MAX_CPUS) != n)
			return false;
		for (int i = 0; i < n; i++)
			if (tlbk_vals2[i] < tlbk_vals[i]) {
				ktap_diag("%s column %d: %lu -> %lu", name, i,
					  tlbk_vals[i], tlbk_vals2[i]);
				return false;
			}
		if (!strchr(l, '\n'))
			break;
	}
	return true;
}

/* tlbk_counter against the text read just before: the same row and
 * column, a value no smaller. */
static bool counter_matches(const char *text, const unsigned int *cpus,
			    int n, const char *row)
{
	unsigned long v;

	if (tlbk_row(text, row, tlbk_vals, PROC_MAX_CPUS) != n)
		return false;
	for (int i = 0; i < n; i++)
		if (tlbk_counter(row, cpus[i], &v) != 0 || v < tlbk_vals[i])
			return false;
	return true;
}

/* The online CPUs, lowest first, from /sys/devices/system/cpu/online (not
 * the affinity mask: check_interrupts pinned this thread); -1 if
 * unreadable. */
static int online_list(unsigned int *cpus)
{
	static bool online[PROC_MAX_CPUS];
	char text[512];
	int n = 0;

	if (slurp("/sys/devices/system/cpu/online", text, sizeof(text)) <= 0 ||
	    !parse_ranges(text, online, PROC_MAX_CPUS))
		return -1;
	for (unsigned int c = 0; c < PROC_MAX_CPUS; c++)
		if (online[c])
			cpus[n++] = c;
	return n;
}

static void check_tlbk(void)
{
	static unsigned int cpus[PROC_MAX_CPUS];
	static const char *const names[] = {
		"tlbk_shootdown_header_names_online_cpus",
		"tlbk_shootdown_rows_one_value_per_cpu",
		"tlbk_counter_matches_file_per_cpu",
		"tlbk_shootdown_counters_never_decrease",
	};
	int n = online_list(cpus);
	long len = tlbk_read(tlbk_text, sizeof(tlbk_text));
	unsigned long v = 0;
	bool ok;

	if (!on_tlbk()) {
		ktap_eq(tlbk_counter("shootdowns", 0, &v), -ENOENT,
			"tlbk_counter_enoent_where_missing");
		for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]);
		     i++)
			ktap_skip("not tlbk: /proc/tlbk/shootdown is this "
				  "kernel's own file", "%s", names[i]);
		return;
	}
	ok = n > 0 && tlbk_counter("no_such_counter", cpus[0], &v) == -ENOENT &&
	     tlbk_counter("shootdowns", PROC_MAX_CPUS + 1, &v) == -ENOENT &&
	     tlbk_counter("shootdowns", cpus[0], &v) == 0;
	ktap_ok(ok, "tlbk_counter_enoent_where_missing");
	if (!ktap_ok(len > 0 && n > 0 && header_is(tlbk_text, cpus, n),
		     "%s", names[0]))
		ktap_diag("read %ld; %d CPU(s) online", len, n);
	ktap_ok(len > 0 && rows_well_formed(tlbk_text, n), "%s", names[1]);
	ktap_ok(len > 0 && counter_matches(tlbk_text, cpus, n, "shootdowns") &&
		counter_matches(tlbk_text, cpus, n, "lat_2^0_ns"),
		"%s", names[2]);
	/* TLB work in between (munmaps): whatever counts it only grows. */
	munmap_burst(BURST);
	ktap_ok(len > 0 && tlbk_read(tlbk_again, sizeof(tlbk_again)) > 0 &&
		never_decreases(tlbk_text, tlbk_again, n), "%s", names[3]);
	diag_lines(tlbk_text);
}

int main(int argc, char **argv)
{
	self_path = argc > 0 && argv[0] ? argv[0] : "/init";
	ktap_plan(64);
	check_own_executable();
	check_open_errors();
	check_read_only();
	check_emfile();
	check_cpu_online();
	check_status();
	check_interrupts();
	check_tlbk();
	return ktap_finish();
}
