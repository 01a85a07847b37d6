/*
 * Helpers for test programs that fork, pin threads and wait: small
 * wrappers over <u/sys.h> that every multi-process or multi-CPU test
 * otherwise writes again.
 */
#ifndef U_PROC_H
#define U_PROC_H

#include <stdbool.h>

/* Most CPUs proc_cpus() reports (the affinity mask it reads is this big). */
#define PROC_MAX_CPUS	1024

/*
 * fork; the child runs fn(arg) and exits the whole process with its
 * result. Returns the child's pid, or fork's -errno.
 */
long proc_spawn(int (*fn)(long), long arg);

/*
 * Wait for child @pid; returns its wait status (>= 0) or wait4's -errno.
 * A negative @pid (proc_spawn's error) is returned unchanged.
 */
long proc_reap(long pid);

/* Did wait status @status (or -errno) come from exit(@code)? */
bool proc_exited_with(long status, int code);

/* Did wait status @status (or -errno) come from death by signal @sig? */
bool proc_killed_by(long status, int sig);

/*
 * Store up to @max CPU numbers of the calling thread's affinity mask in
 * @cpus, lowest first; returns how many there are (at most @max), or
 * sched_getaffinity's -errno.
 */
int proc_cpus(unsigned int *cpus, unsigned int max);

/* Restrict the calling thread to @cpu; returns 0 or -errno. */
long proc_pin(unsigned int cpu);

/* The CPU the calling thread runs on (getcpu), or -errno. */
long proc_cpu(void);

/* CLOCK_MONOTONIC in nanoseconds (0 if the clock fails). */
long long proc_now_ns(void);

/* Sleep @ms milliseconds; returns nanosleep's result. */
long proc_sleep_ms(long ms);

#endif
