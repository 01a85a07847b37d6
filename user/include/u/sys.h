/*
 * System-call wrappers for user programs: the Linux calls of DESIGN.md's
 * first set, with Linux's constants and structure layouts, so a program
 * built against user/ runs unchanged on Linux and on this kernel.
 *
 * Every wrapper returns what the kernel returned: >= 0 (or an address) on
 * success, -errno on failure; nothing is kept in a global errno. Pointers
 * are passed through unchecked: the kernel checks them (-EFAULT).
 * Locking: none; each call is one system call, safe from any thread.
 */
#ifndef U_SYS_H
#define U_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <u/syscall.h>

/* mmap / mprotect / madvise */
#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MADV_DONTNEED	4

/* clone flags (the low byte is the signal sent to the parent at exit) */
#define SIGSEGV			11
#define SIGCHLD			17
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000

/* wait4 status word and options */
#define WNOHANG			1
#define WIFEXITED(s)		(((s) & 0x7f) == 0)
#define WEXITSTATUS(s)		(((s) >> 8) & 0xff)
#define WIFSIGNALED(s)	(((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s)		((s) & 0x7f)

/* futex operations (shared unless FUTEX_PRIVATE_FLAG is or'ed in) */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
/* or'ed into the operation: the word is not shared with other processes */
#define FUTEX_PRIVATE_FLAG	128

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1

/* reboot: the magic pair Linux insists on, and the power-off command */
#define REBOOT_MAGIC1		0xfee1deadUL
#define REBOOT_MAGIC2		672274793UL
#define REBOOT_CMD_POWER_OFF	0x4321fedcUL

#define PAGE_SIZE		4096UL

/* Linux's native timespec: `long` fields (32-bit on i686, see sysnum.h). */
struct timespec {
	long tv_sec;
	long tv_nsec;
};

/* Linux's new_utsname: six NUL-terminated 65-byte fields. */
struct utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
_Noreturn void sys_exit(int status);		/* this thread only */
_Noreturn void sys_exit_group(int status);	/* the whole process */
long sys_getpid(void);
long sys_gettid(void);

/*
 * Map @len bytes; returns the address, or -errno (test with sys_err()).
 * @off must be a page multiple (-EINVAL otherwise; i686 passes it to mmap2
 * in pages).
 */
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
	      uint64_t off);
long sys_munmap(void *addr, size_t len);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_madvise(void *addr, size_t len, int advice);
/* Linux's raw brk: returns the new break, or the old one on failure. */
long sys_brk(void *addr);

/*
 * Raw clone with Linux's argument meanings, in whatever order this arch's
 * kernel wants them. Returns the child's tid in the parent and 0 in the
 * child, which runs on @stack (NULL: a copy of the caller's stack, only
 * sensible without CLONE_VM). Threads use thread_create() instead.
 */
long sys_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
	       unsigned long tls);
/* fork as clone(SIGCHLD): aarch64 has no fork call. */
long sys_fork(void);
/* wait4 without rusage: returns the pid reaped, 0 (WNOHANG) or -errno. */
long sys_wait4(int pid, int *status, int options);

long sys_sched_yield(void);
long sys_sched_setaffinity(int tid, size_t len, const unsigned long *mask);
/* Returns the number of mask bytes the kernel wrote (not 0), or -errno. */
long sys_sched_getaffinity(int tid, size_t len, unsigned long *mask);
long sys_getcpu(unsigned int *cpu, unsigned int *node);
long sys_clock_gettime(int clock, struct timespec *ts);
long sys_nanosleep(const struct timespec *req, struct timespec *rem);

/*
 * futex(uaddr, op, val, timeout): FUTEX_WAIT sleeps while *uaddr == val
 * (-EAGAIN if it differs, -ETIMEDOUT after the relative @timeout);
 * FUTEX_WAKE wakes up to @val waiters and returns how many woke.
 */
long sys_futex(int *uaddr, int op, int val, const struct timespec *timeout);
long sys_uname(struct utsname *u);
/* reboot(@cmd) with the magic filled in; power-off does not return. */
long sys_reboot(unsigned long cmd);

#endif
