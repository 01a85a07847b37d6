/*
 * The simple calls of the Linux subset: identity, uname, clocks and sleep,
 * scheduling and affinity, console I/O, and the error values a kernel must
 * give for bad descriptors, bad pointers and unknown calls.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/string.h>
#include <u/sys.h>

#define NSEC_PER_SEC	1000000000LL
#define MASK_BITS	1024
#define LONG_BITS	(8 * sizeof(unsigned long))
/* No Linux ABI uses this number; the kernel must answer -ENOSYS. */
#define SYS_UNUSED	1000

static long long ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* Is @word one of the space-separated words of @list? */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; n && *p; p++)
		if ((p == list || p[-1] == ' ') && strncmp(p, word, n) == 0 &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* Does every 65-byte field of @u hold a NUL? */
static bool uname_terminated(const struct utsname *u)
{
	const char *f = (const char *)u;

	for (size_t i = 0; i < sizeof(*u); i += sizeof(u->sysname))
		if (strnlen(f + i, sizeof(u->sysname)) == sizeof(u->sysname))
			return false;
	return true;
}

static void check_identity(void)
{
	struct utsname u;
	long r;

	ktap_ok(sys_getpid() > 0, "getpid_positive");
	ktap_eq(sys_gettid(), sys_getpid(), "gettid_is_pid_in_main_thread");
	memset(&u, 0x7f, sizeof(u));
	r = sys_uname(&u);
	ktap_ok(r == 0 && u.sysname[0] && uname_terminated(&u),
		"uname_fields_terminated");
	ktap_diag("uname: %.65s %.65s %.65s", u.sysname, u.release, u.machine);
	ktap_ok(r == 0 && in_list(U_UNAME_MACHINES, u.machine),
		"uname_machine");
}

static void check_clocks(void)
{
	struct timespec a = { -1, -1 }, b = { -1, -1 };
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct timespec bad = { 0, NSEC_PER_SEC };
	long ra, rb, rs;

	ra = sys_clock_gettime(CLOCK_MONOTONIC, &a);
	rb = sys_clock_gettime(CLOCK_MONOTONIC, &b);
	ktap_ok(ra == 0 && rb == 0 && a.tv_sec >= 0 && a.tv_nsec >= 0 &&
		a.tv_nsec < NSEC_PER_SEC && ts_ns(&b) >= ts_ns(&a),
		"clock_monotonic_valid");
	rs = sys_nanosleep(&nap, NULL);
	sys_clock_gettime(CLOCK_MONOTONIC, &b);
	ktap_ok(rs == 0 && ts_ns(&b) - ts_ns(&a) >= 20 * 1000 * 1000,
		"nanosleep_20ms");
	ktap_eq(sys_nanosleep(&bad, NULL), -EINVAL, "nanosleep_bad_nsec");
	ktap_eq(sys_clock_gettime(9999, &a), -EINVAL, "clock_bad_id");
	ktap_eq(sys_clock_gettime(CLOCK_MONOTONIC, (void *)8), -EFAULT,
		"clock_bad_pointer");
}

static bool mask_has(const unsigned long *m, unsigned int cpu)
{
	return cpu < MASK_BITS && (m[cpu / LONG_BITS] >> (cpu % LONG_BITS)) & 1;
}

static void check_affinity(void)
{
	unsigned long old[MASK_BITS / LONG_BITS] = { 0 };
	unsigned long one[MASK_BITS / LONG_BITS] = { 0 };
	unsigned int cpu = ~0u, node, now = ~0u;
	long r, g;

	ktap_eq(sys_sched_yield(), 0, "sched_yield");
	r = sys_getcpu(&cpu, &node);
	g = sys_sched_getaffinity(0, sizeof(old), old);
	ktap_ok(r == 0 && g > 0 && mask_has(old, cpu), "getaffinity_has_cpu");
	if (r != 0 || cpu >= MASK_BITS) {
		ktap_skip("getcpu failed", "setaffinity_pins");
	} else {
		one[cpu / LONG_BITS] = 1UL << (cpu % LONG_BITS);
		r = sys_sched_setaffinity(0, sizeof(one), one);
		sys_getcpu(&now, NULL);
		ktap_ok(r == 0 && now == cpu, "setaffinity_pins");
		sys_sched_setaffinity(0, sizeof(old), old);
	}
	memset(one, 0, sizeof(one));
	ktap_eq(sys_sched_setaffinity(0, sizeof(one), one), -EINVAL,
		"setaffinity_empty");
}

static void check_errors(void)
{
	char c;
	long r;

	ktap_eq(sys_write(1, "", 0), 0, "write_zero_bytes");
	ktap_eq(sys_write(-1, "x", 1), -EBADF, "write_bad_fd");
	ktap_eq(sys_read(-1, &c, 1), -EBADF, "read_bad_fd");
	ktap_eq(sys_write(1, (void *)8, 1), -EFAULT, "write_bad_pointer");
	ktap_eq(syscall0(SYS_UNUSED), -ENOSYS, "unknown_syscall");
	/* Wrong magic never reboots: -EPERM unprivileged, else -EINVAL. */
	r = syscall4(SYS_reboot, 0, 0, (long)REBOOT_CMD_POWER_OFF, 0);
	ktap_ok(r == -EINVAL || r == -EPERM, "reboot_bad_magic");
}

int main(void)
{
	ktap_plan(19);
	check_identity();
	check_clocks();
	check_affinity();
	check_errors();
	return ktap_finish();
}
