/*
 * Boot page tables: the TTBR1 direct map, VA = PA + KERNEL_VOFFSET.
 *
 * mmu_early_build() runs before the MMU is on, at physical addresses (head.S
 * has already moved the image to KERNEL_LOAD_PA, its physical link address).
 * Rules for everything it calls:
 *  - reach data only through addresses the compiler forms PC-relatively
 *    (-mcmodel=small: adrp/add), so a global's address is its PA before the
 *    MMU is on and its VA after; never follow a pointer stored at link time;
 *  - use only naturally aligned accesses: with the MMU off every data access
 *    is Device-nGnRnE, which faults on an unaligned one (Arm ARM D8.2.11).
 *
 * The same tables serve TTBR0 during the MMU switch: with 48-bit VAs the
 * direct-map address PA + KERNEL_VOFFSET and the identity address PA have
 * the same index bits [47:12], so TTBR0 = TTBR1 is an identity map for free.
 * Only L0[0] is used: the direct map covers PA below 512 GiB.
 *
 * W^X. The kernel image lies inside the direct map (it runs at PA +
 * KERNEL_VOFFSET), so its frames carry their section's permissions there:
 * the 2 MiB block(s) holding .text and .rodata are mapped with 4 KiB pages
 * (.text read-only and executable, .rodata read-only, the rest read/write,
 * never executable), everything else (the image's BSS beyond those
 * blocks, the DTB, the rest of RAM) with read/write, never-executable
 * blocks. Pages rather than 2 MiB-aligned sections: aligning .rodata and
 * .data to 2 MiB would grow the image file past the 2 MiB head.S can
 * move from U-Boot's load address (kernel.ld) and waste up to 4 MiB of
 * RAM; the page tables cost one 4 KiB table. The image goes in first:
 * early_map() never changes a valid entry, so nothing mapped later (a DTB
 * or RAM range overlapping those blocks) can widen their permissions.
 */

#include <kern/errno.h>
#include <kern/types.h>
#include <machine/memlayout.h>
#include <machine/mmu_early.h>
#include <machine/sysreg.h>
#include <machine/vmsa.h>

#define EARLY_PAGE_SIZE	4096
#define FDT_MAGIC	0xd00dfeedU
#define FDT_HEADER_MIN	64

/* Section boundaries from kernel.ld, page aligned. */
extern char _text[], _etext[], _erodata[], _end[];

static uint64_t early_tables[EARLY_PT_POOL][PT_ENTRIES] __aligned(EARLY_PAGE_SIZE);
static unsigned int early_tables_used;
static uint64_t early_dtb_mapped;

/* Physical address of a kernel object, before or after the MMU is on. */
static paddr_t kernel_pa(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return a >= KERNEL_VOFFSET ? a - KERNEL_VOFFSET : a;
}

/* A zeroed table from the pool (BSS), or NULL when the pool is used up. */
static uint64_t *table_alloc(void)
{
	if (early_tables_used == EARLY_PT_POOL)
		return NULL;
	return early_tables[early_tables_used++];
}

/* The pool table a table descriptor points to, as a pointer usable now. */
static uint64_t *table_of(uint64_t desc)
{
	paddr_t pa = desc & PTE_ADDR_MASK;

	return early_tables[(pa - kernel_pa(early_tables)) / EARLY_PAGE_SIZE];
}

/* The level 1 entry covering @pa (below 512 GiB: under L0[0]). */
static uint64_t *l1_slot(paddr_t pa)
{
	return &table_of(early_tables[0][0])[(pa >> PT_L1_SHIFT) % PT_ENTRIES];
}

/* The level 2 table under the L1 entry @slot, which is not a block;
 * allocated on first use. NULL when the pool is used up. */
static uint64_t *l2_table(uint64_t *slot)
{
	uint64_t *l2;

	if (*slot != 0)
		return table_of(*slot);
	l2 = table_alloc();
	if (l2)
		WRITE_ONCE(*slot, kernel_pa(l2) | PTE_TABLE);
	return l2;
}

/*
 * Map the 2 MiB-aligned range [pa, end) with block descriptors of
 * attributes @attrs: a 1 GiB block where a whole free L1 slot is covered,
 * else 2 MiB blocks. Entries that are already valid are left alone (first
 * mapping wins), so only invalid entries change and no TLB maintenance is
 * needed.
 */
static int early_map(paddr_t pa, paddr_t end, uint64_t attrs)
{
	while (pa < end) {
		uint64_t *slot, *l2;

		if (pa >> PT_L0_SHIFT)
			return -ERANGE;
		slot = l1_slot(pa);
		if (*slot == 0 && (pa % PT_BLOCK_1G) == 0 &&
		    end - pa >= PT_BLOCK_1G) {
			WRITE_ONCE(*slot, pa | PTE_BLOCK | attrs);
			pa += PT_BLOCK_1G;
			continue;
		}
		if ((*slot & PTE_TYPE_MASK) == PTE_BLOCK) {
			pa = ALIGN_DOWN(pa, PT_BLOCK_1G) + PT_BLOCK_1G;
			continue;
		}
		l2 = l2_table(slot);
		if (!l2)
			return -ENOMEM;
		if (l2[(pa >> PT_L2_SHIFT) % PT_ENTRIES] == 0)
			WRITE_ONCE(l2[(pa >> PT_L2_SHIFT) % PT_ENTRIES],
				   pa | PTE_BLOCK | attrs);
		pa += PT_BLOCK_2M;
	}
	return 0;
}

/* Permissions of the image page at @pa: W^X by section. */
static uint64_t image_page_attrs(paddr_t pa)
{
	if (pa >= kernel_pa(_text) && pa < kernel_pa(_etext))
		return PTE_KERNEL_TEXT;
	if (pa >= kernel_pa(_etext) && pa < kernel_pa(_erodata))
		return PTE_KERNEL_RODATA;
	return PTE_KERNEL_DATA;
}

