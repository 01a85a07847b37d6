/*
 * x86_64 IDT: all 256 vectors lead to the stubs in vectors.asm. One table
 * serves every CPU: it is written once, before any secondary starts, and
 * the IST indices it names resolve through each CPU's own TSS.
 */
#include <kern/compiler.h>
#include <machine/gdt.h>
#include <machine/x86_desc.h>
#include <machine/x86_trap.h>

/* A 16-byte long-mode interrupt gate (SDM vol. 3A 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;			/* bits 2:0; 0 = current stack */
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "long-mode gates are 16 bytes");

static struct idt_gate idt[X86_NVECTORS] __aligned(16);

/*
 * Interrupt gates (not trap gates) for every vector: IF is cleared on entry
 * so nothing nests under a handler that has not saved state yet. DPL 0,
 * so a user-mode INT n raises #GP (SDM vol. 3A 6.12.1.1): system calls
 * come through SYSCALL, not through the IDT.
 */
static struct idt_gate idt_gate(uintptr_t handler, uint8_t ist)
{
	return (struct idt_gate){
		.offset_lo = handler & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = SEG_P | GATE_INTR,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

/* Fill the IDT. Boot CPU, once, before any secondary starts. */
void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < X86_NVECTORS; v++)
		idt[v] = idt_gate(x86_trap_stubs[v], 0);
	/* DPL 3: user INT3 / INTO report themselves as #BP / #OF. */
	idt[T_BP].type_attr |= SEG_DPL(3);
	idt[T_OF].type_attr |= SEG_DPL(3);
	idt[T_DF].ist = IST_DOUBLE_FAULT;
	idt[T_NMI].ist = IST_NMI;
}

/* Load the IDT on the calling CPU. */
void idt_load(void)
{
	lidt(idt, sizeof(idt));
}
