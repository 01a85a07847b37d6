/*
 * The x86 half of the MMU contract (<mm/mmu.h>), both modes: entry stores,
 * the publish barrier, CR3 roots and the CPU-local TLB operations.
 *
 * TLB facts used below (Intel SDM vol. 3A 4.10.4.1): INVLPG drops the
 * entries for one page, global ones included, for the current PCID (and
 * the walk-cache entries on its path); a MOV to CR3 drops the non-global
 * entries (of the new PCID, unless bit 63 says keep them); a MOV to CR4
 * that changes PGE drops everything, global entries and all PCIDs too.
 * Every one of them is local to the executing CPU: remote CPUs are the
 * shootdown's job (smp/).
 */
#include <kern/compiler.h>
#include <mm/mmu.h>
#include <machine/cpufunc.h>
#include <machine/pte.h>
#include <machine/x86_mmu.h>

#if defined(__x86_64__)
#define X86_HAVE_PCID	1
#else
#define X86_HAVE_PCID	0	/* PCIDs exist only in IA-32e paging */
#endif

/* Set by the boot CPU before any AP starts; read-only afterwards. */
static paddr_t kernel_root_pa;
static bool pcid_enabled;

bool x86_nx_enabled(void)
{
	if (!cpu_has_efer() ||
	    !(cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_NX))
		return false;
	return (rdmsr(MSR_EFER) & EFER_NXE) != 0;
}

/*
 * PCID only together with INVPCID: without it, invalidating a page of a
 * PCID other than the current one would mean switching CR3 back and
 * forth. TCG offers neither (PLATFORM.md; setting CR4.PCIDE there hangs
 * the guest), so this stays off under QEMU; the tagged paths are proven
 * in the host simulation.
 */
static bool cpu_wants_pcid(void)
{
	if (!X86_HAVE_PCID || !(cpuid(1, 0).ecx & CPUID_1_ECX_PCID))
		return false;
	return cpuid(0, 0).eax >= 7 &&
	       (cpuid(7, 0).ebx & CPUID_7_EBX_INVPCID) != 0;
}

void x86_mmu_cpu_init(void)
{
	unsigned long cr4 = read_cr4() | CR4_PGE;

	/* The boot CPU decides; APs follow, so every CPU agrees on
	 * mmu_asid_bits(). CR4.PCIDE may be set only while CR3[11:0] = 0
	 * (SDM vol. 3A 4.10.1), which holds: nothing has loaded a PCID. */
	if (kernel_root_pa == 0)
		pcid_enabled = cpu_wants_pcid();
	if (pcid_enabled)
		cr4 |= CR4_PCIDE;
	write_cr4(cr4);
}

void x86_mmu_kernel_root_set(paddr_t root_pa)
{
	kernel_root_pa = root_pa;
	write_cr3((unsigned long)root_pa);
}

paddr_t x86_mmu_kernel_root(void)
{
	return kernel_root_pa;
}

#if defined(__x86_64__)
/* An aligned 8-byte MOV is single-copy atomic (SDM vol. 3A 8.1.1). */
void mmu_pte_store(mmu_pte_t *slot, mmu_pte_t pte)
{
	__asm__ __volatile__("movq %1, %0" : "=m"(*slot) : "r"(pte) : "memory");
}
#else
/*
 * 32-bit code has no 8-byte integer store, and two 4-byte stores could
 * let a walker on another CPU (or this CPU's, between them) see a present
 * entry with half an address. LOCK CMPXCHG8B writes all 8 bytes as one
 * atomic access (SDM vol. 3A 8.1.1, 8.1.2.2); it only stores when
 * EDX:EAX matches the slot, so retry with the value it returns until it
 * does. The locked access also keeps the CPU's own A/D-bit updates from
 * being lost in between. (clang refuses __atomic on a uint64_t that the
 * i386 ABI aligns to 4 bytes, hence the asm.)
 */
void mmu_pte_store(mmu_pte_t *slot, mmu_pte_t pte)
{
	mmu_pte_t old = *(volatile mmu_pte_t *)slot;

	__asm__ __volatile__("1: lock cmpxchg8b %0\n\t"
			     "jnz 1b"
			     : "+m"(*slot), "+A"(old)
			     : "b"((uint32_t)pte), "c"((uint32_t)(pte >> 32))
			     : "memory", "cc");
}
#endif

/*
 * x86 is TSO for ordinary stores (SDM vol. 3A 8.2.2): they become visible
 * to every observer, the page walkers included, in program order, so an
 * entry written before the store that links its table is never seen
 * after it. Only the compiler could reorder them: a compiler barrier.
 * The walker of this CPU sees its own earlier stores, so a new mapping is
 * usable at once; and a not-present entry is never cached (4.10.2.3).
 */
void mmu_pte_publish(void)
{
	barrier();
}

static void invlpg(vaddr_t va)
{
	__asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
}

#if defined(__x86_64__)
/* INVPCID types (SDM vol. 2A "INVPCID"). */
#define INVPCID_ADDR		0	/* one page of one PCID, not global */
#define INVPCID_CONTEXT		1	/* one PCID, not global */

static unsigned int current_pcid(void)
{
	return (unsigned int)(read_cr3() & X86_CR3_PCID_MASK);
}

static void invpcid(unsigned long type, unsigned int pcid, vaddr_t va)
{
	struct { uint64_t pcid, va; } desc = { pcid, va };

	__asm__ __volatile__("invpcid %0, %1" :: "m"(desc), "r"(type)
			     : "memory");
}
#endif


/*
 * With PCIDs on, CR3 carries the tag; bit 63 clear asks the CPU to drop
 * the new tag's non-global entries, which is exactly @flush. Untagged
 * CPUs flush on every CR3 load, whatever @flush says.
 */
void mmu_root_activate(paddr_t root_pa, unsigned int asid, bool flush)
{
	uint64_t cr3 = root_pa;

	if (pcid_enabled) {
		cr3 |= asid & X86_CR3_PCID_MASK;
		if (!flush)
			cr3 |= X86_CR3_NOFLUSH;
	}
	write_cr3((unsigned long)cr3);
}

/* The kernel root holds only the (global) kernel half: PCID 0, flushed. */
void mmu_root_deactivate(void)
{
	write_cr3((unsigned long)kernel_root_pa);
}

/*
 * INVLPG covers the current PCID and global entries; a page of another
 * PCID needs INVPCID (only offered together with PCID here).
 */
void mmu_tlb_flush_page_local(unsigned int asid, vaddr_t va)
{
	invlpg(va);
#if defined(__x86_64__)
	if (pcid_enabled && asid != current_pcid())
		invpcid(INVPCID_ADDR, asid, va);
#endif
}

/* Untagged: reloading CR3 drops every non-global entry, @asid's among
 * them (a superset, as the contract allows). */
void mmu_tlb_flush_asid_local(unsigned int asid)
{
#if defined(__x86_64__)
	if (pcid_enabled && asid != current_pcid()) {
		invpcid(INVPCID_CONTEXT, asid, 0);
		return;
	}
#endif
	/* CR3 reads return bit 63 clear: the current PCID's entries go. */
	write_cr3(read_cr3());
}

/* Toggling CR4.PGE drops every entry, global ones and all PCIDs. */
void mmu_tlb_flush_all_local(void)
{
	unsigned long cr4 = read_cr4();

	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

unsigned int mmu_asid_bits(void)
{
	return pcid_enabled ? 12 : 0;
}
