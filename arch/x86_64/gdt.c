/*
 * x86_64 GDT, TSS and the per-CPU register, one set per CPU. Segmentation
 * is flat in long mode; the GDT exists for the code-segment L bit, the
 * privilege levels, and the TSS whose interrupt stack table gives #DF and
 * NMI known-good stacks (SDM vol. 3A 6.14.5).
 */
#include <kern/backtrace_md.h>
#include <kern/compiler.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>
#include <machine/x86_boot.h>
#include <machine/x86_desc.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

/*
 * A #DF from a kernel stack overflow must not push onto the overflowed
 * stack, and an NMI can arrive anywhere, including the first instruction
 * of another handler: both switch to their own stack unconditionally.
 * Outside struct cpu, so an overflow runs into another stack rather than
 * into per-CPU state.
 */
#define IST_STACK_SIZE	8192

static uint8_t df_stacks[MAX_CPUS][IST_STACK_SIZE] __aligned(16);
static uint8_t nmi_stacks[MAX_CPUS][IST_STACK_SIZE] __aligned(16);

static void gdt_fill(struct arch_cpu *a)
{
	uint64_t *gdt = a->gdt;
	uintptr_t tss_base = (uintptr_t)&a->tss;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_CODE_RX, SEG_G | SEG_L);
	gdt[GDT_KERNEL_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS32 / 8] = 0;
	gdt[GDT_USER_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, SEG_G | SEG_L);
	/* A 16-byte system descriptor: the second slot holds base[63:32]. */
	gdt[GDT_TSS / 8] = seg_desc((uint32_t)tss_base, sizeof(a->tss) - 1,
				    SEG_P | SEG_TSS_AVAIL, 0);
	gdt[GDT_TSS / 8 + 1] = tss_base >> 32;
}

static void tss_fill(struct tss64 *tss, unsigned int id)
{
	tss->ist[IST_DOUBLE_FAULT - 1] =
		(uintptr_t)(df_stacks[id] + IST_STACK_SIZE);
	tss->ist[IST_NMI - 1] = (uintptr_t)(nmi_stacks[id] + IST_STACK_SIZE);
	/* No I/O bitmap: the offset points past the TSS limit. */
	tss->iomap_base = sizeof(*tss);
}

/*
 * Switch to @gdt. In long mode CS can only be reloaded by a far transfer,
 * hence the far return. Loading null FS/GS clears their bases on Intel
 * CPUs, so the per-CPU register is set only afterwards.
 */
static void gdt_load(const uint64_t *gdt)
{
	lgdt(gdt, sizeof(uint64_t) * GDT_NENTRIES);
	__asm__ __volatile__(
		"pushq %[cs]\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %[ds], %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs"
		: : [cs] "i"(GDT_KERNEL_CS), [ds] "i"(GDT_KERNEL_DS)
		: "rax", "memory");
	lldt_null();
	ltr(GDT_TSS);
}

/*
 * Make @c the calling CPU's struct cpu: GS base = c. KERNEL_GS_BASE is
 * zeroed so a stray SWAPGS cannot install a garbage per-CPU pointer.
 * Locking: the calling CPU's own state only.
 */
void arch_set_this_cpu(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_GS_BASE, (uintptr_t)c);
}

void *x86_tss_kernel_stack(void)
{
	return (void *)(uintptr_t)this_cpu()->arch.tss.rsp[0];
}

void x86_tss_set_kernel_stack(void *top)
{
	this_cpu()->arch.tss.rsp[0] = (uintptr_t)top;
}

/*
 * Load @c's GDT and TSS (with its IST stacks) and the IDT on the calling
 * CPU, then make this_cpu() == @c and program SYSCALL. The boot CPU
 * (cpus[0]) also fills the shared IDT. Interrupts off.
 */
void x86_cpu_tables_init(struct cpu *c)
{
	tss_fill(&c->arch.tss, c->id);
	gdt_fill(&c->arch);
	gdt_load(c->arch.gdt);
	arch_set_this_cpu(c);
	if (c == &cpus[0])
		idt_init();
	idt_load();
	x86_syscall_cpu_init();
}

unsigned int x86_exception_stacks(struct stack_range *r, unsigned int max)
{
	unsigned int id = this_cpu()->id, n = 0;

	if (id >= MAX_CPUS)
		return 0;
	stack_range_add(r, &n, max, (uintptr_t)df_stacks[id],
			(uintptr_t)(df_stacks[id] + IST_STACK_SIZE));
	stack_range_add(r, &n, max, (uintptr_t)nmi_stacks[id],
			(uintptr_t)(nmi_stacks[id] + IST_STACK_SIZE));
	return n;
}
