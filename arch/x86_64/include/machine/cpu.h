/*
 * x86_64 per-CPU state: struct arch_cpu (inside the MI struct cpu) and the
 * per-CPU register. GS base holds the address of the CPU's struct cpu,
 * whose first field is that same address, so this_cpu() is one load of
 * %gs:0 and needs no lock and no CPU number.
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
 * (SDM vol. 3A 7.2.2): two CPUs cannot load the same one. Its #DF and NMI
 * stacks (the TSS's IST entries) are in gdt.c, one pair per CPU. The
 * CPU's APIC ID is the MI cpu->hw_id.
 */
struct arch_cpu {
	uint64_t gdt[GDT_NENTRIES] __aligned(16);
	/* 128-aligned: the 104 bytes never straddle a page. */
	struct tss64 tss __aligned(128);
	/* The user RSP while the SYSCALL entry builds its frame: the only
	 * register it can free before it has a stack (syscall_entry.asm). */
	uint64_t syscall_rsp;
};

/*
 * The calling CPU's struct cpu. Volatile: arch_set_this_cpu() changes the
 * answer, and thread migration will, so it must not be cached across calls.
 */
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
