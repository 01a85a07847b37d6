/*
 * i686 IDT: 255 vectors lead to the stubs in vectors.asm; #DF is a task
 * gate to the double-fault task (gdt.c). One table serves every CPU: it is
 * written once, before any secondary starts, and GDT_DF_TSS resolves
 * through each CPU's own GDT.
 */
#include <kern/compiler.h>
#include <machine/gdt.h>
#include <machine/x86_desc.h>
#include <machine/x86_trap.h>

static uint64_t idt[X86_NVECTORS] __aligned(16);

/*
 * A 32-bit interrupt gate (SDM vol. 3A 6.11, figure 6-2): IF is cleared on
 * entry so nothing nests under a handler that has not saved state yet.
 * A user-mode INT n through a gate of DPL < 3 raises #GP (6.12.1.1).
 */
static uint64_t idt_intr_gate(uint32_t handler, unsigned int dpl)
{
	return (uint64_t)(handler & 0xffff) |
	       ((uint64_t)GDT_KERNEL_CS << 16) |
	       ((uint64_t)(SEG_P | SEG_DPL(dpl) | GATE_INTR) << 40) |
	       ((uint64_t)(handler >> 16) << 48);
}

/* A task gate: delivery switches to the task of TSS @selector. */
static uint64_t idt_task_gate(uint16_t selector)
{
	return ((uint64_t)selector << 16) |
	       ((uint64_t)(SEG_P | GATE_TASK) << 40);
}

/* User mode may raise these itself: the system call, and INT3 / INTO,
 * which then report as #BP / #OF rather than #GP. */
static const uint8_t user_vectors[] = { TF_VECTOR_SYSCALL, T_BP, T_OF };

/* Fill the IDT. Boot CPU, once, before any secondary starts. */
void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < X86_NVECTORS; v++)
		idt[v] = idt_intr_gate(x86_trap_stubs[v], 0);
	for (v = 0; v < ARRAY_SIZE(user_vectors); v++)
		idt[user_vectors[v]] =
			idt_intr_gate(x86_trap_stubs[user_vectors[v]], 3);
	idt[T_DF] = idt_task_gate(GDT_DF_TSS);
}

/* Load the IDT on the calling CPU. */
void idt_load(void)
{
	lidt(idt, sizeof(idt));
}
