/*
 * Threads on clone + futex: futex wait/wake semantics, create and join
 * with mapped and caller-provided stacks, thread identity, a mutex-guarded
 * counter that must come out exact, the guard page, and the error paths of
 * thread_create (bad arguments, a stack mapping that fails).
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/mutex.h>
#include <u/sys.h>
#include <u/thread.h>

#define WORKERS		4
#define INCREMENTS	100000
#define OWN_STACK	(16 * 1024)

static struct mutex counter_lock = MUTEX_INIT;
static unsigned long counter;		/* guarded by counter_lock */
static int start_gate;			/* workers spin until it is 1 */
static char own_stack[OWN_STACK] __attribute__((aligned(16)));

static int add_one(void *arg)
{
	return (int)(long)arg + 1;
}

/* Result: 1 if the thread has its own tid in the caller's process. */
static int check_identity(void *main_tid)
{
	return sys_gettid() != (long)main_tid && sys_getpid() == (long)main_tid;
}

/* Result: 1 if a local of the thread lies inside own_stack. */
static int on_own_stack(void *unused)
{
	volatile char here;

	return (char *)&here >= own_stack &&
	       (char *)&here < own_stack + OWN_STACK;
}

static int worker(void *unused)
{
	/* Start together, or early workers finish before late ones begin. */
	while (!__atomic_load_n(&start_gate, __ATOMIC_ACQUIRE))
		sys_sched_yield();
	for (int i = 0; i < INCREMENTS; i++) {
		mutex_lock(&counter_lock);
		/* A plain read-modify-write: only the mutex makes it exact. */
		counter = counter + 1;
		mutex_unlock(&counter_lock);
	}
	return 0;
}

static int recurse(int depth)
{
	volatile char frame[1024];
	int r;

	frame[0] = (char)depth;
	r = depth ? recurse(depth - 1) : 0;
	/* Keep every frame live past the call: no loop, no tail call. */
	__asm__ volatile("" : : "r"(frame) : "memory");
	return r + frame[0];
}

static int overflow(void *unused)
{
	return recurse(256);	/* 256 KiB of frames on a 16 KiB stack */
}

static void check_futex(void)
{
	int word = 1;
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	ktap_eq(sys_futex(&word, FUTEX_WAIT, 2, NULL), -EAGAIN,
		"futex_wait_value_differs");
	ktap_eq(sys_futex(&word, FUTEX_WAIT, 1, &ts), -ETIMEDOUT,
		"futex_wait_times_out");
	ktap_eq(sys_futex(&word, FUTEX_WAKE, 1, NULL), 0,
		"futex_wake_nobody");
}

static void check_create_join(void)
{
	struct thread *t = NULL;
	int res = -1, r;

	r = thread_create(&t, 0, add_one, (void *)41L);
	ktap_ok(r == 0 && thread_join(t, &res) == 0 && res == 42,
		"create_join_result");
	res = -1;
	r = thread_create(&t, 0, check_identity, (void *)sys_gettid());
	ktap_ok(r == 0 && thread_join(t, &res) == 0 && res == 1,
		"thread_own_tid_same_pid");
	res = -1;
	r = thread_create_on(&t, own_stack, sizeof(own_stack), on_own_stack,
			     NULL);
	ktap_ok(r == 0 && thread_join(t, &res) == 0 && res == 1,
		"caller_provided_stack");
}

static void check_counter(void)
{
	struct thread *t[WORKERS];
	int started = 0, joined = 0;

	for (int i = 0; i < WORKERS; i++)
		started += thread_create(&t[i], 0, worker, NULL) == 0;
	__atomic_store_n(&start_gate, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < started; i++)
		joined += thread_join(t[i], NULL) == 0;
	ktap_ok(started == WORKERS && joined == WORKERS,
		"threads_started_and_joined");
	ktap_eq((long long)counter, (long long)WORKERS * INCREMENTS,
		"mutex_counter_exact");
}

/* A thread overflowing its stack must hit the guard page: SIGSEGV. */
static void check_guard(void)
{
	long pid = sys_fork();
	int status = -1;

	if (pid == 0) {
		struct thread *t;

		if (thread_create(&t, 16 * 1024, overflow, NULL) == 0)
			thread_join(t, NULL);
		sys_exit_group(0);
	}
	if (pid > 0)
		sys_wait4((int)pid, &status, 0);
	ktap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		"stack_overflow_hits_guard");
}

static void check_errors(void)
{
	struct thread *t = NULL;
	int res = -1;

	ktap_eq(thread_create(&t, 0, NULL, NULL), -EINVAL, "create_null_fn");
	ktap_eq(thread_create(&t, THREAD_STACK_MAX + 1, add_one, NULL),
		-EINVAL, "create_stack_too_big");
	ktap_eq(thread_create_on(&t, own_stack, THREAD_STACK_MIN - 1, add_one,
				 NULL), -EINVAL, "create_on_stack_too_small");
	ktap_eq(thread_join(NULL, NULL), -EINVAL, "join_null");
	thread_fault_inject_nth(1);
	ktap_ok(thread_create(&t, 0, add_one, NULL) == -ENOMEM && t == NULL,
		"create_stack_map_fails_enomem");
	ktap_ok(thread_create(&t, 0, add_one, (void *)1L) == 0 &&
		thread_join(t, &res) == 0 && res == 2,
		"create_after_injected_failure");
}

int main(void)
{
	ktap_plan(15);
	check_futex();
	check_create_join();
	check_counter();
	check_guard();
	check_errors();
	return ktap_finish();
}
