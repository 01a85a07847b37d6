/*
 * x86 glue for starting secondary CPUs (mp_start.c, ap_root.c, and each
 * mode's ap_trampoline.asm). The MI side is <smp/smp_md.h>.
 */
#ifndef MACHINE_X86_SMP_H
#define MACHINE_X86_SMP_H

#include <kern/compiler.h>
#include <kern/types.h>

struct boot_info;
struct cpu;

/*
 * In the trampoline page, filled by the boot CPU before each start, read
 * by the AP in protected mode. Mirrored as TP_* in ap_trampoline.inc.
 */
struct ap_trampoline_params {
	uint32_t cr3;		/* physical root of the switch page tables */
	uint32_t efer;		/* EFER bits to set (LME, NXE); 0: none */
	uint64_t entry;		/* virtual address of x86_ap_entry */
};

/*
 * In kernel data, read by x86_ap_entry to leave the switch root and find
 * the AP's struct cpu by APIC ID (and so its stack). Native words,
 * mirrored as AB_* in ap_trampoline.inc.
 */
struct x86_ap_boot {
	uintptr_t kernel_cr3;	/* the root every CPU runs on */
	uintptr_t cpus;		/* &cpus[0] */
	uintptr_t cpu_size;	/* sizeof(struct cpu) */
	uintptr_t ncpus;
	uintptr_t hw_id_offset;	/* offsetof(struct cpu, hw_id) */
	uintptr_t stack_offset;	/* offsetof(struct cpu, stack_top) */
};

extern struct x86_ap_boot x86_ap_boot;

/* ap_trampoline.asm: the image and its parameter block inside it. */
extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern const struct ap_trampoline_params ap_trampoline_params;

/* ap_trampoline.asm: where the AP enters the kernel, on the switch root. */
void x86_ap_entry(void);

/*
 * Choose the page below 1 MiB that the AP trampoline will occupy: usable
 * RAM in the firmware memory map, a legal SIPI vector, clear of the
 * Multiboot structures at @mbi_phys and of @bi's reserved ranges (call it
 * after those are recorded). The page is added to @bi's reserved ranges
 * so the frame allocator never hands it out. Without such a page,
 * secondaries will not start (reported here).
 * Locking: boot CPU, before kmain().
 */
void x86_ap_page_reserve(struct boot_info *bi, uint32_t mbi_phys);

/*
 * Per mode (ap_root.c): build the page tables an AP switches paging on
 * with: the kernel's upper half (from the current CR3) plus an identity
 * mapping of physical [0, 2 MiB), which holds the trampoline page. They
 * are used by no CPU but a starting AP, so the identity mapping never
 * appears in the kernel's own tables. Returns the root's physical
 * address (below 4 GiB, as the 32-bit trampoline loads it), or 0 if the
 * kernel root cannot be read.
 * Locking: boot CPU, with no AP between SIPI and x86_ap_entry.
 */
uint32_t x86_ap_switch_root(void);

/*
 * C entry of an AP, from x86_ap_entry on @c's stack with the kernel root
 * loaded and interrupts off: load its tables, become @c, and join the MI
 * code in smp_secondary_entry(). Never returns.
 */
__noreturn void x86_ap_main(struct cpu *c);

#endif
