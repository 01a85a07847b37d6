/*
 * Boot glue between the shared x86 C init and each mode (i686, x86_64).
 * Boot CPU: boot.asm -> x86_boot_main() -> x86_cpu_tables_init() (per
 * mode) -> kmain(). Secondaries: ap_trampoline.asm -> x86_ap_main()
 * (mp_start.c) -> x86_cpu_tables_init() -> smp_secondary_entry().
 */
#ifndef MACHINE_X86_BOOT_H
#define MACHINE_X86_BOOT_H

#include <kern/boot.h>
#include <kern/compiler.h>
#include <kern/errno.h>
#include <kern/types.h>

/*
 * C entry on the boot CPU, called by boot.asm on the higher-half boot stack
 * with paging on, BSS cleared and interrupts off. @mbi_phys is EBX from the
 * loader (the Multiboot magic was already checked). Never returns.
 */
__noreturn void x86_boot_main(uint32_t mbi_phys);

struct cpu;

/*
 * Per mode: load @c's GDT and TSS and the IDT on the calling CPU so every
 * exception reaches x86_trap() (or a mode-specific #DF handler), then make
 * this_cpu() == @c (arch_set_this_cpu()). The boot CPU calls it with
 * &cpus[0] before its first printk. Interrupts off.
 */
void x86_cpu_tables_init(struct cpu *c);

/*
 * Record [base, base + size) in @bi's reserved ranges (never handed out
 * by the frame allocator). Returns 0, or -ENOSPC when the table is full.
 */
static inline int x86_boot_reserve(struct boot_info *bi, paddr_t base,
				   uint64_t size)
{
	if (bi->reserved_count == BOOT_RESERVED_MAX)
		return -ENOSPC;
	bi->reserved[bi->reserved_count++] =
		(struct boot_mem_range){ base, size };
	return 0;
}

/* Linker-script symbols bounding the image (virtual addresses). */
extern char __kernel_start[], __kernel_end[];

#endif
