/*
 * The kernel page tables of both x86 modes, built once at boot from a
 * pool of tables in BSS through the MI codec (<mm/mmu.h>), so the same
 * geometry rules hold as in the pmap that adopts them.
 *
 * W^X for the image: .text is the only executable part of the kernel.
 * The blocks holding .text and .rodata are mapped with 4 KiB pages, not
 * by aligning the sections to 2 MiB: that would pad the loaded image by
 * up to 4 MiB, while the pages cost one table per mapping of the image.
 * Data and BSS beyond those blocks are read-write 2 MiB leaves.
 */
#include <kern/compiler.h>
#include <kern/errno.h>
#include <mm/mmu.h>
#include <machine/kernel_pt.h>
#include <machine/vmparam.h>
#include <machine/x86_boot.h>

/* x86_64: root, dmap PDPT, 4 PDs for [0, 4 GiB), a PT over the image,
 * the -2 GiB PDPT, PD and PT; the rest for RAM above 4 GiB without 1 GiB
 * pages. i686 uses 3 (PDPT, kernel PD, a PT over the image). */
#define KPT_POOL		24
#define KPT_PAGE		4096u
#define KPT_LARGE		(1UL << 21)	/* a level-1 leaf */
#define TOP_LEVEL		(MMU_LEVELS - 1)

/* kernel.ld: end of .text and of .rodata, page aligned. */
extern char __etext[], __erodata[];

static mmu_pte_t kpt_pool[KPT_POOL][MMU_PTES_PER_TABLE] __aligned(KPT_PAGE);
static unsigned int kpt_used;
static unsigned int kpt_leaf_levels;

static mmu_pte_t *kpt_alloc(void)
{
	return kpt_used < KPT_POOL ? kpt_pool[kpt_used++] : NULL;
}

/* The pool table an entry at @level points to. */
static mmu_pte_t *kpt_table(mmu_pte_t pte, unsigned int level)
{
	paddr_t off = mmu_pte_paddr(pte, level) - kernel_image_phys(kpt_pool);

	return kpt_pool[off / KPT_PAGE];
}

int kpt_init(bool leaf_1g)
{
	kpt_leaf_levels = MMU_LEAF_LEVELS & (leaf_1g ? 0x7u : 0x3u);
	return kpt_alloc() ? 0 : -ENOMEM;
}

paddr_t kpt_root_pa(void)
{
	return kernel_image_phys(kpt_pool[0]);
}

unsigned int kpt_tables_used(void)
{
	return kpt_used;
}

/*
 * Map what fits at @va with one leaf; sets *@done to the bytes it covers
 * (or that an existing leaf covers: first mapping wins).
 */
static int kpt_map_one(vaddr_t va, paddr_t pa, uint64_t left,
		       unsigned int flags, unsigned int max_level,
		       uint64_t *done)
{
	mmu_pte_t *t = kpt_pool[0];

	for (unsigned int level = TOP_LEVEL;; level--) {
		uint64_t size = 1ULL << mmu_level_shift(level);
		mmu_pte_t *slot = &t[mmu_level_index(va, level)];

		if (mmu_pte_is_leaf(*slot, level)) {
			*done = MIN(size - (va & (size - 1)), left);
			return 0;
		}
		if (!mmu_pte_is_valid(*slot, level) && level <= max_level &&
		    (kpt_leaf_levels >> level & 1u) &&
		    ((va | pa) & (size - 1)) == 0 && left >= size) {
			*slot = mmu_pte_make_leaf(pa, flags, level);
			*done = size;
			return 0;
		}
		if (!mmu_pte_is_valid(*slot, level)) {
			mmu_pte_t *next = kpt_alloc();

			if (!next)
				return -ENOMEM;
			*slot = mmu_pte_make_table(kernel_image_phys(next),
						   level);
		}
		t = kpt_table(*slot, level);
	}
}

int kpt_map(vaddr_t va, paddr_t pa, uint64_t size, unsigned int flags,
	    unsigned int max_level)
{
	while (size != 0) {
		uint64_t done;
		int err = kpt_map_one(va, pa, size, flags, max_level, &done);

		if (err)
			return err;
		va += done;
		pa += done;
		size -= done;
	}
	return 0;
}

/* W^X rights of the image frame at @pa. */
static unsigned int image_flags(paddr_t pa)
{
	if (pa >= kernel_image_phys(__kernel_start) &&
	    pa < kernel_image_phys(__etext))
		return VM_READ | VM_EXEC | VM_GLOBAL;
	if (pa >= kernel_image_phys(__etext) &&
	    pa < kernel_image_phys(__erodata))
		return VM_READ | VM_GLOBAL;
	return VM_READ | VM_WRITE | VM_GLOBAL;
}

int kpt_map_image(vaddr_t va_of_pa0, bool exec)
{
	paddr_t pa = ALIGN_DOWN(kernel_image_phys(__kernel_start), KPT_LARGE);
	paddr_t ro_end = ALIGN_UP(kernel_image_phys(__erodata), KPT_LARGE);
	paddr_t end = ALIGN_UP(kernel_image_phys(__kernel_end), KPT_LARGE);
	int err = 0;

	for (; pa < ro_end && !err; pa += KPT_PAGE) {
		unsigned int flags = image_flags(pa);

		if (!exec)
			flags &= ~VM_EXEC;
		err = kpt_map(va_of_pa0 + pa, pa, KPT_PAGE, flags, 0);
	}
	if (err || end <= ro_end)
		return err;
	return kpt_map(va_of_pa0 + ro_end, ro_end, end - ro_end,
		       VM_READ | VM_WRITE | VM_GLOBAL, 1);
}
