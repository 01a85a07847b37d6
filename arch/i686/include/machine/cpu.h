/*
 * i686 per-CPU state: struct arch_cpu (inside the MI struct cpu) and the
 * per-CPU register. Each CPU's GDT has a data segment (GDT_PERCPU) whose
 * base is the CPU's struct cpu; FS holds that selector in kernel mode (the
 * trap entry reloads it), and the struct's first field is its own address,
 * so this_cpu() is one load of %fs:0.
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include <kern/compiler.h>
#include <kern/types.h>
#include <machine/gdt.h>
#include <machine/tss.h>

struct cpu;

/*
 * Each CPU needs its own GDT because LTR marks the TSS descriptor busy
 * (SDM vol. 3A 7.2.2), and for its GDT_PERCPU base. A #DF task switch
 * saves the faulting context into @tss and runs on @df_tss (stack in
 * gdt.c, one per CPU). The CPU's APIC ID is the MI cpu->hw_id.
 */
struct arch_cpu {
	uint64_t gdt[GDT_NENTRIES] __aligned(16);
	/* 128-aligned: 104 bytes never straddle a page (SDM vol. 3A 7.2.1). */
	struct tss32 tss __aligned(128);
	struct tss32 df_tss __aligned(128);
};

/*
 * The calling CPU's struct cpu. Volatile: arch_set_this_cpu() changes the
 * answer, and thread migration will, so it must not be cached across calls.
 */
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("movl %%fs:0, %0" : "=r"(c));
	return c;
}

#endif
