/*
 * System-call wrappers: one raw call each, the per-arch differences (mmap2
 * page offsets, clone's argument order) hidden behind the U_* settings of
 * <u/arch/sysnum.h> so this file is the same for every arch.
 */
#include <u/errno.h>
#include <u/sys.h>

long sys_read(int fd, void *buf, size_t len)
{
	return syscall3(SYS_read, fd, (long)buf, (long)len);
}

long sys_write(int fd, const void *buf, size_t len)
{
	return syscall3(SYS_write, fd, (long)buf, (long)len);
}

_Noreturn void sys_exit(int status)
{
	for (;;)
		syscall1(SYS_exit, status);
}

_Noreturn void sys_exit_group(int status)
{
	for (;;)
		syscall1(SYS_exit_group, status);
}

long sys_getpid(void)
{
	return syscall0(SYS_getpid);
}

long sys_gettid(void)
{
	return syscall0(SYS_gettid);
}

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd,
	      uint64_t off)
{
	/* Linux checks this too, but mmap2 could not even express it. */
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	return syscall6(U_SYS_MMAP, (long)addr, (long)len, prot, flags, fd,
			(long)(off >> U_MMAP_OFF_SHIFT));
}

long sys_munmap(void *addr, size_t len)
{
	return syscall2(SYS_munmap, (long)addr, (long)len);
}

long sys_mprotect(void *addr, size_t len, int prot)
{
	return syscall3(SYS_mprotect, (long)addr, (long)len, prot);
}

long sys_madvise(void *addr, size_t len, int advice)
{
	return syscall3(SYS_madvise, (long)addr, (long)len, advice);
}

long sys_brk(void *addr)
{
	return syscall1(SYS_brk, (long)addr);
}

long sys_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
	       unsigned long tls)
{
	if (U_CLONE_TLS_BEFORE_CTID)
		return syscall5(SYS_clone, (long)flags, (long)stack,
				(long)ptid, (long)tls, (long)ctid);
	return syscall5(SYS_clone, (long)flags, (long)stack, (long)ptid,
			(long)ctid, (long)tls);
}

long sys_fork(void)
{
	return sys_clone(SIGCHLD, NULL, NULL, NULL, 0);
}

long sys_wait4(int pid, int *status, int options)
{
	return syscall4(SYS_wait4, pid, (long)status, options, 0);
}

long sys_sched_yield(void)
{
	return syscall0(SYS_sched_yield);
}

long sys_sched_setaffinity(int tid, size_t len, const unsigned long *mask)
{
	return syscall3(SYS_sched_setaffinity, tid, (long)len, (long)mask);
}

long sys_sched_getaffinity(int tid, size_t len, unsigned long *mask)
{
	return syscall3(SYS_sched_getaffinity, tid, (long)len, (long)mask);
}

long sys_getcpu(unsigned int *cpu, unsigned int *node)
{
	return syscall3(SYS_getcpu, (long)cpu, (long)node, 0);
}

long sys_clock_gettime(int clock, struct timespec *ts)
{
	return syscall2(SYS_clock_gettime, clock, (long)ts);
}

long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return syscall2(SYS_nanosleep, (long)req, (long)rem);
}

long sys_futex(int *uaddr, int op, int val, const struct timespec *timeout)
{
	return syscall4(SYS_futex, (long)uaddr, op, val, (long)timeout);
}

long sys_uname(struct utsname *u)
{
	return syscall1(SYS_uname, (long)u);
}

long sys_reboot(unsigned long cmd)
{
	return syscall4(SYS_reboot, (long)REBOOT_MAGIC1, (long)REBOOT_MAGIC2,
			(long)cmd, 0);
}
