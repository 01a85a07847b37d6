/*
 * The simulated MMU: the MD half of <mm/mmu.h> for the host build, and a
 * translation path that walks the real page tables through the real codec.
 *
 * Each simulated CPU has a user root + ASID (CR3 / TTBR0) and a small
 * fully associative TLB. An entry is tagged with the ASID it was filled
 * under unless the leaf is global, and stays until a flush operation
 * removes it (or it is evicted round-robin): exactly the freedom hardware
 * has, so a forgotten invalidation reads stale data here too.
 *
 * A walk cache (x86's paging-structure caches, arm64's walk caches)
 * remembers, per ASID, which table the walk of a user VA reached at each
 * level, and later walks start there: a CPU whose cache still points at
 * a table that was unhooked and freed walks freed memory. A by-VA flush
 * drops the entries on that VA's path (TLBI VAE1's rule, weaker than
 * INVLPG's), a by-ASID or full flush drops the ASID's or all. A PTE that
 * reads as the pmm's poison (pmm.poison=1) counts as a walk of a freed
 * table (sim_poison_walks), and the walk fails.
 *
 * Libc side: built without host_rename.h, like host_arch.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <kern/arch.h>
#include <mm/mmu.h>
#include <mm/tlb_batch.h>
#include <mm/pmap.h>
#include <smp/tlb.h>
#include <sim/sim.h>

struct sim_tlb_entry {
	bool valid;
	bool global;
	unsigned int asid;
	vaddr_t vpn;
	paddr_t pfn;
	unsigned int flags;	/* MI flags of the leaf */
};

/* The table a user walk reached at @level, for VAs with @prefix above. */
struct sim_walk_entry {
	bool valid;
	unsigned int asid;
	int level;		/* of the table: 0 = the last-level table */
	vaddr_t prefix;		/* va >> mmu_level_shift(level + 1) */
	paddr_t table;
	bool read_only;		/* an entry above it forbids writes */
};

struct sim_cpu {
	paddr_t root;		/* user root; 0 = none loaded */
	unsigned int asid;
	unsigned int victim;	/* next TLB slot to replace */
	unsigned int walk_victim;
	struct sim_tlb_entry tlb[SIM_TLB_ENTRIES];
	struct sim_walk_entry walkc[SIM_WALK_ENTRIES];
	struct sim_counters cnt;
};

static struct sim_cpu cpus[SIM_CPUS];
static paddr_t kernel_root;
static bool flushes_ignored;	/* sim.tlb=none: the self-check mode */

static struct sim_cpu *this_cpu(void)
{
	unsigned int id = arch_cpu_id();

	if (id >= SIM_CPUS)
		abort();
	return &cpus[id];
}

void sim_mmu_set_kernel_root(paddr_t root_pa)
{
	kernel_root = root_pa;
}

void sim_mmu_ignore_flushes(void)
{
	flushes_ignored = true;
}

/* --- The MD contract ----------------------------------------------------- */

/* Is @pte valid at some level? Only asked on BBM arches (aarch64), where
 * bit 0 marks every valid descriptor above level 0. */
static bool valid_somewhere(mmu_pte_t pte)
{
	return mmu_pte_is_valid(pte, 0) || mmu_pte_is_valid(pte, 1);
}

void mmu_pte_store(mmu_pte_t *slot, mmu_pte_t pte)
{
	struct sim_cpu *c = this_cpu();
	mmu_pte_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);

	c->cnt.pte_stores++;
	if (MMU_BBM_REQUIRED && valid_somewhere(old) && valid_somewhere(pte) &&
	    mmu_pte_paddr(old, 0) != mmu_pte_paddr(pte, 0))
		c->cnt.bbm_violations++;
	/* Release, and walks load with acquire: a walker that sees the
	 * entry sees what was written to the frame before it was mapped, as
	 * the hardware's own ordering of walks gives (x86 TSO; arm64 with
	 * the barriers before an entry store). */
	__atomic_store_n(slot, pte, __ATOMIC_RELEASE);
}

void mmu_pte_publish(void)
{
	this_cpu()->cnt.publishes++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* Walk-cache entries of @asid (all if @all) on @va's path (any if
 * !@by_va) go. */
