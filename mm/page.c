/*
 * Frame metadata lookups and the direct map. The segment table is filled
 * once by pmm_init and read without locks afterwards.
 */
#include <kern/panic.h>
#include <mm/pmm_internal.h>

struct pmm_direct_map pmm_direct_map;

void pmm_direct_map_init(paddr_t pa_base, uintptr_t va_base, uint64_t size)
{
	if (pmm_direct_map.pa_end)
		panic("pmm_direct_map_init: called twice");
	if ((pa_base | va_base | size) & PAGE_MASK || !size)
		panic("pmm_direct_map_init: unaligned or empty map");
	pmm_direct_map.pa_base = pa_base;
	pmm_direct_map.va_base = va_base;
	pmm_direct_map.pa_end = pa_base + size;
}

paddr_t pmm_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	uintptr_t span = (uintptr_t)(pmm_direct_map.pa_end -
				     pmm_direct_map.pa_base);

	if (v < pmm_direct_map.va_base || v - pmm_direct_map.va_base >= span)
		panic("pmm_virt_to_phys: %p is outside the direct map", va);
	return pmm_direct_map.pa_base + (v - pmm_direct_map.va_base);
}

paddr_t page_to_phys(const struct page *pg)
{
	const struct pmm_seg *seg = &pmm_segs[pg->seg];

	return seg->base + ((paddr_t)(pg - seg->pages) << PAGE_SHIFT);
}

struct page *page_from_phys(paddr_t pa)
{
	unsigned int lo = 0, hi = pmm_nsegs;

	/* Binary search: segments are sorted and disjoint. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct pmm_seg *seg = &pmm_segs[mid];

		if (pa < seg->base)
			hi = mid;
		else if (pa >= seg->end)
			lo = mid + 1;
		else
			return &seg->pages[(pa - seg->base) >> PAGE_SHIFT];
	}
	return NULL;
}

struct page *page_from_virt(const void *va)
{
	return page_from_phys(pmm_virt_to_phys(va));
}
