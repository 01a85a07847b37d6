/*
 * i686 GDT and TSSs. Segmentation is flat; the GDT exists for privilege
 * levels and for two TSSs: the CPU's own (ring-0 stack for user entry,
 * and where a task switch saves the interrupted context) and the TSS of
 * the double-fault task, so a #DF from a broken kernel stack still runs on
 * a known-good stack with known-good segments (SDM vol. 3A 6.15, "#DF").
 */
#include <kern/compiler.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>
#include <machine/tss.h>
#include <machine/x86_boot.h>
#include <machine/x86_desc.h>

#define DF_STACK_SIZE	8192

static uint8_t df_stack[DF_STACK_SIZE] __aligned(16);
static struct tss32 df_tss __aligned(16);
static uint64_t gdt[GDT_NENTRIES] __aligned(16);

struct tss32 i686_tss __aligned(16);

static void gdt_fill(void)
{
	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_CODE_RX, SEG_G | SEG_DB);
	gdt[GDT_KERNEL_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, SEG_G | SEG_DB);
	gdt[GDT_USER_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_TSS / 8] = seg_desc((uintptr_t)&i686_tss,
		sizeof(i686_tss) - 1, SEG_P | SEG_TSS_AVAIL, 0);
	gdt[GDT_DF_TSS / 8] = seg_desc((uintptr_t)&df_tss,
		sizeof(df_tss) - 1, SEG_P | SEG_TSS_AVAIL, 0);
}

/*
 * The #DF task: everything a task switch loads comes from here, so it
 * must not depend on the state of the faulting context. Interrupts stay
 * off (IF clear in EFLAGS); CR3 is the boot page tables, which map the
 * kernel on every address space.
 */
static void tss_fill(void)
{
	uint32_t df_top = (uintptr_t)(df_stack + DF_STACK_SIZE);

	i686_tss.ss0 = GDT_KERNEL_DS;
	i686_tss.iomap_base = sizeof(i686_tss);	/* no I/O bitmap */

	df_tss.cr3 = (uint32_t)read_cr3();
	df_tss.eip = (uintptr_t)double_fault_task_entry;
	df_tss.eflags = 0x2;			/* bit 1 is always set */
	df_tss.esp = df_top;
	df_tss.esp0 = df_top;
	df_tss.cs = GDT_KERNEL_CS;
	df_tss.ss = df_tss.ss0 = GDT_KERNEL_DS;
	df_tss.ds = df_tss.es = GDT_KERNEL_DS;
	df_tss.fs = df_tss.gs = GDT_KERNEL_DS;
	df_tss.iomap_base = sizeof(df_tss);
}

/* Replace the loader's GDT; a far jump reloads CS. */
static void gdt_load(void)
{
	lgdt(gdt, sizeof(gdt));
	__asm__ __volatile__(
		"ljmp %[cs], $1f\n"
		"1:\n\t"
		"movw %[ds], %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs"
		: : [cs] "i"(GDT_KERNEL_CS), [ds] "i"(GDT_KERNEL_DS)
		: "eax", "memory");
	lldt_null();
	ltr(GDT_TSS);
}

/*
 * Load the GDT, both TSSs and the IDT on the boot CPU.
 * Interrupts must be off (they are, from boot.asm onwards).
 */
void x86_cpu_tables_init(void)
{
	tss_fill();
	gdt_fill();
	gdt_load();
	idt_init();
}