static void walkc_drop(struct sim_cpu *c, bool all, unsigned int asid,
		       bool by_va, vaddr_t va)
{
	for (unsigned int i = 0; i < SIM_WALK_ENTRIES; i++) {
		struct sim_walk_entry *w = &c->walkc[i];

		if (!w->valid || (!all && w->asid != asid))
			continue;
		if (by_va && w->prefix != va >> mmu_level_shift(w->level + 1))
			continue;
		w->valid = false;
	}
}

static void tlb_drop(struct sim_cpu *c, bool (*match)(const struct sim_tlb_entry *,
						       unsigned int, vaddr_t),
		     unsigned int asid, vaddr_t vpn)
{
	if (flushes_ignored)
		return;
	for (unsigned int i = 0; i < SIM_TLB_ENTRIES; i++)
		if (c->tlb[i].valid && match(&c->tlb[i], asid, vpn))
			c->tlb[i].valid = false;
}

static bool match_page(const struct sim_tlb_entry *e, unsigned int asid,
		       vaddr_t vpn)
{
	return e->vpn == vpn && (e->global || e->asid == asid);
}

static bool match_asid(const struct sim_tlb_entry *e, unsigned int asid,
		       vaddr_t vpn)
{
	return !e->global && e->asid == asid;
}

static bool match_all(const struct sim_tlb_entry *e, unsigned int asid,
		      vaddr_t vpn)
{
	return true;
}

void mmu_tlb_flush_page_local(unsigned int asid, vaddr_t va)
{
	struct sim_cpu *c = this_cpu();

	if (c->cnt.nlog < SIM_FLUSH_LOG)
		c->cnt.log[c->cnt.nlog++] = (struct sim_flush){ asid, va };
	c->cnt.page_flushes++;
	tlb_drop(c, match_page, asid, va >> MMU_PAGE_SHIFT);
	if (!flushes_ignored)
		walkc_drop(c, false, asid, true, va);
}

void mmu_tlb_flush_asid_local(unsigned int asid)
{
	struct sim_cpu *c = this_cpu();

	c->cnt.asid_flushes++;
	tlb_drop(c, match_asid, asid, 0);
	if (!flushes_ignored)
		walkc_drop(c, false, asid, false, 0);
}

void mmu_tlb_flush_all_local(void)
{
	struct sim_cpu *c = this_cpu();

	c->cnt.all_flushes++;
	tlb_drop(c, match_all, 0, 0);
	if (!flushes_ignored)
		walkc_drop(c, true, 0, false, 0);
}

void mmu_root_activate(paddr_t root_pa, unsigned int asid, bool flush)
{
	struct sim_cpu *c = this_cpu();

	c->cnt.activations++;
	c->root = root_pa;
	c->asid = asid;
	if (flush) {
		tlb_drop(c, match_asid, asid, 0);
		if (!flushes_ignored)
			walkc_drop(c, false, asid, false, 0);
	}
}

void mmu_root_deactivate(void)
{
	struct sim_cpu *c = this_cpu();

	c->root = 0;
	c->asid = 0;
}

unsigned int mmu_asid_bits(void)
{
	return MMU_ASID_BITS_MAX;
}

/* --- Translation ---------------------------------------------------------- */

/* Can @va be translated at all? i686 has 32-bit VAs; x86_64 wants them
 * sign-extended from bit 47; arm64 picks TTBR0 or TTBR1 by bits 63:48. */
static bool va_ok(vaddr_t va)
{
	uint64_t v = va;
	unsigned int hi = MMU_SEPARATE_KERNEL_ROOT ? MMU_VA_BITS : MMU_VA_BITS - 1;

	if (MMU_VA_BITS == 32)
		return v <= 0xffffffffULL;
	return (v >> hi) == 0 || (v >> hi) == (~0ULL >> hi);
}

/* The root that translates @va on @c, or 0 if nothing does. */
static paddr_t root_for(const struct sim_cpu *c, vaddr_t va)
{
	if (!va_ok(va))
		return 0;
	if (va >= MMU_KERNEL_VA_BASE)
		return MMU_SEPARATE_KERNEL_ROOT || !c->root ? kernel_root : c->root;
	return va < MMU_USER_VA_END ? c->root : 0;
}

