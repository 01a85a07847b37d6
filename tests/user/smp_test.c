/*
 * Threads of one process on several CPUs: one thread per CPU of the
 * affinity mask (at least two, time-sharing when there is one CPU), each
 * pinned with sched_setaffinity to its own CPU.
 *
 *   - getcpu reports the pinned CPU, also after sleeping and yielding, and
 *     sched_getaffinity reports the one-CPU mask;
 *   - each thread increments its own slots and a mutex-guarded shared
 *     counter: every final value is exact;
 *   - message passing round the ring of CPUs: each thread fills a buffer,
 *     publishes it, and checks its predecessor's (written on another CPU);
 *   - futex wait/wake ping-pong between the main thread and every worker,
 *     on private futex words;
 *   - moving another thread: the main thread re-pins a worker by its tid;
 *     the worker, spinning on getcpu, must arrive on the new CPU, and
 *     sched_getaffinity of its tid must report the new mask;
 *   - preemption: two threads pinned to one CPU spin, making no system
 *     call, until each has seen the other run: only the timer tick can
 *     switch between them (without it the test hangs and the harness's
 *     timeout reports it).
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/mutex.h>
#include <u/proc.h>
#include <u/sys.h>
#include <u/thread.h>

#define MAX_THREADS	16
#define SLOTS		8
#define INCREMENTS	20000
#define MSG_WORDS	512
#define MSG_ROUNDS	50
#define PINGS		100
#define LONG_BITS	(8 * sizeof(unsigned long))

static unsigned int cpus[MAX_THREADS];
static unsigned int ncpus, nthreads;
static unsigned int running;		/* threads the current phase started */

/* Threads start each phase together, or early ones finish alone. */
static int gate;

/* Pinning phase: 1 = right CPU throughout, else what went wrong. */
static int pin_result[MAX_THREADS];

/* Counting phase. */
static struct mutex counter_lock = MUTEX_INIT;
static unsigned long counter;		/* guarded by counter_lock */
static struct {
	unsigned long slot[SLOTS];
} __attribute__((aligned(64))) own[MAX_THREADS];

/* Message phase: buf[i] written by thread i, checked by thread i + 1. */
static unsigned long buf[MAX_THREADS][MSG_WORDS];
static int ready[MAX_THREADS];		/* round buf[i] holds */
static int acked[MAX_THREADS];		/* round i's successor has checked */
static int msg_bad[MAX_THREADS];

/* Ping-pong phase: odd = the worker's turn, even = the main thread's. */
static int turn[MAX_THREADS];
static int pong_bad[MAX_THREADS];

static unsigned int cpu_of(unsigned int i)
{
	return cpus[i % ncpus];
}

static void wait_gate(void)
{
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		sys_sched_yield();
}

/* Sleep while *w == @v, on a private futex. */
static void futex_wait_while(int *w, int v)
{
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) == v)
		sys_futex(w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, v, NULL);
}

static void futex_set(int *w, int v)
{
	__atomic_store_n(w, v, __ATOMIC_RELEASE);
	sys_futex(w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL);
}

static bool only_cpu(unsigned int cpu)
{
	unsigned long mask[PROC_MAX_CPUS / LONG_BITS] = { 0 };
	long r = sys_sched_getaffinity(0, sizeof(mask), mask);
	unsigned int set = 0;

	for (unsigned int c = 0; c < PROC_MAX_CPUS; c++)
		set += (mask[c / LONG_BITS] >> (c % LONG_BITS)) & 1;
	return r > 0 && set == 1 &&
	       ((mask[cpu / LONG_BITS] >> (cpu % LONG_BITS)) & 1);
}

static int pinned(void *arg)
{
	unsigned int i = (unsigned int)(long)arg, cpu = cpu_of(i);
	int r = 1;

	if (proc_pin(cpu) != 0)
		r = 2;
	else if (proc_cpu() != (long)cpu)
		r = 3;
	else if (!only_cpu(cpu))
		r = 4;
	wait_gate();
	for (int k = 0; r == 1 && k < 20; k++) {
		if (k % 4 == 0)
			proc_sleep_ms(1);
		else
			sys_sched_yield();
		if (proc_cpu() != (long)cpu)
			r = 5;
	}
	pin_result[i] = r;
	return 0;
}

