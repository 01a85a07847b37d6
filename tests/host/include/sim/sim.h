/*
 * The simulated machine under the host build: RAM, CPUs, and an MMU that
 * walks the real page tables through the real PTE codec and caches the
 * results in a per-CPU software TLB tagged by ASID. The TLB keeps a
 * translation until an mmu_tlb_* operation drops it, so a missing or wrong
 * invalidation shows up as a stale translation, as on hardware.
 *
 * tests/host/sim/ implements the MD half of <mm/mmu.h> (entry stores,
 * barriers, root switches, TLB operations) on top of this.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <kern/boot.h>
#include <kern/types.h>

#define SIM_RAM_BASE	0x40000000ULL	/* physical address of the first byte */
#define SIM_RAM_MIB	16
#define SIM_RAM_SIZE	((uint64_t)SIM_RAM_MIB << 20)
#define SIM_CPUS	4
#define SIM_TLB_ENTRIES	64
#define SIM_WALK_ENTRIES 16	/* walk-cache entries per CPU */
#define SIM_FLUSH_LOG	64

/* Build the machine and run the boot steps an arch port runs before
 * kmain: direct map, pmm_init, pmap_bootstrap. Fills @bi. */
void sim_machine_boot(struct boot_info *bi);

/* Host pointer to simulated physical @pa (the hardware's view, which
 * needs no direct map), or NULL outside RAM. */
void *sim_ram_ptr(paddr_t pa);

/* Make the calling thread run as simulated CPU @cpu (arch_cpu_id()); the
 * CPU number is per thread. */
void host_cpu_set(unsigned int cpu);

/* Run @fn(cpu, @arg) on simulated CPUs 0..@n-1 at once: CPU 0 on the
 * calling thread, the others on host threads; returns when all have. */
void sim_run_cpus(unsigned int n, void (*fn)(unsigned int cpu, void *arg),
		  void *arg);

/* --- Accesses through the simulated MMU (on the current CPU) ---------- */

#define SIM_ACCESS_WRITE	0x1u
#define SIM_ACCESS_EXEC		0x2u
#define SIM_ACCESS_USER		0x4u

/* Translate @va for @access: TLB first, then a table walk that fills the
 * TLB. 0 and *@pa, or -EFAULT (no mapping, or permission denied). */
int sim_translate(vaddr_t va, unsigned int access, paddr_t *pa);

/* 32-bit load / store at @va through sim_translate. 0 or -EFAULT. */
int sim_load32(vaddr_t va, unsigned int access, uint32_t *val);
int sim_store32(vaddr_t va, unsigned int access, uint32_t val);

/* Is @va (tagged @asid, or global) in CPU @cpu's TLB? */
bool sim_tlb_holds(unsigned int cpu, unsigned int asid, vaddr_t va);

/* Empty every CPU's TLB and walk cache (test setup; not counted as a
 * flush). */
void sim_tlb_reset(void);

/* A walk the hardware may make at any time under the loaded root (a
 * speculative or prefetching access to @va): fills the TLB and the walk
 * cache like an access, returns nothing. */
void sim_speculate(vaddr_t va);

/* Walks that read a freed table's poison (pmm.poison=1), all CPUs. */
unsigned long sim_poison_walks(void);

/* Root used for kernel-half walks, and by x86 CPUs with no user root. */
void sim_mmu_set_kernel_root(paddr_t root_pa);

/*
 * Boot parameter sim.tlb=none: every TLB invalidation is counted but
 * does nothing, so the coherence suites must report stale translations
 * (the host's equivalent of the guest's tlb=none self-check).
 */
void sim_mmu_ignore_flushes(void);

/* --- What the MMU was asked to do ------------------------------------- */

struct sim_flush {
	unsigned int asid;
	vaddr_t va;
};

struct sim_counters {
	unsigned long page_flushes;
	unsigned long asid_flushes;
	unsigned long all_flushes;
	unsigned long activations;
	unsigned long pte_stores;
	unsigned long publishes;
	unsigned long walks;		/* TLB misses that walked the tables */
	unsigned long bbm_violations;	/* valid -> valid with a new output */
	unsigned long poison_walks;	/* PTE reads of a freed table (atomic) */
	unsigned int nlog;		/* page flushes logged below, in order */
	struct sim_flush log[SIM_FLUSH_LOG];
};

/* Zero every CPU's counters. */
void sim_counters_reset(void);

/* CPU @cpu's counters since the last reset: what that CPU executed. */
const struct sim_counters *sim_counters(unsigned int cpu);

/* Hash of every table reachable from @root_pa, entries included: equal
 * before and after an operation means no table and no entry changed. */
uint64_t sim_table_fingerprint(paddr_t root_pa);

#endif
