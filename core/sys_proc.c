/*
 * System calls about processes, threads and CPUs: exit, identity, clone,
 * wait4, yielding and affinity, getcpu, and reboot (power off).
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/string.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/uaccess.h>
#include <smp/cpu.h>
#include <u/arch/sysnum.h>

/* reboot(2) magic numbers and commands (Linux include/uapi/linux/reboot.h). */
#define REBOOT_MAGIC1		0xfee1deadUL
static const unsigned long reboot_magic2[] = {
	672274793, 85072278, 369367448, 537993216,
};
#define REBOOT_CMD_RESTART	0x01234567UL
#define REBOOT_CMD_HALT		0xcdef0123UL
#define REBOOT_CMD_POWER_OFF	0x4321fedcUL
#define REBOOT_CMD_CAD_ON	0x89abcdefUL
#define REBOOT_CMD_CAD_OFF	0x00000000UL

/* The wait status of a normal exit with @code. */
static int exit_status(unsigned long code)
{
	return (int)((code & 0xff) << 8);
}

long sys_exit(const struct syscall_args *args)
{
	proc_thread_exit(exit_status(args->a[0]));
}

long sys_exit_group(const struct syscall_args *args)
{
	proc_kill(proc_current(), exit_status(args->a[0]));
	proc_thread_exit(exit_status(args->a[0]));
}

long sys_getpid(const struct syscall_args *args)
{
	(void)args;
	return proc_current()->pid;
}

long sys_gettid(const struct syscall_args *args)
{
	(void)args;
	return thread_current()->tid;
}

long sys_clone(const struct syscall_args *args)
{
	/* The argument order of the last two differs between arches. */
	unsigned long ctid = U_CLONE_TLS_BEFORE_CTID ? args->a[4] : args->a[3];
	unsigned long tls = U_CLONE_TLS_BEFORE_CTID ? args->a[3] : args->a[4];

	return proc_clone(args->tf, args->a[0], args->a[1], args->a[2], ctid,
			  tls);
}

long sys_fork(const struct syscall_args *args)
{
	return proc_clone(args->tf, SIGCHLD, 0, 0, 0, 0);
}

long sys_set_tid_address(const struct syscall_args *args)
{
	struct thread *t = thread_current();

	t->clear_child_tid = args->a[0];
	return t->tid;
}

/* Bytes of a kernel sigset_t: 64 signals on every arch here. */
#define SIGSET_SIZE	8
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/*
 * rt_sigprocmask: no signal is ever delivered here, so every mask is as
 * good as any other: the arguments are checked as Linux checks them, the
 * old mask reads as empty, and nothing is kept.
 */
long sys_rt_sigprocmask(const struct syscall_args *args)
{
	uint64_t set, old = 0;

	if (args->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (args->a[1]) {
		if (args->a[0] > SIG_SETMASK)
			return -EINVAL;
		if (copy_from_user(&set, args->a[1], sizeof(set)))
			return -EFAULT;
	}
	if (args->a[2] && copy_to_user(args->a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_wait4(const struct syscall_args *args)
{
	struct { unsigned long w[18]; } rusage = { 0 };
	long pid;

	pid = proc_wait((int)args->a[0], args->a[1], (int)args->a[2]);
	/* No accounting yet: a struct rusage reads all zero. */
	if (pid > 0 && args->a[3] &&
	    copy_to_user(args->a[3], &rusage, sizeof(rusage)))
		return -EFAULT;
	return pid;
}

long sys_sched_yield(const struct syscall_args *args)
{
	unsigned long irq = arch_irq_save();

	(void)args;
	sched_yield();
	arch_irq_restore(irq);
	return 0;
}

/* Bytes of a user CPU mask that cover every CPU: whole longs, as Linux. */
static size_t mask_bytes(void)
{
	size_t bits = 8 * sizeof(unsigned long);

	return (ncpus + bits - 1) / bits * sizeof(unsigned long);
}

long sys_sched_setaffinity(const struct syscall_args *args)
{
	struct cpuset set = { 0 }, allowed;
	size_t len = MIN(args->a[1], sizeof(set));
	unsigned int i;

	if (copy_from_user(&set, args->a[2], len))
		return -EFAULT;
	cpuset_zero(&allowed);
	for_each_cpu_in(i, &set)
		if (cpuset_test(&cpus_online, i))
			cpuset_set(&allowed, i);
	if (cpuset_empty(&allowed))
		return -EINVAL;
	if (args->a[0] == 0 || (int)args->a[0] == thread_current()->tid) {
		sched_set_affinity(&allowed);
		return 0;
	}
	return proc_thread_affinity((int)args->a[0], NULL, &allowed);
}

long sys_sched_getaffinity(const struct syscall_args *args)
{
	struct cpuset set = thread_current()->affinity;
	size_t len = args->a[1];
	int err = 0;

	if (args->a[0] != 0 && (int)args->a[0] != thread_current()->tid)
		err = proc_thread_affinity((int)args->a[0], &set, NULL);
	if (err)
		return err;
	if (len < mask_bytes() || (len & (sizeof(unsigned long) - 1)))
		return -EINVAL;
	len = MIN(len, mask_bytes());
	if (copy_to_user(args->a[2], &set, len))
		return -EFAULT;
	return (long)len;
}

long sys_getcpu(const struct syscall_args *args)
{
	unsigned int cpu = this_cpu()->id, node = 0;

	if (args->a[0] && copy_to_user(args->a[0], &cpu, sizeof(cpu)))
		return -EFAULT;
	if (args->a[1] && copy_to_user(args->a[1], &node, sizeof(node)))
		return -EFAULT;
	return 0;
}

long sys_reboot(const struct syscall_args *args)
{
	struct proc *p = proc_current();

	bool magic2 = false;

	for (unsigned int i = 0; i < ARRAY_SIZE(reboot_magic2); i++)
		magic2 |= args->a[1] == reboot_magic2[i];
	if (args->a[0] != REBOOT_MAGIC1 || !magic2)
		return -EINVAL;
	switch (args->a[2]) {
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;
	case REBOOT_CMD_POWER_OFF:
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_RESTART:
		/* Restart is a power-off too: the harness reads the status. */
		printk("init: reboot(%#lx) from pid %d (%s); powering off "
		       "with status 0\n", args->a[2], p->pid, p->name);
		arch_poweroff(0);
	}
	return -EINVAL;
}
