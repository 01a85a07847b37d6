/*
 * ASIDs / PCIDs: which tag a CPU loads an address space under, and what
 * that CPU's TLB may still hold under it. One interface, three modes,
 * chosen once at boot (tlb_init) from <machine/mmu.h> and tlb.asid:
 *
 *   untagged  every space is tag 0; one slot per CPU, so loading another
 *             space always flushes (i686, x86_64 without PCID, tlb.asid=0)
 *   per-CPU   (asid_percpu.c, x86 PCID style) tags are per-CPU names: a
 *             few slots per CPU, slot i is tag i + 1, LRU eviction; a
 *             space that gets a slot reuses its tag with a flush
 *   global    (asid_global.c, arm64 style) tags are global names, as a
 *             broadcast TLBI by ASID needs: a bitmap of 2^bits tags and a
 *             generation in the bits above; when the bitmap is full the
 *             generation rolls over, the tags the CPUs run now stay
 *             reserved, and every CPU flushes its whole TLB before it
 *             loads a tag of the new generation (no IPIs)
 *
 * Either way each CPU keeps ASID_SLOTS slots {space id, flushed
 * generation, tag}: the slot of the space a CPU loads says how far that
 * CPU's TLB is clean for it, so a CPU that was not running a space needs
 * no IPI when it changes; activating it catches up by generation
 * (tlb_switch.c owns flushed_gen; this layer only hands out the slot).
 * Space ids are never reused, so the slot of a dead space can never hit
 * again: it is recycled by LRU, no eviction pass is needed.
 */
#ifndef SMP_ASID_H
#define SMP_ASID_H

#include <kern/types.h>

struct tlb_space;

#define ASID_SLOTS	6	/* per CPU; Linux x86 keeps 6 dynamic PCIDs */

enum asid_mode {
	ASID_UNTAGGED,
	ASID_PER_CPU,
	ASID_GLOBAL,
};

/* One CPU's record of one address space. */
struct asid_slot {
	uint64_t space;		/* tlb_space.id; 0: empty */
	uint64_t flushed_gen;	/* the CPU holds nothing of space older */
	unsigned int tag;	/* what it was loaded under */
	unsigned int used;	/* LRU clock value of the last activation */
};

/* What asid_activate decided for this CPU. */
struct asid_pick {
	struct asid_slot *slot;	/* @sp's slot (flushed_gen: caller's) */
	bool flush_tag;		/* the tag may hold another space's entries */
	bool flush_all;		/* after a rollover: flush everything first */
};

/*
 * Choose @mode with tags @bits wide (ignored untagged) for @ncpus CPUs.
 * Returns the width in force, which for the global mode is raised so
 * that every CPU can keep a reserved tag across a rollover and one is
 * still free (2^bits >= ncpus + 2); @why then says so.
 * Locking: boot CPU, before the other CPUs switch address spaces (the
 * host suites call it between their runs). TLB: none; every slot and tag
 * is forgotten, so no CPU may have a user space loaded.
 */
unsigned int asid_setup(enum asid_mode mode, unsigned int bits,
			unsigned int ncpus, const char **why);

/* The mode and width in force ("untagged", "per-CPU", "global").
 * Locking: none (set once at boot). TLB: none. */
enum asid_mode asid_mode(void);
const char *asid_mode_name(void);
unsigned int asid_bits(void);

/*
 * CPU @cpu (the caller's) is about to load @sp: give it a tag and the
 * slot that records how far this CPU flushed @sp. A new slot starts with
 * flushed_gen 0 and flush_tag set. With flush_all set the caller must
 * flush its whole TLB before loading the tag; this CPU's other slots are
 * then empty. Locking: interrupts off (the global mode takes its lock on
 * the slow path). TLB: none itself; the caller flushes as told.
 */
void asid_activate(unsigned int cpu, struct tlb_space *sp,
		   struct asid_pick *out);

/*
 * The tag under which CPU @cpu (the caller's) may hold entries of @sp,
 * for a local flush of a space it may not have loaded: its slot's tag, or
 * for the global mode @sp's tag; 0 if @cpu has no slot for it in the
 * per-CPU mode (a flush of tag 0 then drops nothing of @sp's, which is
 * right: it holds none). Locking: interrupts off.
 */
unsigned int asid_tag_here(unsigned int cpu, const struct tlb_space *sp);

/* --- The allocators (asid.c dispatches; not for other callers) -------
 * Each _setup has asid_setup's contract for its mode, each _activate
 * asid_activate's; asid_global_tag is asid_tag_here for the global mode. */

void asid_percpu_setup(unsigned int nslots, unsigned int first_tag);
void asid_percpu_activate(unsigned int cpu, struct tlb_space *sp,
			  struct asid_pick *out);

void asid_global_setup(unsigned int bits, unsigned int ncpus);
void asid_global_activate(unsigned int cpu, struct tlb_space *sp,
			  struct asid_pick *out);
unsigned int asid_global_tag(const struct tlb_space *sp);

/*
 * Keep every space's global tag as it is until asid_global_release: for
 * a broadcast TLBI by the tag of a space this CPU does not run (a space
 * this CPU runs keeps its tag across rollovers anyway). Without it a CPU
 * could give the space a new tag and cache entries under it between the
 * initiator's read of the old tag and its TLBI. Locking: interrupts off;
 * takes the allocator's lock. TLB: none.
 */
void asid_global_hold(void);
void asid_global_release(void);

/* Self-check switches (tlb.bug= in the kernel, sim.bug= on the host):
 * each breaks one rule, so a test that checks the rule must fail. */
extern bool asid_bug_no_rollover_flush;	/* reuse a rolled-over tag unflushed */
extern bool asid_bug_no_evict_flush;	/* reuse an evicted tag unflushed */

#endif
