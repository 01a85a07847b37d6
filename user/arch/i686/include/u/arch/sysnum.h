/*
 * i686 system-call numbers: the subset of Linux's table (asm/unistd_32.h)
 * that user/ wraps, entered with int 0x80. Time arguments use the 32-bit
 * `long` timespec of the original calls (clock_gettime 265, not the
 * _time64 variants), the natural ABI for a 32-bit kernel. The kernel's
 * i686 syscall table must use the same numbers.
 */
#ifndef U_ARCH_SYSNUM_H
#define U_ARCH_SYSNUM_H

#define SYS_exit		1
#define SYS_read		3
#define SYS_write		4
#define SYS_getpid		20
#define SYS_brk			45
#define SYS_mount		21
#define SYS_reboot		88
#define SYS_munmap		91
#define SYS_wait4		114
#define SYS_clone		120
#define SYS_uname		122
#define SYS_mprotect		125
#define SYS_sched_yield		158
#define SYS_nanosleep		162
#define SYS_mmap2		192
#define SYS_madvise		219
#define SYS_gettid		224
#define SYS_futex		240
#define SYS_sched_setaffinity	241
#define SYS_sched_getaffinity	242
#define SYS_exit_group		252
#define SYS_clock_gettime	265
#define SYS_getcpu		318


/* Files (core/sys_file.c): 32-bit off_t lseek plus _llseek; stat64. */
#define SYS_open		5
#define SYS_readv		145
#define SYS_statx		383
#define SYS_close		6
#define SYS_lseek		19
#define SYS_fstat		108
#define SYS__llseek		140
#define SYS_stat64		195
#define SYS_lstat64		196
#define SYS_fstat64		197
#define SYS_openat		295
#define SYS_fstatat64		300

/* Also used by static libcs at start-up and in stdio (musl, glibc). */
#define SYS_fork		2
#define SYS_ioctl		54
#define SYS_writev		146
#define SYS_rt_sigprocmask	175
#define SYS_set_tid_address	258

/* TLS: GDT entries described by a struct user_desc (i686 only). */
#define SYS_set_thread_area	243
#define SYS_get_thread_area	244

/* Old mmap (90) takes a struct pointer; mmap2 takes the offset in pages. */
#define U_SYS_MMAP		SYS_mmap2
#define U_MMAP_OFF_SHIFT	12
/* clone(flags, stack, parent_tid, tls, child_tid): CLONE_BACKWARDS. */
#define U_CLONE_TLS_BEFORE_CTID	1

/*
 * uname's machine field on this arch (a space-separated list of names):
 * a 64-bit x86 kernel tells 32-bit processes x86_64 unless asked not to.
 */
#define U_UNAME_MACHINES	"i686 x86_64"

#endif
