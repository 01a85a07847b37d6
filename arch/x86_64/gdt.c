/*
 * x86_64 GDT and TSS. Segmentation is flat in long mode; the GDT exists for
 * the code-segment L bit, the privilege levels, and the TSS whose interrupt
 * stack table gives #DF and NMI known-good stacks (SDM vol. 3A 6.14.5).
 */
#include <kern/compiler.h>
#include <machine/gdt.h>
#include <machine/x86_boot.h>
#include <machine/x86_desc.h>

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];		/* stacks for entry from CPL 3..1 */
	uint64_t reserved1;
	uint64_t ist[7];		/* IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/*
 * A #DF from a kernel stack overflow must not push onto the overflowed
 * stack, and an NMI can arrive anywhere, including the first instruction
 * of another handler: both switch to their own stack unconditionally.
 */
#define IST_STACK_SIZE	8192

static uint8_t df_stack[IST_STACK_SIZE] __aligned(16);
static uint8_t nmi_stack[IST_STACK_SIZE] __aligned(16);
static struct tss64 tss __aligned(16);
static uint64_t gdt[GDT_NENTRIES] __aligned(16);

static void gdt_fill(void)
{
	uintptr_t tss_base = (uintptr_t)&tss;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_CODE_RX, SEG_G | SEG_L);
	gdt[GDT_KERNEL_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS32 / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, SEG_G | SEG_DB);
	gdt[GDT_USER_DS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB);
	gdt[GDT_USER_CS / 8] = seg_desc(0, 0xfffff,
		SEG_P | SEG_DPL(3) | SEG_S | SEG_CODE_RX, SEG_G | SEG_L);
	/* A 16-byte system descriptor: the second slot holds base[63:32]. */
	gdt[GDT_TSS / 8] = seg_desc((uint32_t)tss_base, sizeof(tss) - 1,
				    SEG_P | SEG_TSS_AVAIL, 0);
	gdt[GDT_TSS / 8 + 1] = tss_base >> 32;
}

static void tss_fill(void)
{
	tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)(df_stack + IST_STACK_SIZE);
	tss.ist[IST_NMI - 1] = (uintptr_t)(nmi_stack + IST_STACK_SIZE);
	/* No I/O bitmap: the offset points past the TSS limit. */
	tss.iomap_base = sizeof(tss);
}

/*
 * Switch from boot.asm's temporary GDT to this one. In long mode CS can only
 * be reloaded by a far transfer, hence the far return.
 */
static void gdt_load(void)
{
	lgdt(gdt, sizeof(gdt));
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
 * Load the GDT, the TSS with its IST stacks, and the IDT on the boot CPU.
 * Interrupts must be off (they are, from boot.asm onwards).
 */
void x86_cpu_tables_init(void)
{
	tss_fill();
	gdt_fill();
	gdt_load();
	idt_init();
}
