/*
 * Process, CPU and time helpers for test programs (see <u/proc.h>).
 */
#include <u/errno.h>
#include <u/proc.h>
#include <u/sys.h>

#define LONG_BITS	(8 * sizeof(unsigned long))

long proc_spawn(int (*fn)(long), long arg)
{
	long pid = sys_fork();

	if (pid == 0)
		sys_exit_group(fn(arg));
	return pid;
}

long proc_reap(long pid)
{
	int status = -1;
	long r;

	if (pid < 0)
		return pid;
	r = sys_wait4((int)pid, &status, 0);
	if (r < 0)
		return r;
	return r == pid ? status : -ECHILD;
}

bool proc_exited_with(long status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

bool proc_killed_by(long status, int sig)
{
	return status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

int proc_cpus(unsigned int *cpus, unsigned int max)
{
	unsigned long mask[PROC_MAX_CPUS / LONG_BITS] = { 0 };
	long r = sys_sched_getaffinity(0, sizeof(mask), mask);
	unsigned int n = 0;

	if (r < 0)
		return (int)r;
	for (unsigned int c = 0; c < PROC_MAX_CPUS && n < max; c++)
		if ((mask[c / LONG_BITS] >> (c % LONG_BITS)) & 1)
			cpus[n++] = c;
	return (int)n;
}

long proc_pin(unsigned int cpu)
{
	unsigned long mask[PROC_MAX_CPUS / LONG_BITS] = { 0 };

	if (cpu >= PROC_MAX_CPUS)
		return -EINVAL;
	mask[cpu / LONG_BITS] = 1UL << (cpu % LONG_BITS);
	return sys_sched_setaffinity(0, sizeof(mask), mask);
}

long proc_cpu(void)
{
	unsigned int cpu = ~0u;
	long r = sys_getcpu(&cpu, NULL);

	return r < 0 ? r : (long)cpu;
}

long long proc_now_ns(void)
{
	struct timespec ts;

	if (sys_clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long proc_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return sys_nanosleep(&ts, NULL);
}
