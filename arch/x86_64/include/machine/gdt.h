/*
 * x86_64 GDT layout. The user segments follow the order SYSCALL and
 * SYSRET require (SDM vol. 2B "SYSCALL", "SYSRET"; vol. 3A 5.8.8): kernel
 * data at STAR[47:32] + 8, and from STAR[63:48] = GDT_USER_CS32 user data
 * at +8 and 64-bit user code at +16. The GDT_USER_CS32 slot itself stays
 * null: there is no 32-bit user mode, so a far transfer to it faults in
 * user mode instead of entering compatibility mode. Mirrored in
 * layout.inc and trapframe.inc.
 */
#ifndef MACHINE_GDT_H
#define MACHINE_GDT_H

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_USER_CS32	0x18	/* null: no compatibility mode */
#define GDT_USER_DS	0x20
#define GDT_USER_CS	0x28
#define GDT_TSS		0x30	/* 16-byte system descriptor: two slots */
#define GDT_NENTRIES	8

/* Interrupt stack table slots (TSS.IST1..7; 0 means "no IST"). */
#define IST_DOUBLE_FAULT	1
#define IST_NMI			2

/* Fill the IDT with all 256 vectors. Boot CPU, once. */
void idt_init(void);

/* Load the IDT on the calling CPU (after idt_init()). */
void idt_load(void);

/*
 * Point the calling CPU's user-entry stack (TSS.RSP0, which the SYSCALL
 * entry reads too) at @top. Interrupts off.
 */
void x86_tss_set_kernel_stack(void *top);

/* The calling CPU's user-entry stack top. */
void *x86_tss_kernel_stack(void);

/* Program SYSCALL on the calling CPU (syscall.c). Interrupts off. */
void x86_syscall_cpu_init(void);

struct stack_range;

/*
 * Store this CPU's exception stacks (the double fault stack, the NMI stack) in @r,
 * room for @max; returns how many. For arch_stack_bounds(). Locking: none.
 */
unsigned int x86_exception_stacks(struct stack_range *r, unsigned int max);

#endif
