/*
 * i686 early_map_device(): what the 896 MiB direct map misses (ACPI
 * tables near the top of a guest with more RAM, the local APIC page) is
 * mapped with 2 MiB PAE pages into the device window, the top 128 MiB of
 * the kernel GiB that boot.asm leaves empty (<machine/vmparam.h>). Slots
 * are handed out bottom-up and never freed: only a few tables and one
 * APIC page are ever mapped.
 */
#include <kern/printk.h>
#include <machine/early_map.h>
#include <machine/pte.h>

#define LARGE_PAGE		(2ul << 20)
#define WINDOW_SLOTS		(DEVICE_WINDOW_SIZE / LARGE_PAGE)
#define WINDOW_FIRST_PDE	(EARLY_MAP_SIZE / LARGE_PAGE)

/* boot.asm: the page directory of the kernel GiB (PDPT slot 3). */
extern uint64_t boot_pd_kernel[512];

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

/*
 * Write the PDE of slot @s. It was not present, and CPUs cache neither
 * translations nor paging-structure entries that are not present (SDM
 * vol. 3A 4.10.2.3, 4.10.3.1), so no invalidation is needed.
 */
static void window_map(unsigned int s, paddr_t pa, bool uncached)
{
	uint64_t pde = pa | X86_PTE_P | X86_PTE_RW | X86_PTE_PS |
		       (uncached ? X86_PTE_PCD | X86_PTE_PWT : 0);
	volatile uint32_t *half = (volatile uint32_t *)
				  &boot_pd_kernel[WINDOW_FIRST_PDE + s];

	/* Two 32-bit stores: high (address) half first, then the low
	 * half with P, so a walker never sees a present half-entry. */
	half[1] = (uint32_t)(pde >> 32);
	half[0] = (uint32_t)pde;
	window[s].pa = pa;
	window[s].uncached = uncached;
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
			window_map(s + i, first + i * LARGE_PAGE, uncached);
		window_used += n;
	}
	return (void *)(slot_va(s) + (uintptr_t)(pa - first));
fail:
	printk("early_map: cannot map physical [%#llx+%#zx) %s: device "
	       "window full or range invalid\n", (unsigned long long)pa, len,
	       uncached ? "uncached" : "write-back");
	return NULL;
}
