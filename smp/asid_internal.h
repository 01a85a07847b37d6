/*
 * What smp/asid*.c share: the per-CPU slot tables. Each CPU reads and
 * writes only its own, with interrupts off; the global allocator's
 * per-CPU words (active, reserved, flush_pending) are the exception and
 * say how they are shared.
 */
#ifndef SMP_ASID_INTERNAL_H
#define SMP_ASID_INTERNAL_H

#include <kern/compiler.h>
#include <smp/asid.h>
#include <smp/cpuset.h>

struct asid_cpu {
	struct asid_slot slot[ASID_SLOTS];
	unsigned int nslots;	/* in use: 1 untagged, else <= ASID_SLOTS */
	unsigned int clock;	/* LRU clock, bumped per activation */
	/* Global mode. active: the id (generation | tag) this CPU runs, 0
	 * once a rollover took it away (then reserved holds it); atomic,
	 * swapped by the rolling CPU. reserved and flush_pending: under the
	 * allocator's lock. */
	uint64_t active __aligned(8);
	uint64_t reserved __aligned(8);
	bool flush_pending;
} __aligned(64);

extern struct asid_cpu asid_cpus[MAX_CPUS];

/* @space's slot on @cpu, or NULL. */
struct asid_slot *asid_slot_find(unsigned int cpu, uint64_t space);

/* An empty slot of @cpu, else its least recently used one (counted as an
 * eviction when tagged). The caller refills it. */
struct asid_slot *asid_slot_lru(unsigned int cpu);

/* Forget every slot of @cpu (after it flushed its whole TLB). */
void asid_slots_clear(unsigned int cpu);

#endif