static int counting(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;

	proc_pin(cpu_of(i));
	wait_gate();
	for (int n = 0; n < INCREMENTS; n++) {
		for (int k = 0; k < SLOTS; k++)
			own[i].slot[k]++;
		mutex_lock(&counter_lock);
		counter = counter + 1;
		mutex_unlock(&counter_lock);
	}
	return 0;
}

static int messages(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;
	unsigned int pred;

	proc_pin(cpu_of(i));
	wait_gate();
	pred = (i + running - 1) % running;
	for (int round = 1; round <= MSG_ROUNDS; round++) {
		/* The successor must be done with the previous round. */
		while (__atomic_load_n(&acked[i], __ATOMIC_ACQUIRE) !=
		       round - 1)
			sys_sched_yield();
		for (int k = 0; k < MSG_WORDS; k++)
			buf[i][k] = ((unsigned long)i << 24) ^
				    ((unsigned long)round << 12) ^ (unsigned)k;
		__atomic_store_n(&ready[i], round, __ATOMIC_RELEASE);
		while (__atomic_load_n(&ready[pred], __ATOMIC_ACQUIRE) != round)
			sys_sched_yield();
		for (int k = 0; k < MSG_WORDS; k++)
			if (buf[pred][k] != (((unsigned long)pred << 24) ^
					     ((unsigned long)round << 12) ^
					     (unsigned)k))
				msg_bad[i]++;
		__atomic_store_n(&acked[pred], round, __ATOMIC_RELEASE);
	}
	return 0;
}

static int ponger(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;

	proc_pin(cpu_of(i));
	for (int r = 0; r < PINGS; r++) {
		futex_wait_while(&turn[i], 2 * r);
		if (__atomic_load_n(&turn[i], __ATOMIC_ACQUIRE) != 2 * r + 1)
			pong_bad[i]++;
		futex_set(&turn[i], 2 * r + 2);
	}
	return 0;
}

/* Start nthreads of @fn, open the gate, join; returns threads joined. */
static unsigned int run_phase(int (*fn)(void *), void (*main_part)(void))
{
	struct thread *t[MAX_THREADS];
	unsigned int started = 0, joined = 0;

	__atomic_store_n(&gate, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < nthreads; i++) {
		if (thread_create(&t[started], 0, fn, (void *)(long)i) != 0)
			break;
		started++;
	}
	running = started;
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	if (main_part)
		main_part();
	for (unsigned int i = 0; i < started; i++)
		joined += thread_join(t[i], NULL) == 0;
	if (started != nthreads)
		ktap_diag("started %u of %u threads", started, nthreads);
	return started == nthreads ? joined : 0;
}

static void check_pinning(void)
{
	unsigned int good = 0;

	run_phase(pinned, NULL);
	for (unsigned int i = 0; i < nthreads; i++) {
		if (pin_result[i] != 1)
			ktap_diag("thread %u (cpu %u): %s", i, cpu_of(i),
				  pin_result[i] == 2 ? "setaffinity failed" :
				  pin_result[i] == 3 ? "getcpu differs" :
				  pin_result[i] == 4 ? "getaffinity differs" :
				  pin_result[i] == 5 ? "moved after sleeping" :
				  "did not run");
		good += pin_result[i] == 1;
	}
	ktap_eq(good, nthreads, "threads_pinned_getcpu_matches");
}

static void check_counting(void)
{
	unsigned int joined = run_phase(counting, NULL), wrong = 0;

	for (unsigned int i = 0; i < nthreads; i++)
		for (int k = 0; k < SLOTS; k++)
			wrong += own[i].slot[k] != INCREMENTS;
	ktap_ok(joined == nthreads && wrong == 0, "own_slots_exact");
	ktap_eq((long long)counter, (long long)nthreads * INCREMENTS,
		"mutex_counter_exact");
}

static void check_messages(void)
{
	unsigned int joined = run_phase(messages, NULL);
	long bad = 0;

	for (unsigned int i = 0; i < nthreads; i++)
		bad += msg_bad[i];
	if (bad)
		ktap_diag("%ld words differed from what was stored", bad);
	ktap_ok(joined == nthreads && bad == 0, "message_ring_%d_rounds",
		MSG_ROUNDS);
}

static void ping_all(void)
{
	for (int r = 0; r < PINGS; r++) {
		for (unsigned int i = 0; i < running; i++)
			futex_set(&turn[i], 2 * r + 1);
		for (unsigned int i = 0; i < running; i++) {
			futex_wait_while(&turn[i], 2 * r + 1);
			if (__atomic_load_n(&turn[i], __ATOMIC_ACQUIRE) !=
			    2 * r + 2)
				pong_bad[i]++;
		}
	}
}

