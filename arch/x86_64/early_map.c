/*
 * x86_64 early_map_device(): the boot page tables already map physical
 * [0, 4 GiB), write-back below EARLY_MAP_UC_BASE and uncached above it
 * (boot.asm), which covers every ACPI table QEMU's pc machine builds and
 * the local APIC. A write-back request in the uncached part still gets a
 * correct (only slower) mapping; an uncached request in the write-back
 * part cannot be honoured.
 */
#include <kern/printk.h>
#include <machine/early_map.h>

void *early_map_device(paddr_t pa, size_t len, bool uncached)
{
	const void *p = early_map(pa, len);

	if (p == NULL || (uncached && pa < EARLY_MAP_UC_BASE)) {
		printk("early_map: cannot map physical [%#llx+%#zx) %s\n",
		       (unsigned long long)pa, len,
		       uncached ? "uncached" : "write-back");
		return NULL;
	}
	return (void *)p;
}
