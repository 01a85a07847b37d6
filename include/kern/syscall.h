/*
 * System calls: the Linux ABI subset of DESIGN.md, with each arch's own
 * numbers (user/arch/$ARCH/include/u/arch/sysnum.h, shared with the user
 * runtime so the two cannot disagree). Handlers get the six raw argument
 * registers and return a value or a negative errno, as Linux does.
 */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include <kern/types.h>

struct trapframe;

struct syscall_args {
	unsigned long a[6];
	struct trapframe *tf;
};

typedef long (*syscall_fn)(const struct syscall_args *args);

/* Handlers, grouped by file: core/sys_proc.c */
long sys_exit(const struct syscall_args *args);
long sys_exit_group(const struct syscall_args *args);
long sys_getpid(const struct syscall_args *args);
long sys_gettid(const struct syscall_args *args);
long sys_clone(const struct syscall_args *args);
long sys_wait4(const struct syscall_args *args);
long sys_sched_yield(const struct syscall_args *args);
long sys_sched_setaffinity(const struct syscall_args *args);
long sys_sched_getaffinity(const struct syscall_args *args);
long sys_getcpu(const struct syscall_args *args);
long sys_reboot(const struct syscall_args *args);
long sys_fork(const struct syscall_args *args);
long sys_set_tid_address(const struct syscall_args *args);
long sys_rt_sigprocmask(const struct syscall_args *args);

/* core/sys_mm.c */
long sys_mmap(const struct syscall_args *args);
long sys_munmap(const struct syscall_args *args);
long sys_mprotect(const struct syscall_args *args);
long sys_madvise(const struct syscall_args *args);
long sys_brk(const struct syscall_args *args);

/* core/sys_misc.c */
long sys_uname(const struct syscall_args *args);
long sys_clock_gettime(const struct syscall_args *args);
long sys_nanosleep(const struct syscall_args *args);
long sys_futex(const struct syscall_args *args);

/* core/sys_file.c */
long sys_read(const struct syscall_args *args);
long sys_write(const struct syscall_args *args);
long sys_writev(const struct syscall_args *args);
long sys_readv(const struct syscall_args *args);
long sys_ioctl(const struct syscall_args *args);
long sys_open(const struct syscall_args *args);
long sys_openat(const struct syscall_args *args);
long sys_close(const struct syscall_args *args);
long sys_lseek(const struct syscall_args *args);
long sys_llseek(const struct syscall_args *args);
long sys_fstat(const struct syscall_args *args);
long sys_stat(const struct syscall_args *args);
long sys_newfstatat(const struct syscall_args *args);
long sys_fstat64(const struct syscall_args *args);
long sys_stat64(const struct syscall_args *args);
long sys_fstatat64(const struct syscall_args *args);
long sys_statx(const struct syscall_args *args);

/* arch/x86_64/syscall.c: the FS base (x86_64 only). */
long sys_arch_prctl(const struct syscall_args *args);
/* i686 only (arch/i686/tls.c). */
long sys_set_thread_area(const struct syscall_args *args);
long sys_get_thread_area(const struct syscall_args *args);

#endif
