/*
 * Multiboot 1 (version 0.6.96) information structures, as left by the boot
 * loader in physical memory at the address in EBX. Only the fields this
 * kernel reads are described; every one is guarded by a bit in .flags.
 */
#ifndef MACHINE_MULTIBOOT_H
#define MACHINE_MULTIBOOT_H

#include <kern/compiler.h>
#include <kern/types.h>

#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002u

#define MB_INFO_MEMORY		(1u << 0)	/* mem_lower, mem_upper */
#define MB_INFO_CMDLINE		(1u << 2)	/* cmdline */
#define MB_INFO_MODS		(1u << 3)	/* mods_count, mods_addr */
#define MB_INFO_MEM_MAP		(1u << 6)	/* mmap_length, mmap_addr */
#define MB_INFO_LOADER_NAME	(1u << 9)	/* boot_loader_name */

#define MB_MMAP_AVAILABLE	1u

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB below 1 MiB */
	uint32_t mem_upper;		/* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;		/* physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;		/* physical address of multiboot_module[] */
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;	/* physical address of a C string */
};

/*
 * One memory map entry. @size counts the bytes after itself and may exceed
 * 20 (newer loaders append fields), so entries are walked by size + 4.
 * The 64-bit fields are unaligned: the struct is packed.
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __packed;

#define MB_MMAP_ENTRY_MIN_SIZE	20u

struct multiboot_module {
	uint32_t mod_start;		/* physical, inclusive */
	uint32_t mod_end;		/* physical, exclusive */
	uint32_t string;		/* physical address of a C string, or 0 */
	uint32_t reserved;
};

struct boot_info;

/*
 * Fill @bi from the Multiboot information at physical @mbi_phys, reading
 * it through the boot page tables' direct map. Fields that are absent,
 * outside that map or malformed are reported on the console and skipped.
 * Returns 0, or -EINVAL if the information block itself is unusable (then
 * @bi holds only the defaults: empty cmdline, no memory, no initrd).
 */
int multiboot_parse(struct boot_info *bi, uint32_t mbi_phys);

struct boot_mem_range;

#define MB_LOADER_RANGES_MAX	4

/*
 * The physical ranges the loader's information at @mbi_phys occupies (the
 * information block, memory map, cmdline and module list), for code that
 * must not overwrite them. Stores at most MB_LOADER_RANGES_MAX entries in
 * @out and returns how many; parts that are absent or unmapped are left
 * out (multiboot_parse() reported them).
 */
unsigned int multiboot_loader_ranges(uint32_t mbi_phys,
				     struct boot_mem_range *out);

#endif
