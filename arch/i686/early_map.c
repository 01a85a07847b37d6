/*
 * i686 early_map_device(): what the 896 MiB direct map misses (ACPI
 * tables near the top of a guest with more RAM, the local APIC page) is
 * mapped into the device window, the top 64 MiB of the kernel GiB that
 * the boot tables leave empty (<machine/vmparam.h>), in 2 MiB slots.
 * Slots are handed out bottom-up and never freed: only a few tables and
 * one APIC page are ever mapped.
 *
 * Who writes the entries: until the kernel pmap owns the kernel tables,
 * a 2 MiB PAE leaf goes straight into the kernel page directory (the one
 * CR3 leads to: boot.asm's, then kernel_map.c's, which re-creates the
 * slots already in use); afterwards the slot is entered page by page
 * through pmap_kenter(), so the pmap's counts stay right.
 */
#include <kern/panic.h>
#include <kern/printk.h>
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <machine/cpufunc.h>
#include <machine/early_map.h>
#include <machine/kernel_pt.h>
#include <machine/pte.h>

#define LARGE_PAGE		(2ul << 20)
#define PAGE_4K			4096ul
#define WINDOW_SLOTS		(DEVICE_WINDOW_SIZE / LARGE_PAGE)
#define WINDOW_FIRST_PDE	((DEVICE_WINDOW_BASE - KERNEL_VMA_BASE) / LARGE_PAGE)
#define PDPT_KERNEL_SLOT	3
#define PDPT_ALIGN		32	/* CR3 holds bits 31:5 in PAE mode */

/* What each slot maps; set once by the boot CPU. */
static struct {
	paddr_t pa;		/* 2 MiB aligned */
	bool uncached;
} window[WINDOW_SLOTS];
static unsigned int window_used;

static vaddr_t slot_va(unsigned int slot)
{
	return DEVICE_WINDOW_BASE + slot * LARGE_PAGE;
}

/* First of @n consecutive slots already mapping @first onwards, or -1. */
static int window_find(paddr_t first, unsigned int n, bool uncached)
{
	for (unsigned int s = 0; s + n <= window_used; s++) {
		unsigned int i;

		for (i = 0; i < n; i++)
			if (window[s + i].pa != first + i * LARGE_PAGE ||
			    window[s + i].uncached != uncached)
				break;
		if (i == n)
			return (int)s;
	}
	return -1;
}

static unsigned int slot_flags(bool uncached)
{
	return VM_READ | VM_WRITE | VM_GLOBAL |
	       (uncached ? VM_CACHE_DEVICE : VM_CACHE_WB);
}

/* The page directory of the kernel GiB that CR3 currently leads to. */
static mmu_pte_t *kernel_pd(void)
{
	const uint64_t *pdpt = early_map(read_cr3() & ~(PDPT_ALIGN - 1ul),
					 4 * sizeof(uint64_t));
	mmu_pte_t *pd = pdpt ? (mmu_pte_t *)early_map(
		pdpt[PDPT_KERNEL_SLOT] & X86_PTE_ADDR, PAGE_4K) : NULL;

	if (pd == NULL)
		panic("early_map: kernel page directory outside the early map");
	return pd;
}

/*
 * Map slot @s. Its entries were not present, and CPUs cache neither
 * translations nor paging-structure entries that are not present (SDM
 * vol. 3A 4.10.2.3, 4.10.3.1), so no invalidation is needed.
 */
static int window_map(unsigned int s, paddr_t pa, bool uncached)
{
	unsigned int flags = slot_flags(uncached);

	if (pmap_kernel_ready()) {
		for (unsigned long off = 0; off < LARGE_PAGE; off += PAGE_4K) {
			int err = pmap_kenter(slot_va(s) + off, pa + off, flags);

			if (err)
				return err;
		}
	} else {
		mmu_pte_store(&kernel_pd()[WINDOW_FIRST_PDE + s],
			      mmu_pte_make_leaf(pa, flags, 1));
	}
	window[s].pa = pa;
	window[s].uncached = uncached;
	return 0;
}

int early_map_window_rebuild(void)
{
	for (unsigned int s = 0; s < window_used; s++) {
		int err = kpt_map(slot_va(s), window[s].pa, LARGE_PAGE,
				  slot_flags(window[s].uncached), 1);

		if (err)
			return err;
	}
	return 0;
}

void *early_map_device(paddr_t pa, size_t len, bool uncached)
{
	const void *p = uncached ? NULL : early_map(pa, len);
	paddr_t first = pa & ~(paddr_t)(LARGE_PAGE - 1);
	unsigned int n;
	int s;

	if (p != NULL)
		return (void *)p;
	if (len == 0 || pa + len < pa)
		goto fail;
	n = (unsigned int)((pa + len - 1 - first) / LARGE_PAGE) + 1;
	s = window_find(first, n, uncached);
	if (s < 0) {
		if (n > WINDOW_SLOTS - window_used)
			goto fail;
		s = (int)window_used;
		for (unsigned int i = 0; i < n; i++)
			if (window_map(s + i, first + i * LARGE_PAGE,
				       uncached) != 0)
				goto fail;
		window_used += n;
	}
	return (void *)(slot_va(s) + (uintptr_t)(pa - first));
fail:
	printk("early_map: cannot map physical [%#llx+%#zx) %s: device "
	       "window full or range invalid\n", (unsigned long long)pa, len,
	       uncached ? "uncached" : "write-back");
	return NULL;
}
