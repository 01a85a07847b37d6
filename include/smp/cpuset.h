/*
 * cpuset: a fixed-size bitmap of CPU indices (0 .. MAX_CPUS-1).
 * The plain operations are for sets private to one CPU; the _atomic ones
 * for sets that several CPUs update at once (e.g. "CPUs running this
 * address space").
 */
#ifndef SMP_CPUSET_H
#define SMP_CPUSET_H

#include <kern/types.h>

#define MAX_CPUS	256
#define CPUSET_BITS_PER_WORD	(8 * sizeof(unsigned long))
#define CPUSET_WORDS	(MAX_CPUS / CPUSET_BITS_PER_WORD)

struct cpuset {
	unsigned long bits[CPUSET_WORDS];
};

#define CPUSET_WORD(cpu)	((cpu) / CPUSET_BITS_PER_WORD)
#define CPUSET_MASK(cpu)	(1UL << ((cpu) % CPUSET_BITS_PER_WORD))

static inline void cpuset_zero(struct cpuset *s)
{
	for (unsigned int i = 0; i < CPUSET_WORDS; i++)
		s->bits[i] = 0;
}

static inline void cpuset_set(struct cpuset *s, unsigned int cpu)
{
	s->bits[CPUSET_WORD(cpu)] |= CPUSET_MASK(cpu);
}

static inline void cpuset_clear(struct cpuset *s, unsigned int cpu)
{
	s->bits[CPUSET_WORD(cpu)] &= ~CPUSET_MASK(cpu);
}

static inline bool cpuset_test(const struct cpuset *s, unsigned int cpu)
{
	return (s->bits[CPUSET_WORD(cpu)] & CPUSET_MASK(cpu)) != 0;
}

/* Relaxed atomics: callers that need ordering add their own barrier. */
static inline void cpuset_set_atomic(struct cpuset *s, unsigned int cpu)
{
	__atomic_fetch_or(&s->bits[CPUSET_WORD(cpu)], CPUSET_MASK(cpu),
			  __ATOMIC_RELAXED);
}

static inline void cpuset_clear_atomic(struct cpuset *s, unsigned int cpu)
{
	__atomic_fetch_and(&s->bits[CPUSET_WORD(cpu)], ~CPUSET_MASK(cpu),
			   __ATOMIC_RELAXED);
}

static inline bool cpuset_empty(const struct cpuset *s)
{
	for (unsigned int i = 0; i < CPUSET_WORDS; i++)
		if (s->bits[i])
			return false;
	return true;
}

/* @dst = @a & @b, each word of @b read once (it may be changing). */
static inline void cpuset_and(struct cpuset *dst, const struct cpuset *a,
			      const struct cpuset *b)
{
	for (unsigned int i = 0; i < CPUSET_WORDS; i++)
		dst->bits[i] = a->bits[i] &
			       __atomic_load_n(&b->bits[i], __ATOMIC_ACQUIRE);
}

static inline unsigned int cpuset_count(const struct cpuset *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < CPUSET_WORDS; i++)
		n += (unsigned int)__builtin_popcountl(s->bits[i]);
	return n;
}

/* Smallest member >= @from, or MAX_CPUS if there is none. */
static inline unsigned int cpuset_next(const struct cpuset *s,
				       unsigned int from)
{
	for (unsigned int cpu = from; cpu < MAX_CPUS; cpu++) {
		unsigned long w = s->bits[CPUSET_WORD(cpu)] >>
				  (cpu % CPUSET_BITS_PER_WORD);

		if (w)
			return cpu + (unsigned int)__builtin_ctzl(w);
		cpu |= CPUSET_BITS_PER_WORD - 1;	/* skip to next word */
	}
	return MAX_CPUS;
}

#define for_each_cpu_in(cpu, set)					\
	for ((cpu) = cpuset_next((set), 0); (cpu) < MAX_CPUS;		\
	     (cpu) = cpuset_next((set), (cpu) + 1))

#endif
