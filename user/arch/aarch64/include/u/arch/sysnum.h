/*
 * aarch64 system-call numbers: the subset of Linux's generic table
 * (asm-generic/unistd.h) that user/ wraps. The generic table has no fork,
 * open or other legacy calls: fork is clone(SIGCHLD). The kernel's aarch64
 * syscall table must use the same numbers.
 */
#ifndef U_ARCH_SYSNUM_H
#define U_ARCH_SYSNUM_H

#define SYS_read		63
#define SYS_write		64
#define SYS_exit		93
#define SYS_exit_group		94
#define SYS_futex		98
#define SYS_nanosleep		101
#define SYS_clock_gettime	113
#define SYS_sched_setaffinity	122
#define SYS_sched_getaffinity	123
#define SYS_sched_yield		124
#define SYS_mount		40
#define SYS_reboot		142
#define SYS_uname		160
#define SYS_getcpu		168
#define SYS_getpid		172
#define SYS_gettid		178
#define SYS_brk			214
#define SYS_munmap		215
#define SYS_clone		220
#define SYS_mmap		222
#define SYS_mprotect		226
#define SYS_madvise		233
#define SYS_wait4		260


/* Files (core/sys_file.c): the generic table has openat but no open. */
#define SYS_openat		56
#define SYS_readv		65
#define SYS_statx		291
#define SYS_close		57
#define SYS_lseek		62
#define SYS_newfstatat		79
#define SYS_fstat		80

/* Also used by static libcs at start-up and in stdio (musl, glibc). */
#define SYS_ioctl		29
#define SYS_writev		66
#define SYS_set_tid_address	96
#define SYS_rt_sigprocmask	135

/* mmap takes its file offset in bytes. */
#define U_SYS_MMAP		SYS_mmap
#define U_MMAP_OFF_SHIFT	0
/* clone(flags, stack, parent_tid, tls, child_tid): CLONE_BACKWARDS. */
#define U_CLONE_TLS_BEFORE_CTID	1

/* uname's machine field on this arch (a space-separated list of names). */
#define U_UNAME_MACHINES	"aarch64"

#endif