/* Moving phase: the worker spins until getcpu says it reached @target. */
static int move_target = -1;
static int move_ready, move_arrived;

static int mover(void *arg)
{
	long long end = proc_now_ns() + 20LL * 1000 * 1000 * 1000;

	(void)arg;
	if (proc_pin(cpus[0]) != 0)
		return 1;
	/* Pinned: from now on only the main thread changes the pin. */
	__atomic_store_n(&move_ready, 1, __ATOMIC_RELEASE);
	while (proc_now_ns() < end) {
		int want = __atomic_load_n(&move_target, __ATOMIC_ACQUIRE);

		if (want >= 0 && proc_cpu() == want) {
			__atomic_store_n(&move_arrived, 1, __ATOMIC_RELEASE);
			return 0;
		}
	}
	return 2;
}

static void check_move_other(void)
{
	unsigned long mask[MAX_THREADS / LONG_BITS + 1] = { 0 }, got[4];
	unsigned int target = cpus[ncpus - 1];
	struct thread *t;
	int r = -1, tid;
	long set, get;

	if (thread_create(&t, 0, mover, NULL) != 0)
		ktap_bail("thread_create failed");
	while (!(tid = thread_tid(t)) ||
	       !__atomic_load_n(&move_ready, __ATOMIC_ACQUIRE))
		sys_sched_yield();
	mask[target / LONG_BITS] |= 1UL << (target % LONG_BITS);
	set = sys_sched_setaffinity(tid, sizeof(mask), mask);
	get = sys_sched_getaffinity(tid, sizeof(got), got);
	__atomic_store_n(&move_target, (int)target, __ATOMIC_RELEASE);
	thread_join(t, &r);
	ktap_ok(set == 0 && r == 0 && move_arrived, "setaffinity_moves_other_thread");
	ktap_ok(get > 0 && got[0] == mask[0], "getaffinity_of_other_thread");
}

/* Preemption phase: how far each spinner got while the other ran. */
static unsigned long spins[2];

static int spinner(void *arg)
{
	unsigned int me = (unsigned int)(long)arg, other = !me;
	unsigned long seen;

	if (proc_pin(cpus[0]) != 0)
		return 1;
	/* Count until the other thread has counted since we started: no
	 * system call here, so only a tick can give it the CPU. */
	seen = __atomic_load_n(&spins[other], __ATOMIC_RELAXED);
	while (__atomic_load_n(&spins[other], __ATOMIC_RELAXED) < seen + 1000)
		__atomic_add_fetch(&spins[me], 1, __ATOMIC_RELAXED);
	/* Keep counting a little so the other one can finish too. */
	for (int i = 0; i < 1000; i++)
		__atomic_add_fetch(&spins[me], 1, __ATOMIC_RELAXED);
	return 0;
}

static void check_preemption(void)
{
	struct thread *t[2];
	int started = 0, ok = 0, r;

	for (long i = 0; i < 2; i++)
		started += thread_create(&t[i], 0, spinner, (void *)i) == 0;
	for (int i = 0; i < started; i++)
		ok += thread_join(t[i], &r) == 0 && r == 0;
	ktap_ok(started == 2 && ok == 2,
		"spinners_on_one_cpu_both_progress");
}

static void check_ping_pong(void)
{
	unsigned int joined = run_phase(ponger, ping_all);
	int bad = 0, at_end = 0;

	for (unsigned int i = 0; i < nthreads; i++) {
		bad += pong_bad[i];
		at_end += turn[i] == 2 * PINGS;
	}
	ktap_ok(joined == nthreads && bad == 0 && at_end == (int)nthreads,
		"futex_ping_pong_%d_rounds", PINGS);
}

int main(void)
{
	int n = proc_cpus(cpus, MAX_THREADS);

	ktap_plan(8);
	if (n < 1)
		ktap_bail("sched_getaffinity failed: %d", n);
	ncpus = (unsigned int)n;
	nthreads = ncpus < 2 ? 2 : ncpus;
	ktap_diag("%u CPUs, %u threads%s", ncpus, nthreads,
		  ncpus < 2 ? " (time-sharing one CPU)" : "");
	check_pinning();
	check_counting();
	check_messages();
	check_ping_pong();
	check_move_other();
	check_preemption();
	return ktap_finish();
}