/* Map the 2 MiB block at @block with a level 3 table of image pages. */
static int map_image_block(paddr_t block)
{
	uint64_t *slot = l1_slot(block), *l2, *l3;
	unsigned int i;

	if ((*slot & PTE_TYPE_MASK) == PTE_BLOCK)
		return -EEXIST;
	l2 = l2_table(slot);
	l3 = l2 ? table_alloc() : NULL;
	if (!l3)
		return -ENOMEM;
	for (i = 0; i < PT_ENTRIES; i++) {
		paddr_t pa = block + (paddr_t)i * EARLY_PAGE_SIZE;

		WRITE_ONCE(l3[i], pa | PTE_PAGE | image_page_attrs(pa));
	}
	WRITE_ONCE(l2[(block >> PT_L2_SHIFT) % PT_ENTRIES],
		   kernel_pa(l3) | PTE_TABLE);
	return 0;
}

/* The image: pages over .text and .rodata, read/write blocks to _end. */
static int map_image(void)
{
	paddr_t block = ALIGN_DOWN(kernel_pa(_text), PT_BLOCK_2M);
	int err = 0;

	for (; block < kernel_pa(_erodata) && !err; block += PT_BLOCK_2M)
		err = map_image_block(block);
	if (err)
		return err;
	return early_map(block, ALIGN_UP(kernel_pa(_end), PT_BLOCK_2M),
			 PTE_KERNEL_DATA);
}

/*
 * Map the DTB at physical @dtb and return how many bytes from @dtb are
 * mapped: its totalsize capped at FDT_MAX_SIZE, or just a header's worth
 * when the magic is wrong (so the parser can say so). A misaligned pointer
 * is not read at all (the parser reports it).
 */
static uint64_t map_dtb(paddr_t dtb)
{
	const uint32_t *hdr = (const uint32_t *)(uintptr_t)dtb;
	uint64_t size = FDT_HEADER_MIN;

	if (dtb % 8)
		return 0;
	if (__builtin_bswap32(hdr[0]) == FDT_MAGIC)
		size = MAX(MIN(__builtin_bswap32(hdr[1]), FDT_MAX_SIZE),
			   FDT_HEADER_MIN);
	if (early_map(ALIGN_DOWN(dtb, PT_BLOCK_2M),
		      ALIGN_UP(dtb + size, PT_BLOCK_2M), PTE_KERNEL_DATA) != 0)
		return 0;
	return size;
}

/*
 * TCR_EL1 for this CPU: the boot value plus IPS = PARange (at most 48
 * bits) and 16-bit ASIDs where the CPU has them. Secondaries copy it, so
 * every CPU agrees on the ASID width; it never changes afterwards, as
 * changing TCR_EL1.AS would reinterpret the tags already in the TLB.
 */
static uint64_t tcr_value(uint64_t mmfr0)
{
	uint64_t ips = MIN(mmfr0 & MMFR0_PARANGE_MASK, TCR_IPS_48BIT);
	uint64_t tcr = TCR_EL1_BOOT | (ips << TCR_IPS_SHIFT);

	if (((mmfr0 >> MMFR0_ASIDBITS_SHIFT) & 0xf) == MMFR0_ASIDBITS_16)
		tcr |= TCR_AS;
	return tcr;
}

void mmu_early_build(uint64_t entry_x0)
{
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	paddr_t dtb = entry_x0 ? entry_x0 : VIRT_RAM_BASE;
	uint64_t *l0, *l1;

	if (((mmfr0 >> MMFR0_TGRAN4_SHIFT) & 0xf) == MMFR0_TGRAN4_NONE)
		early_fail("\r\nboot: this CPU has no 4 KiB translation granule\r\n");
	l0 = table_alloc();
	l1 = table_alloc();
	l0[0] = kernel_pa(l1) | PTE_TABLE;

	if (map_image() != 0 ||
	    early_map(VIRT_UART_BASE, VIRT_UART_BASE + PT_BLOCK_2M,
		      PTE_KERNEL_DEVICE) != 0)
		early_fail("\r\nboot: cannot map the kernel\r\n");
	early_dtb_mapped = map_dtb(dtb);

	write_sysreg(mair_el1, MAIR_EL1_VALUE);
	write_sysreg(tcr_el1, tcr_value(mmfr0));
	write_sysreg(ttbr0_el1, kernel_pa(l0));
	write_sysreg(ttbr1_el1, kernel_pa(l0));
	isb();
}

uint64_t mmu_early_dtb_window(void)
{
	return early_dtb_mapped;
}

paddr_t mmu_early_root(void)
{
	return kernel_pa(early_tables[0]);
}

unsigned int mmu_early_tables_used(void)
{
	return early_tables_used;
}

/* Publish new entries to the table walker before any access through them. */
static int early_map_publish(paddr_t pa, paddr_t end, uint64_t attrs)
{
	int err = pa < end ? early_map(pa, end, attrs) : 0;

	dsb(ishst);
	isb();
	return err;
}

int mmu_early_map_ram(paddr_t base, uint64_t size)
{
	return early_map_publish(ALIGN_UP(base, PT_BLOCK_2M),
				 ALIGN_DOWN(base + size, PT_BLOCK_2M),
				 PTE_KERNEL_DATA);
}

int mmu_early_map_device(paddr_t base, uint64_t size)
{
	return early_map_publish(ALIGN_DOWN(base, PT_BLOCK_2M),
				 ALIGN_UP(base + size, PT_BLOCK_2M),
				 PTE_KERNEL_DEVICE);
}
