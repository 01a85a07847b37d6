/*
 * Turning the firmware memory map into pmm segments at boot.
 *
 * Usable ranges are page aligned inward, sorted and merged, then split at
 * the direct-map limits: pieces inside become PMM_ZONE_DIRECT segments,
 * pieces outside PMM_ZONE_HIGH ones. Every frame of a segment gets a
 * struct page (reserved frames included, flagged PAGE_RESERVED, so a
 * physical address maps to metadata without holes inside a segment). The
 * metadata arrays ("memmap") are carved from the first direct-mapped free
 * run big enough, and everything neither reserved nor memmap is seeded
 * into the buddy lists.
 */
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <mm/pmm_internal.h>

_Static_assert(PMM_MAX_SEGS <= 256, "struct page records its segment in 8 bits");

struct pmm_seg pmm_segs[PMM_MAX_SEGS];
unsigned int pmm_nsegs;
static bool pmm_initialised;

struct range {
	paddr_t start;
	paddr_t end;		/* exclusive */
};

/* Static: pmm_init runs on the small boot stack. */
static struct range usable_r[PMM_MAX_SEGS];
static struct range reserved_r[PMM_MAX_SEGS + 1];	/* + the memmap */

static void sort_ranges(struct range *r, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct range x = r[i];
		unsigned int j = i;

		for (; j > 0 && r[j - 1].start > x.start; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Page-align one range: inward for usable RAM (partial frames are not
 * RAM we may use), outward for reserved ranges (partial frames are used). */
static struct range align_range(const struct boot_mem_range *r, bool inward)
{
	const paddr_t top = ~(paddr_t)PAGE_MASK;
	paddr_t start = r->base, end = r->base + r->size;

	if (end < start)	/* wraps: clamp to the top */
		end = ~(paddr_t)0;
	if (inward)
		return (struct range){ ALIGN_UP(start, (paddr_t)PAGE_SIZE),
				       ALIGN_DOWN(end, (paddr_t)PAGE_SIZE) };
	if (end > top)
		end = top;
	return (struct range){ ALIGN_DOWN(start, (paddr_t)PAGE_SIZE),
			       ALIGN_UP(end, (paddr_t)PAGE_SIZE) };
}

/* Align @in into @out, drop empty ranges, sort, and merge overlapping or
 * touching ones. Returns the number of ranges in @out. */
static unsigned int normalise(const struct boot_mem_range *in, unsigned int n,
			      struct range *out, bool inward)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct range r = align_range(&in[i], inward);

		if (r.start < r.end)
			out[m++] = r;
	}
	sort_ranges(out, m);
	n = m;
	m = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (m > 0 && out[i].start <= out[m - 1].end)
			out[m - 1].end = MAX(out[m - 1].end, out[i].end);
		else
			out[m++] = out[i];
	}
	return m;
}

static int add_seg(paddr_t start, paddr_t end, enum pmm_zone_id zone)
{
	if (start >= end)
		return 0;
	if (pmm_nsegs == PMM_MAX_SEGS)
		return -E2BIG;
	pmm_segs[pmm_nsegs++] = (struct pmm_seg){ .base = start, .end = end,
						  .zone = zone };
	return 0;
}

/* Split each usable range at the direct map's edges: below, inside, above. */
static int build_segments(const struct range *u, unsigned int n)
{
	paddr_t dlo = pmm_direct_map.pa_base, dhi = pmm_direct_map.pa_end;
	int err = 0;

	for (unsigned int i = 0; i < n && !err; i++) {
		paddr_t s = u[i].start, e = u[i].end;

		err = add_seg(s, MIN(e, dlo), PMM_ZONE_HIGH);
		if (!err)
			err = add_seg(MAX(s, dlo), MIN(e, dhi), PMM_ZONE_DIRECT);
		if (!err)
			err = add_seg(MAX(s, dhi), e, PMM_ZONE_HIGH);
	}
	return err;
}

/*
 * Call @fn for each maximal run of @seg outside the sorted @res ranges
 * (which may overlap each other). Stops early when @fn returns true.
 */
static bool for_each_free_run(struct pmm_seg *seg, const struct range *res,
			      unsigned int nres,
			      bool (*fn)(struct pmm_seg *, paddr_t, paddr_t,
					 void *), void *ctx)
{
	paddr_t cur = seg->base;

	for (unsigned int i = 0; i < nres && cur < seg->end; i++) {
		if (res[i].end <= cur)
			continue;
		if (res[i].start >= seg->end)
			break;
		if (res[i].start > cur && fn(seg, cur, res[i].start, ctx))
			return true;
		cur = MAX(cur, res[i].end);
	}
	return cur < seg->end && fn(seg, cur, seg->end, ctx);
}