static bool allowed(unsigned int flags, unsigned int access)
{
	if ((access & SIM_ACCESS_WRITE) && !(flags & VM_WRITE))
		return false;
	if ((access & SIM_ACCESS_EXEC) && !(flags & VM_EXEC))
		return false;
	return !(access & SIM_ACCESS_USER) || (flags & VM_USER);
}

static struct sim_tlb_entry *tlb_lookup(struct sim_cpu *c, vaddr_t vpn)
{
	for (unsigned int i = 0; i < SIM_TLB_ENTRIES; i++) {
		struct sim_tlb_entry *e = &c->tlb[i];

		if (e->valid && e->vpn == vpn && (e->global || e->asid == c->asid))
			return e;
	}
	return NULL;
}

/* The deepest cached table on @va's path under the current ASID. */
static const struct sim_walk_entry *walkc_find(const struct sim_cpu *c,
					       vaddr_t va)
{
	const struct sim_walk_entry *best = NULL;

	for (unsigned int i = 0; i < SIM_WALK_ENTRIES; i++) {
		const struct sim_walk_entry *w = &c->walkc[i];

		if (w->valid && w->asid == c->asid &&
		    w->prefix == va >> mmu_level_shift(w->level + 1) &&
		    (!best || w->level < best->level))
			best = w;
	}
	return best;
}

static void walkc_fill(struct sim_cpu *c, vaddr_t va, int level,
		       paddr_t table, bool read_only)
{
	struct sim_walk_entry *w = &c->walkc[c->walk_victim];

	c->walk_victim = (c->walk_victim + 1) % SIM_WALK_ENTRIES;
	*w = (struct sim_walk_entry){ .valid = true, .asid = c->asid,
				      .level = level, .table = table,
				      .read_only = read_only,
				      .prefix = va >> mmu_level_shift(level + 1) };
}

/* What pmm_free fills freed frames with under pmm.poison=1 (mm/pmm.c). */
#define SIM_POISON_PTE	((mmu_pte_t)0x6b6b6b6b6b6b6b6bULL)

/* Walk the tables for @va; fills @e and returns true for a valid leaf.
 * User walks start from the walk cache and fill it. */
static bool walk(struct sim_cpu *c, vaddr_t va, struct sim_tlb_entry *e)
{
	paddr_t table = root_for(c, va);
	bool user = table && table == c->root && va < MMU_USER_VA_END;
	const struct sim_walk_entry *hit = user ? walkc_find(c, va) : NULL;
	int level = hit ? hit->level : MMU_LEVELS - 1;
	/* Table entries' write permission is ANDed along the walk, and the
	 * walk cache keeps what the path above allowed (x86 paging-structure
	 * caches, arm64 walk caches with APTable). */
	bool read_only = hit && hit->read_only;

	if (hit)
		table = hit->table;
	c->cnt.walks++;
	for (; table && level >= 0; level--) {
		mmu_pte_t *t = sim_ram_ptr(table);
		mmu_pte_t pte;

		if (!t)
			return false;
		pte = __atomic_load_n(&t[mmu_level_index(va, level)],
				      __ATOMIC_ACQUIRE);
		if (pte == SIM_POISON_PTE) {
			__atomic_fetch_add(&c->cnt.poison_walks, 1,
					   __ATOMIC_RELAXED);
			return false;
		}
		if (!mmu_pte_is_valid(pte, level))
			return false;
		if (mmu_pte_is_leaf(pte, level)) {
			paddr_t off = va & ((1ULL << mmu_level_shift(level)) - 1);

			e->flags = mmu_pte_flags(pte, level);
			if (read_only)
				e->flags &= ~VM_WRITE;
			e->global = (e->flags & VM_GLOBAL) != 0;
			e->pfn = (mmu_pte_paddr(pte, level) + off) >>
				 MMU_PAGE_SHIFT;
			return true;
		}
		if (!mmu_pte_table_writable(pte, level))
			read_only = true;
		table = mmu_pte_paddr(pte, level);
		if (user)
			walkc_fill(c, va, level - 1, table, read_only);
	}
	return false;
}

