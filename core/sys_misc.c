/*
 * The remaining system calls: uname, clocks and sleeping, and futexes
 * (read, write and the other file calls are in core/sys_file.c).
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/futex.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/string.h>
#include <kern/syscall.h>
#include <kern/thread_md.h>
#include <kern/uaccess.h>

#define NSEC_PER_SEC		1000000000ULL

/* Clock IDs (Linux include/uapi/linux/time.h). */
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256

/* struct timespec with the native long of the ABI: 32-bit time_t on i686
 * (its clock_gettime and nanosleep are the 32-bit-time calls). */
struct ktimespec {
	long tv_sec;
	long tv_nsec;
};

long sys_uname(const struct syscall_args *args)
{
	struct { char f[6][65]; } u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.f[0], "tlbk", sizeof(u.f[0]));
	strlcpy(u.f[1], "qemu", sizeof(u.f[1]));
	strlcpy(u.f[2], "0.1", sizeof(u.f[2]));
	strlcpy(u.f[3], "research kernel for SMP TLB coherence",
		sizeof(u.f[3]));
	strlcpy(u.f[4], ARCH_NAME, sizeof(u.f[4]));
	strlcpy(u.f[5], "(none)", sizeof(u.f[5]));
	return copy_to_user(args->a[0], &u, sizeof(u));
}

long sys_clock_gettime(const struct syscall_args *args)
{
	uint64_t ns = arch_clock_ns();
	struct ktimespec ts = {
		.tv_sec = (long)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	switch (args->a[0]) {
	/* No real-time clock is read: CLOCK_REALTIME counts from boot. */
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return copy_to_user(args->a[1], &ts, sizeof(ts));
	}
	return -EINVAL;
}

/* A relative timespec at user @uts as an absolute deadline; 0 or errno. */
static int deadline_from(uintptr_t uts, uint64_t *deadline)
{
	struct ktimespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    (unsigned long)ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*deadline = arch_clock_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC +
		(uint64_t)ts.tv_nsec;
	return 0;
}

long sys_nanosleep(const struct syscall_args *args)
{
	uint64_t deadline;
	int err = deadline_from(args->a[0], &deadline);

	if (err)
		return err;
	/* Woken early only when the process is being killed: it never
	 * returns to user mode, so *rem is not worth writing. */
	return sched_sleep_until(deadline);
}

long sys_futex(const struct syscall_args *args)
{
	unsigned long op = args->a[1] & ~(FUTEX_PRIVATE_FLAG |
					  FUTEX_CLOCK_REALTIME);
	uint64_t deadline = 0;
	int err;

	switch (op) {
	case FUTEX_WAIT:
		if (args->a[3]) {
			err = deadline_from(args->a[3], &deadline);
			if (err)
				return err;
		}
		return futex_wait(args->a[0], (uint32_t)args->a[2], deadline);
	case FUTEX_WAKE:
		return futex_wake_addr(proc_current()->vm, args->a[0],
				       (unsigned int)MIN(args->a[2], 0x7fffffffUL));
	}
	return -ENOSYS;
}
