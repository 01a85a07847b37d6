/*
 * fork as clone(SIGCHLD) and wait4: exit statuses, death by signal,
 * copy-on-write privacy of stack, data and private mappings, shared
 * anonymous mappings, WNOHANG, and reaping several children.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/sys.h>

#define CHILDREN	8

static int data_word = 7;	/* .data: copied, not shared, by fork */

/* fork, run @fn(@arg) in the child and exit with its result. */
static long spawn(int (*fn)(long), long arg)
{
	long pid = sys_fork();

	if (pid == 0)
		sys_exit_group(fn(arg));
	return pid;
}

/* Reap @pid; returns its wait status, or -errno. */
static long reap(long pid)
{
	int status = -1;
	long r = sys_wait4((int)pid, &status, 0);

	return r == pid ? status : (r < 0 ? r : -ECHILD);
}

static int exit_with(long code)
{
	return (int)code;
}

static int pid_differs(long parent)
{
	return sys_getpid() != parent && sys_gettid() == sys_getpid() ? 3 : 4;
}

/* Report what the child saw of @p, then scribble over it. */
static int see_and_write(long p)
{
	volatile int *w = (volatile int *)p;
	int seen = *w;

	*w = 99;
	return seen;
}

static int write_at(long addr)
{
	*(volatile int *)(uintptr_t)addr = 1;
	return 0;
}

static int nap_then_exit(long code)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	sys_nanosleep(&ts, NULL);
	return (int)code;
}

static bool exited_with(long status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void check_basics(void)
{
	long pid = spawn(exit_with, 42), st = reap(pid);

	ktap_ok(pid > 0 && exited_with(st, 42), "fork_exit_status_42");
	ktap_ok(exited_with(reap(spawn(pid_differs, sys_getpid())), 3),
		"child_has_own_pid");
	st = reap(spawn(write_at, 0));
	ktap_ok(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		"child_killed_by_sigsegv");
	ktap_eq(sys_wait4(-1, NULL, 0), -ECHILD, "wait4_no_children");
}

static void check_memory(void)
{
	volatile int stack_word = 5;
	long m = sys_mmap(NULL, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long s = sys_mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *priv = (volatile int *)m, *shared = (volatile int *)s;

	if (sys_err(m) || sys_err(s))
		ktap_bail("mmap failed: %ld %ld", m, s);
	*priv = 11;
	*shared = 13;
	ktap_ok(exited_with(reap(spawn(see_and_write, (long)&stack_word)), 5) &&
		stack_word == 5, "cow_stack");
	ktap_ok(exited_with(reap(spawn(see_and_write, (long)&data_word)), 7) &&
		data_word == 7, "cow_data");
	ktap_ok(exited_with(reap(spawn(see_and_write, m)), 11) && *priv == 11,
		"cow_private_mapping");
	ktap_ok(exited_with(reap(spawn(see_and_write, s)), 13) && *shared == 99,
		"shared_mapping_shared");
	sys_munmap((void *)m, 2 * PAGE_SIZE);
	sys_munmap((void *)s, PAGE_SIZE);
}

static void check_waiting(void)
{
	long pid = spawn(nap_then_exit, 9), early, st;
	int seen = 0, sum = 0;

	early = sys_wait4((int)pid, NULL, WNOHANG);
	st = reap(pid);
	ktap_ok(pid > 0 && early == 0 && exited_with(st, 9), "wait4_wnohang");
	for (int i = 1; i <= CHILDREN; i++)
		spawn(exit_with, i);
	for (int i = 0; i < CHILDREN; i++) {
		int status = -1;

		if (sys_wait4(-1, &status, 0) > 0 && WIFEXITED(status)) {
			seen++;
			sum += WEXITSTATUS(status);
		}
	}
	ktap_ok(seen == CHILDREN && sum == CHILDREN * (CHILDREN + 1) / 2,
		"reap_%d_children", CHILDREN);
}

int main(void)
{
	ktap_plan(10);
	check_basics();
	check_memory();
	check_waiting();
	return ktap_finish();
}
