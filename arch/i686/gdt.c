/*
 * i686 GDT, TSSs and the per-CPU register, one set per CPU. Segmentation
 * is flat except for GDT_PERCPU; the GDT exists for privilege levels, the
 * per-CPU segment, and two TSSs: the CPU's own (ring-0 stack for user
 * entry, and where a task switch saves the interrupted context) and the
 * TSS of its double-fault task, so a #DF from a broken kernel stack still
 * runs on a known-good stack with known-good segments (SDM vol. 3A 6.15,
 * "#DF").
 */
#include <kern/backtrace_md.h>
#include <kern/compiler.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>
#include <machine/tss.h>
#include <machine/x86_boot.h>
#include <machine/x86_desc.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

#define DF_STACK_SIZE	8192

/* Outside struct cpu, so an overflow runs into another stack rather than
 * into per-CPU state. */
static uint8_t df_stacks[MAX_CPUS][DF_STACK_SIZE] __aligned(16);

static void gdt_fill(struct arch_cpu *a)
{
	uint64_t *gdt = a->gdt;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_CODE_RX, SEG_G | SEG_DB);
	gdt[GDT_KERNEL_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, SEG_G | SEG_DB);
	gdt[GDT_USER_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_TSS / 8] = seg_desc((uintptr_t)&a->tss, sizeof(a->tss) - 1,
				    SEG_P | SEG_TSS_AVAIL, 0);
	gdt[GDT_DF_TSS / 8] = seg_desc((uintptr_t)&a->df_tss,
				       sizeof(a->df_tss) - 1,
				       SEG_P | SEG_TSS_AVAIL, 0);
	/* GDT_PERCPU is written by arch_set_this_cpu(). */
}

/*
 * The #DF task: everything a task switch loads comes from here, so it
 * must not depend on the state of the faulting context. Interrupts stay
 * off (IF clear in EFLAGS); CR3 is the current kernel page tables, which
 * map the kernel in every address space; FS is the per-CPU segment, so
 * the task finds this CPU's saved context through this_cpu().
 */
static void tss_fill(struct arch_cpu *a, unsigned int id)
{
	uint32_t df_top = (uintptr_t)(df_stacks[id] + DF_STACK_SIZE);
	struct tss32 *df = &a->df_tss;

	a->tss.ss0 = GDT_KERNEL_DS;
	a->tss.iomap_base = sizeof(a->tss);	/* no I/O bitmap */

	df->cr3 = (uint32_t)read_cr3();
	df->eip = (uintptr_t)double_fault_task_entry;
	df->eflags = 0x2;			/* bit 1 is always set */
	df->esp = df_top;
	df->esp0 = df_top;
	df->cs = GDT_KERNEL_CS;
	df->ss = df->ss0 = GDT_KERNEL_DS;
	df->ds = df->es = df->gs = GDT_KERNEL_DS;
	df->fs = GDT_PERCPU;
	df->iomap_base = sizeof(*df);
}

/* Switch to @gdt; a far jump reloads CS. FS is loaded by
 * arch_set_this_cpu() once GDT_PERCPU is filled in. */
static void gdt_load(const uint64_t *gdt)
{
	lgdt(gdt, sizeof(uint64_t) * GDT_NENTRIES);
	__asm__ __volatile__(
		"ljmp %[cs], $1f\n"
		"1:\n\t"
		"movw %[ds], %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"movw %%ax, %%gs"
		: : [cs] "i"(GDT_KERNEL_CS), [ds] "i"(GDT_KERNEL_DS)
		: "eax", "memory");
	lldt_null();
	ltr(GDT_TSS);
}

/*
 * Make @c the calling CPU's struct cpu: point GDT_PERCPU of @c's GDT at @c
 * and reload FS, which re-reads the descriptor (SDM vol. 3A 3.4.3).
 * Byte-granular limit: an access past the struct faults instead of
 * reading a neighbour's. Requires @c's GDT to be the loaded one
 * (x86_cpu_tables_init()). Locking: the calling CPU's own state only.
 */
void arch_set_this_cpu(struct cpu *c)
{
	c->self = c;
	c->arch.gdt[GDT_PERCPU / 8] = seg_desc((uintptr_t)c, sizeof(*c) - 1,
		SEG_P | SEG_S | SEG_DATA_RW, SEG_DB);
	__asm__ __volatile__("movw %w0, %%fs" : : "r"(GDT_PERCPU) : "memory");
}

void *x86_tss_kernel_stack(void)
{
	return (void *)(uintptr_t)this_cpu()->arch.tss.esp0;
}

void x86_tss_set_kernel_stack(void *top)
{
	this_cpu()->arch.tss.esp0 = (uintptr_t)top;
}

/*
 * Load @c's GDT and both TSSs and the IDT on the calling CPU, then make
 * this_cpu() == @c. The boot CPU (cpus[0]) also fills the shared IDT.
 * Interrupts off; CR3 must already be the kernel's (the #DF task keeps it).
 */
void x86_cpu_tables_init(struct cpu *c)
{
	tss_fill(&c->arch, c->id);
	gdt_fill(&c->arch);
	gdt_load(c->arch.gdt);
	arch_set_this_cpu(c);
	if (c == &cpus[0])
		idt_init();
	idt_load();
}

unsigned int x86_exception_stacks(struct stack_range *r, unsigned int max)
{
	unsigned int id = this_cpu()->id, n = 0;

	if (id >= MAX_CPUS)
		return 0;
	stack_range_add(r, &n, max, (uintptr_t)df_stacks[id],
			(uintptr_t)(df_stacks[id] + DF_STACK_SIZE));
	return n;
}
