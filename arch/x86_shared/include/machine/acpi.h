/*
 * The few ACPI tables this kernel reads (ACPI 6.5 spec ch. 5.2): the RSDP,
 * the RSDT / XSDT, and the MADT for the CPU list. Tables are found through
 * early_map_device(), validated (signature, length, checksum) before any
 * field is used, and never written.
 */
#ifndef MACHINE_ACPI_H
#define MACHINE_ACPI_H

#include <kern/compiler.h>
#include <kern/types.h>

/* Every system description table starts with this (5.2.6). */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;		/* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;		/* all bytes sum to 0 mod 256 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

_Static_assert(sizeof(struct acpi_sdt_header) == 36, "ACPI SDT header");

/*
 * The table with signature @sig (4 characters, e.g. "APIC") listed in the
 * XSDT (or the RSDT if there is no valid XSDT), mapped and validated; its
 * physical address goes to *@pa if @pa is not NULL. Returns NULL if there
 * is no RSDP, no usable root table, or no valid table of that name; each
 * case is reported once on the console.
 * Locking: boot CPU, before secondaries start.
 */
const struct acpi_sdt_header *acpi_find_table(const char *sig, paddr_t *pa);

/*
 * The local APICs of the MADT (5.2.12.2 type 0, 5.2.12.12 type 9) that
 * are enabled or online-capable, in table order, duplicates dropped: up
 * to @max IDs into @ids. Returns how many there are (more than @max means
 * the rest were left out), or -ENOENT if there is no valid MADT.
 * Locking: boot CPU, before secondaries start.
 */
int acpi_madt_apic_ids(uint32_t *ids, unsigned int max);

struct boot_info;

/*
 * Add the root table (XSDT/RSDT) and the MADT, the tables the kernel
 * reads after the page allocator is up, to @bi's reserved ranges when
 * they lie in usable RAM. Returns 0, or -ENOSPC when the table is full.
 * Locking: boot CPU, before kmain().
 */
int acpi_reserve(struct boot_info *bi);

#endif
