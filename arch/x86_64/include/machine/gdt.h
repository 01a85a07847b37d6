/*
 * x86_64 GDT layout. The user segments follow the order SYSRET requires
 * (SDM vol. 2B "SYSRET"): STAR[63:48] = GDT_USER_CS32, then user data at
 * +8 and 64-bit user code at +16. Mirrored in layout.inc.
 */
#ifndef MACHINE_GDT_H
#define MACHINE_GDT_H

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_USER_CS32	0x18	/* reserved for compatibility mode */
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

#endif
