/*
 * System-call dispatch: the arch hands over the trap frame, the number
 * picks a handler from a table indexed by this arch's Linux numbers, and
 * the result goes back in the return register. Unknown numbers return
 * -ENOSYS, as Linux does.
 */
#include <kern/compiler.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread_md.h>
#include <u/arch/sysnum.h>

static const syscall_fn syscall_table[] = {
	[SYS_read] = sys_read,
	[SYS_write] = sys_write,
	[U_SYS_MMAP] = sys_mmap,
	[SYS_mprotect] = sys_mprotect,
	[SYS_munmap] = sys_munmap,
	[SYS_brk] = sys_brk,
	[SYS_sched_yield] = sys_sched_yield,
	[SYS_madvise] = sys_madvise,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_getpid] = sys_getpid,
	[SYS_clone] = sys_clone,
	[SYS_exit] = sys_exit,
	[SYS_wait4] = sys_wait4,
	[SYS_uname] = sys_uname,
	[SYS_reboot] = sys_reboot,
	[SYS_gettid] = sys_gettid,
	[SYS_futex] = sys_futex,
	[SYS_sched_setaffinity] = sys_sched_setaffinity,
	[SYS_sched_getaffinity] = sys_sched_getaffinity,
	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_exit_group] = sys_exit_group,
	[SYS_getcpu] = sys_getcpu,
	[SYS_ioctl] = sys_ioctl,
	[SYS_writev] = sys_writev,
	[SYS_rt_sigprocmask] = sys_rt_sigprocmask,
	[SYS_set_tid_address] = sys_set_tid_address,
	/* Calls only some arches' tables have. */
#ifdef SYS_fork
	[SYS_fork] = sys_fork,
#endif
#ifdef SYS_arch_prctl
	[SYS_arch_prctl] = sys_arch_prctl,
#endif
	/* Files (core/sys_file.c), with each arch's own set of calls. */
	[SYS_openat] = sys_openat,
	[SYS_close] = sys_close,
	[SYS_readv] = sys_readv,
	[SYS_lseek] = sys_lseek,
	[SYS_fstat] = sys_fstat,
	[SYS_statx] = sys_statx,
#ifdef SYS_open
	[SYS_open] = sys_open,
#endif
#ifdef SYS_stat
	/* No symbolic links exist: lstat is stat. */
	[SYS_stat] = sys_stat,
	[SYS_lstat] = sys_stat,
#endif
#ifdef SYS_newfstatat
	[SYS_newfstatat] = sys_newfstatat,
#endif
#ifdef SYS__llseek
	[SYS__llseek] = sys_llseek,
	[SYS_stat64] = sys_stat64,
	[SYS_lstat64] = sys_stat64,
	[SYS_fstat64] = sys_fstat64,
	[SYS_fstatat64] = sys_fstatat64,
#endif
#ifdef SYS_set_thread_area
	[SYS_set_thread_area] = sys_set_thread_area,
	[SYS_get_thread_area] = sys_get_thread_area,
#endif
};

/* Unknown calls a process gets told about on the console, at most. */
#define NOSYS_REPORTS	8

/*
 * Say which call a program wanted: the first few per process, so that
 * someone running their own binary sees what is missing without the
 * console drowning in a loop of them.
 */
static void report_nosys(unsigned long nr)
{
	struct proc *p = proc_current();

	if (__atomic_fetch_add(&p->nosys_reports, 1, __ATOMIC_RELAXED) <
	    NOSYS_REPORTS)
		printk("pid %d (%s): system call %lu is not implemented "
		       "(-ENOSYS)\n", p->pid, p->name, nr);
}

void syscall_handle(struct trapframe *tf)
{
	unsigned long nr = arch_tf_syscall_nr(tf);
	struct syscall_args args = { .tf = tf };
	long ret = -ENOSYS;

	if (nr < ARRAY_SIZE(syscall_table) && syscall_table[nr]) {
		for (unsigned int i = 0; i < 6; i++)
			args.a[i] = arch_tf_syscall_arg(tf, i);
		ret = syscall_table[nr](&args);
	} else {
		report_nosys(nr);
	}
	arch_tf_set_retval(tf, (unsigned long)ret);
}
