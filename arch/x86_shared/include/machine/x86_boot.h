/*
 * Boot glue between the shared x86 C init and each mode (i686, x86_64).
 * boot.asm -> x86_boot_main() -> x86_cpu_tables_init() (per mode) -> kmain().
 */
#ifndef MACHINE_X86_BOOT_H
#define MACHINE_X86_BOOT_H

#include <kern/compiler.h>
#include <kern/types.h>

/*
 * C entry on the boot CPU, called by boot.asm on the higher-half boot stack
 * with paging on, BSS cleared and interrupts off. @mbi_phys is EBX from the
 * loader (the Multiboot magic was already checked). Never returns.
 */
__noreturn void x86_boot_main(uint32_t mbi_phys);

/*
 * Per mode: load this CPU's GDT, TSS and IDT so every exception reaches
 * x86_trap() (or a mode-specific #DF handler). Boot CPU, interrupts off.
 */
void x86_cpu_tables_init(void);

/* Linker-script symbols bounding the image (virtual addresses). */
extern char __kernel_start[], __kernel_end[];

#endif
