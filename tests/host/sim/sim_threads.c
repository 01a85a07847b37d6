/*
 * Simulated CPUs as host threads (libc side, like host_arch.c): CPU 0 is
 * the calling thread, CPUs 1..n-1 are new threads, each set to its CPU
 * number before it runs the workload.
 */
#include <pthread.h>
#include <stdlib.h>

#include <sim/sim.h>

struct cpu_thread {
	pthread_t tid;
	unsigned int cpu;
	void (*fn)(unsigned int cpu, void *arg);
	void *arg;
};

static void *cpu_main(void *p)
{
	struct cpu_thread *t = p;

	host_cpu_set(t->cpu);
	t->fn(t->cpu, t->arg);
	return NULL;
}

void sim_run_cpus(unsigned int n, void (*fn)(unsigned int cpu, void *arg),
		  void *arg)
{
	struct cpu_thread t[SIM_CPUS];

	if (n == 0 || n > SIM_CPUS)
		abort();
	for (unsigned int i = 1; i < n; i++) {
		t[i] = (struct cpu_thread){ .cpu = i, .fn = fn, .arg = arg };
		if (pthread_create(&t[i].tid, NULL, cpu_main, &t[i]) != 0)
			abort();
	}
	host_cpu_set(0);
	fn(0, arg);
	for (unsigned int i = 1; i < n; i++)
		pthread_join(t[i].tid, NULL);
	host_cpu_set(0);
}
