/*
 * i686 GDT layout: flat kernel and user segments, the CPU's TSS, and the
 * TSS of the double-fault task. Mirrored in layout.inc.
 */
#ifndef MACHINE_GDT_H
#define MACHINE_GDT_H

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_USER_CS	0x18
#define GDT_USER_DS	0x20
#define GDT_TSS		0x28
#define GDT_DF_TSS	0x30	/* target of the #DF task gate */
#define GDT_NENTRIES	7

/* Load the IDT with all 256 vectors; called by x86_cpu_tables_init(). */
void idt_init(void);

#endif