struct memmap_fit {
	paddr_t size;
	paddr_t found;
};

static bool memmap_fits(struct pmm_seg *seg, paddr_t start, paddr_t end,
			void *ctx)
{
	struct memmap_fit *fit = ctx;

	if (end - start < fit->size)
		return false;
	fit->found = start;
	return true;
}

static bool seed_run(struct pmm_seg *seg, paddr_t start, paddr_t end,
		     void *ctx)
{
	pmm_seed_range(seg, start, end);
	return false;
}

static size_t seg_frames(const struct pmm_seg *seg)
{
	return (size_t)((seg->end - seg->base) >> PAGE_SHIFT);
}

/* Find direct-mapped room for every segment's struct page array. */
static int place_memmap(unsigned int nres, struct range *memmap)
{
	struct memmap_fit fit = { 0, 0 };
	size_t frames = 0;

	for (unsigned int i = 0; i < pmm_nsegs; i++)
		frames += seg_frames(&pmm_segs[i]);
	fit.size = ALIGN_UP((paddr_t)frames * sizeof(struct page),
			    (paddr_t)PAGE_SIZE);
	for (unsigned int i = 0; i < pmm_nsegs; i++) {
		if (pmm_segs[i].zone == PMM_ZONE_DIRECT &&
		    for_each_free_run(&pmm_segs[i], reserved_r, nres,
				      memmap_fits, &fit)) {
			*memmap = (struct range){ fit.found,
						  fit.found + fit.size };
			return 0;
		}
	}
	return -ENOMEM;
}

static void init_metadata(paddr_t memmap_pa)
{
	struct page *p = pmm_phys_to_virt(memmap_pa);

	for (unsigned int i = 0; i < pmm_nsegs; i++) {
		size_t n = seg_frames(&pmm_segs[i]);

		pmm_segs[i].pages = p;
		memset(p, 0, n * sizeof(*p));
		for (size_t j = 0; j < n; j++) {
			p[j].flags = PAGE_RESERVED;
			p[j].seg = (uint8_t)i;
		}
		p += n;
	}
}

static void print_summary(const struct range *memmap)
{
	printk("pmm: %lu KiB free in %u segment(s); memmap %llu KiB at %#llx\n",
	       pmm_free_count() << (PAGE_SHIFT - 10), pmm_nsegs,
	       (unsigned long long)((memmap->end - memmap->start) >> 10),
	       (unsigned long long)memmap->start);
	printk("pmm: direct map [%#llx, %#llx); high zone %lu KiB\n",
	       (unsigned long long)pmm_direct_map.pa_base,
	       (unsigned long long)pmm_direct_map.pa_end,
	       pmm_zones[PMM_ZONE_HIGH].managed << (PAGE_SHIFT - 10));
}

int pmm_init(const struct boot_mem_range *usable, unsigned int n_usable,
	     const struct boot_mem_range *reserved, unsigned int n_reserved)
{
	struct range memmap;
	unsigned int nu, nr;
	int err;

	if (pmm_initialised)
		return -EBUSY;
	if (!pmm_direct_map.pa_end)
		panic("pmm_init: pmm_direct_map_init() was not called");
	if (n_usable > PMM_MAX_SEGS || n_reserved > PMM_MAX_SEGS)
		return -E2BIG;
	nu = normalise(usable, n_usable, usable_r, true);
	nr = normalise(reserved, n_reserved, reserved_r, false);
	if (!nu)
		return -EINVAL;
	err = build_segments(usable_r, nu);
	if (!err)
		err = place_memmap(nr, &memmap);
	if (err) {
		pmm_nsegs = 0;
		return err;
	}
	reserved_r[nr++] = memmap;
	sort_ranges(reserved_r, nr);
	init_metadata(memmap.start);
	for (unsigned int i = 0; i < pmm_nsegs; i++)
		for_each_free_run(&pmm_segs[i], reserved_r, nr, seed_run, NULL);
	pmm_initialised = true;
	pmm_poison_frees = cmdline_get_bool("pmm.poison", false);
	print_summary(&memmap);
	if (pmm_poison_frees)
		printk("pmm: poisoning freed frames (pmm.poison=1)\n");
	return 0;
}

bool pmm_ready(void)
{
	return pmm_initialised;
}
