/*
 * The i686 double-fault task. A #DF arrives through a task gate, so the
 * CPU has saved the faulting context into its own TSS (arch.tss) and
 * switched to arch.df_tss's stack and segments (SDM vol. 3A 7.3): this
 * runs even when the kernel stack or segment registers were the problem.
 */
#include <kern/panic.h>
#include <kern/printk.h>
#include <machine/cpufunc.h>
#include <machine/tss.h>
#include <machine/x86_trap.h>
#include <smp/cpu.h>

static void double_fault_print(const struct tss32 *t)
{
	printk("eax %08x ebx %08x ecx %08x edx %08x\n",
	       t->eax, t->ebx, t->ecx, t->edx);
	printk("esi %08x edi %08x ebp %08x esp %08x\n",
	       t->esi, t->edi, t->ebp, t->esp);
	printk("eip %08x eflags %08x cs %04x ss %04x ds %04x es %04x "
	       "fs %04x gs %04x\n", t->eip, t->eflags, t->cs, t->ss, t->ds,
	       t->es, t->fs, t->gs);
	/* A task switch does not save CR3; both tasks run on the same one. */
	printk("cr0 %08lx cr2 %08lx cr3 %08lx cr4 %08lx\n", read_cr0(),
	       read_cr2(), read_cr3(), read_cr4());
}

/*
 * Body of the #DF task (vectors.asm calls it with the error code, always
 * 0 for #DF). Reports the context saved at the fault and panics.
 */
__noreturn void i686_double_fault_task(uint32_t error)
{
	/* FS is GDT_PERCPU in the #DF task (gdt.c): this CPU's own TSS. */
	const struct tss32 *t = &this_cpu()->arch.tss;

	printk("trap: %s (vector %d) via task gate, saved eip %#x\n",
	       x86_vector_name(T_DF), T_DF, t->eip);
	x86_print_error_code(T_DF, error);
	double_fault_print(t);
	/* The faulting context's chain (often ending at once: a #DF is
	 * mostly a kernel stack overflow, fp in the guard page). */
	panic_at(t->eip, t->ebp, "unhandled %s at %#x", x86_vector_name(T_DF),
		 t->eip);
}
