/*
 * Samples of one case and their order statistics. The array is mapped and
 * touched before the timed loop starts, so recording a sample never takes
 * a page fault that would land in the next measurement.
 */
#include <u/errno.h>
#include <u/string.h>
#include <u/sys.h>

#include "bench.h"

int bench_samples_init(struct bench_samples *s)
{
	size_t len = BENCH_MAX_SAMPLES * sizeof(uint64_t);
	long p = sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (sys_err(p))
		return -ENOMEM;
	s->t = (uint64_t *)p;
	memset(s->t, 0, len);
	s->n = 0;
	s->sum = 0;
	return 0;
}

void bench_samples_add(struct bench_samples *s, uint64_t ticks)
{
	if (s->n < BENCH_MAX_SAMPLES)
		s->t[s->n++] = ticks;
	s->sum += ticks;
}

bool bench_samples_more(const struct bench_samples *s, unsigned int max)
{
	if (max > bench_opts.max_iters)
		max = bench_opts.max_iters;
	if (max > BENCH_MAX_SAMPLES)
		max = BENCH_MAX_SAMPLES;
	if (s->n >= max)
		return false;
	if (s->n < bench_opts.min_iters)
		return true;
	return bench_ticks_to_ns(s->sum) < bench_opts.budget_ns;
}

/* Restore the max-heap property below @i of @t[0..n). */
static void sift_down(uint64_t *t, unsigned int i, unsigned int n)
{
	for (;;) {
		unsigned int big = i, l = 2 * i + 1, r = l + 1;
		uint64_t x;

		if (l < n && t[l] > t[big])
			big = l;
		if (r < n && t[r] > t[big])
			big = r;
		if (big == i)
			return;
		x = t[i];
		t[i] = t[big];
		t[big] = x;
		i = big;
	}
}

/* Heapsort: O(n log n) with no extra memory and no recursion. */
void bench_sort(uint64_t *t, unsigned int n)
{
	for (unsigned int i = n / 2; i-- > 0;)
		sift_down(t, i, n);
	for (unsigned int end = n; end-- > 1;) {
		uint64_t x = t[0];

		t[0] = t[end];
		t[end] = x;
		sift_down(t, 0, end);
	}
}

/* The @pct-th percentile of sorted @t[0..n) (nearest rank), in ticks. */
uint64_t bench_percentile(const uint64_t *t, unsigned int n, unsigned int pct)
{
	unsigned int rank;

	if (n == 0)
		return 0;
	/* Nearest rank: the smallest value with pct% of samples at or
	 * below it. */
	rank = (unsigned int)(((unsigned long long)n * pct + 99) / 100);
	return t[rank ? rank - 1 : 0];
}
