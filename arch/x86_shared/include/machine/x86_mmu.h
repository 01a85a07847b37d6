/*
 * x86 MMU glue beyond the MI contract of <mm/mmu.h>: per-CPU paging
 * features (mmu.c) and the kernel page tables built at boot (kernel_pt.c
 * and each mode's kernel_map.c).
 */
#ifndef MACHINE_X86_MMU_H
#define MACHINE_X86_MMU_H

#include <kern/types.h>

struct boot_info;

/* CR4.PCIDE (x86_64 only): the PCID is CR3[11:0] (SDM vol. 3A 4.10.1). */
#define X86_CR3_PCID_MASK	0xfffULL
/* MOV to CR3 with bit 63 set keeps the new PCID's entries (4.10.4.1). */
#define X86_CR3_NOFLUSH		(1ULL << 63)
/* CPUID leaf 7: INVPCID; leaf 0x80000001: 1 GiB pages. */
#define CPUID_7_EBX_INVPCID	(1u << 10)
#define CPUID_EXT_EDX_PAGE1GB	(1u << 26)

/* Did boot.asm find NX in CPUID and set EFER.NXE? */
bool x86_nx_enabled(void);

/*
 * Turn on this CPU's paging features: CR4.PGE (kernel leaves are global),
 * and on x86_64 CR4.PCIDE when CPUID offers PCID and INVPCID. Every CPU
 * calls it (boot CPU in x86_boot_main, APs in x86_ap_main) before it runs
 * on the kernel root with tags. Locking: interrupts off, this CPU.
 */
void x86_mmu_cpu_init(void);

/*
 * Load the kernel root at @root_pa on this CPU and remember it for
 * mmu_root_deactivate() and the AP start-up. Locking: boot CPU, once.
 * TLB: the CR3 load drops every non-global entry (the boot tables have
 * no global ones).
 */
void x86_mmu_kernel_root_set(paddr_t root_pa);

/* The kernel root: what CR3 holds when no user pmap runs. */
paddr_t x86_mmu_kernel_root(void);

/*
 * Per mode (kernel_map.c): build the kernel page tables (direct map,
 * W^X image, device ranges), record the direct map in @bi and return the
 * root's physical address, or 0 (with a message) if they cannot be built;
 * the boot tables then stay and memory management is off.
 * Locking: boot CPU, before kmain().
 */
paddr_t x86_kernel_map_build(struct boot_info *bi);

#endif