int sim_translate(vaddr_t va, unsigned int access, paddr_t *pa)
{
	struct sim_cpu *c = this_cpu();
	vaddr_t vpn = va >> MMU_PAGE_SHIFT;
	struct sim_tlb_entry *e = tlb_lookup(c, vpn);

	if (!e) {
		struct sim_tlb_entry fill = { .valid = true, .asid = c->asid,
					      .vpn = vpn };

		/* Faults are not cached, as on x86 and arm64. */
		if (!walk(c, va, &fill))
			return -EFAULT;
		e = &c->tlb[c->victim];
		c->victim = (c->victim + 1) % SIM_TLB_ENTRIES;
		*e = fill;
	}
	if (!allowed(e->flags, access)) {
		/* x86 drops the entry a page fault hit; arm64 may keep it
		 * (<machine/mmu.h> MMU_UPGRADE_LOCAL_ONLY). */
		if (MMU_UPGRADE_LOCAL_ONLY)
			e->valid = false;
		return -EFAULT;
	}
	*pa = (e->pfn << MMU_PAGE_SHIFT) | (va & ((1u << MMU_PAGE_SHIFT) - 1));
	return 0;
}

int sim_load32(vaddr_t va, unsigned int access, uint32_t *val)
{
	paddr_t pa;
	uint32_t *p;

	if (sim_translate(va, access, &pa) || !(p = sim_ram_ptr(pa)))
		return -EFAULT;
	*val = *p;
	return 0;
}

int sim_store32(vaddr_t va, unsigned int access, uint32_t val)
{
	paddr_t pa;
	uint32_t *p;

	if (sim_translate(va, access | SIM_ACCESS_WRITE, &pa) ||
	    !(p = sim_ram_ptr(pa)))
		return -EFAULT;
	*p = val;
	return 0;
}

bool sim_tlb_holds(unsigned int cpu, unsigned int asid, vaddr_t va)
{
	for (unsigned int i = 0; i < SIM_TLB_ENTRIES; i++) {
		const struct sim_tlb_entry *e = &cpus[cpu].tlb[i];

		if (e->valid && match_page(e, asid, va >> MMU_PAGE_SHIFT))
			return true;
	}
	return false;
}

void sim_tlb_reset(void)
{
	for (unsigned int i = 0; i < SIM_CPUS; i++) {
		memset(cpus[i].tlb, 0, sizeof(cpus[i].tlb));
		memset(cpus[i].walkc, 0, sizeof(cpus[i].walkc));
	}
}

unsigned long sim_poison_walks(void)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < SIM_CPUS; i++)
		n += __atomic_load_n(&cpus[i].cnt.poison_walks,
				     __ATOMIC_RELAXED);
	return n;
}

void sim_speculate(vaddr_t va)
{
	paddr_t pa;

	(void)sim_translate(va, 0, &pa);
}

void sim_counters_reset(void)
{
	for (unsigned int i = 0; i < SIM_CPUS; i++)
		memset(&cpus[i].cnt, 0, sizeof(cpus[i].cnt));
}

const struct sim_counters *sim_counters(unsigned int cpu)
{
	return &cpus[cpu].cnt;
}

/* FNV-1a over the entries of @table_pa and every table below it. */
static uint64_t hash_table(uint64_t h, paddr_t table_pa, int level)
{
	const mmu_pte_t *t = sim_ram_ptr(table_pa);

	for (unsigned int i = 0; t && i < mmu_level_entries(level); i++) {
		mmu_pte_t pte = t[i];

		for (int b = 0; b < 64; b += 8)
			h = (h ^ ((pte >> b) & 0xff)) * 0x100000001b3ULL;
		if (level > 0 && mmu_pte_is_valid(pte, level) &&
		    !mmu_pte_is_leaf(pte, level))
			h = hash_table(h, mmu_pte_paddr(pte, level), level - 1);
	}
	return h;
}

uint64_t sim_table_fingerprint(paddr_t root_pa)
{
	return hash_table(0xcbf29ce484222325ULL, root_pa, MMU_LEVELS - 1);
}
