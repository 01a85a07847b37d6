/*
 * x86_64 system-call numbers: the subset of Linux's table (asm/unistd_64.h)
 * that user/ wraps. The kernel's x86_64 syscall table must use the same
 * numbers so one static binary runs on both.
 */
#ifndef U_ARCH_SYSNUM_H
#define U_ARCH_SYSNUM_H

#define SYS_read		0
#define SYS_write		1
#define SYS_mmap		9
#define SYS_mprotect		10
#define SYS_munmap		11
#define SYS_brk			12
#define SYS_sched_yield		24
#define SYS_madvise		28
#define SYS_nanosleep		35
#define SYS_getpid		39
#define SYS_clone		56
#define SYS_exit		60
#define SYS_wait4		61
#define SYS_uname		63
#define SYS_mount		165
#define SYS_reboot		169
#define SYS_gettid		186
#define SYS_futex		202
#define SYS_sched_setaffinity	203
#define SYS_sched_getaffinity	204
#define SYS_clock_gettime	228
#define SYS_exit_group		231
#define SYS_getcpu		309


/* Files (core/sys_file.c). */
#define SYS_open		2
#define SYS_readv		19
#define SYS_statx		332
#define SYS_close		3
#define SYS_stat		4
#define SYS_fstat		5
#define SYS_lstat		6
#define SYS_lseek		8
#define SYS_openat		257
#define SYS_newfstatat		262

/* Also used by static libcs at start-up and in stdio (musl, glibc). */
#define SYS_ioctl		16
#define SYS_writev		20
#define SYS_rt_sigprocmask	14
#define SYS_fork		57
#define SYS_arch_prctl		158
#define SYS_set_tid_address	218

/* mmap takes its file offset in bytes. */
#define U_SYS_MMAP		SYS_mmap
#define U_MMAP_OFF_SHIFT	0
/* clone(flags, stack, parent_tid, child_tid, tls): x86_64's own order. */
#define U_CLONE_TLS_BEFORE_CTID	0

/* uname's machine field on this arch (a space-separated list of names). */
#define U_UNAME_MACHINES	"x86_64"

#endif
