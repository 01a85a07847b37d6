/*
 * i686 GDT layout, one GDT per CPU: flat kernel and user segments, the
 * CPU's TSS, the TSS of its double-fault task, and the per-CPU data
 * segment whose base is the CPU's struct cpu (<machine/cpu.h>). Mirrored
 * in layout.inc.
 */
#ifndef MACHINE_GDT_H
#define MACHINE_GDT_H

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_USER_CS	0x18
#define GDT_USER_DS	0x20
#define GDT_TSS		0x28
#define GDT_DF_TSS	0x30	/* target of the #DF task gate */
#define GDT_PERCPU	0x38	/* FS in kernel mode: base = struct cpu */
/*
 * The three user TLS entries of set_thread_area(2), per thread, written
 * into the CPU's GDT on every switch (tls.c). Linux uses 6..8; here 6 and
 * 7 are taken, so user code must use the entry number the kernel returns.
 */
#define GDT_TLS_MIN	8
#define GDT_TLS_ENTRIES	3
#define GDT_NENTRIES	(GDT_TLS_MIN + GDT_TLS_ENTRIES)

/* Fill the IDT with all 256 vectors. Boot CPU, once. */
void idt_init(void);

/* Load the IDT on the calling CPU (after idt_init()). */
void idt_load(void);

/* Point the calling CPU's user-entry stack (TSS.ESP0) at @top.
 * Interrupts off. */
void x86_tss_set_kernel_stack(void *top);

/* The calling CPU's user-entry stack top. */
void *x86_tss_kernel_stack(void);

struct stack_range;

/*
 * Store this CPU's exception stacks (the double fault stack) in @r,
 * room for @max; returns how many. For arch_stack_bounds(). Locking: none.
 */
unsigned int x86_exception_stacks(struct stack_range *r, unsigned int max);

#endif
