/*
 * A program written against an ordinary libc (musl, linked statically by
 * the system's musl-gcc), not against user/: it stands for the static
 * Linux binaries people bring, built with another compiler, linker and
 * libc. It needs what such libcs call at start-up and in stdio
 * (arch_prctl or TPIDR_EL0 for TLS, set_tid_address, ioctl on stdout,
 * writev, rt_sigprocmask) besides the calls it makes itself. Its TAP
 * results must be the same here and on Linux.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS		4
#define INCREMENTS	10000

static int n;

static void result(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++n, name);
}

static int mmap_touch_munmap(void)
{
	size_t len = 1 << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || p[4096] != 0)
		return 0;
	memset(p, 7, len);
	return p[12345] == 7 && munmap(p, len) == 0;
}

static int malloc_free(void)
{
	char *big = malloc(300000), *small = malloc(24);
	int ok = big && small;

	if (ok) {
		big[299999] = 1;
		strcpy(small, "musl");
		ok = big[299999] == 1 && strcmp(small, "musl") == 0;
	}
	free(big);
	free(small);
	return ok;
}

static int fork_waitpid(void)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);		/* the child must not print our buffer too */
	pid = fork();
	if (pid == 0)
		_exit(7);
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 7;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long tls_word;

static void *worker(void *arg)
{
	tls_word = (long)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	/* Thread-local storage stayed this thread's own throughout. */
	return (void *)(long)(tls_word == (long)arg);
}

static int pthreads_mutex_tls(void)
{
	pthread_t t[THREADS];
	int ok = 1;
	void *r;

	tls_word = -1;
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
			return 0;
	for (int i = 0; i < THREADS; i++)
		ok &= pthread_join(t[i], &r) == 0 && r == (void *)1;
	return ok && counter == THREADS * INCREMENTS && tls_word == -1;
}

static int nanosleep_10ms(void)
{
	struct timespec t0, t1, nap = { 0, 10 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000000000L +
	       (t1.tv_nsec - t0.tv_nsec) >= 10000000L;
}

int main(void)
{
	printf("KTAP version 1\n1..5\n");
	result(mmap_touch_munmap(), "mmap_touch_munmap");
	result(malloc_free(), "malloc_free");
	result(fork_waitpid(), "fork_waitpid");
	result(pthreads_mutex_tls(), "pthreads_mutex_tls");
	result(nanosleep_10ms(), "nanosleep_10ms");
	return 0;
}
