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
 */

#include <kern/errno.h>
#include <kern/types.h>
#include <machine/memlayout.h>
#include <machine/mmu_early.h>
#include <machine/sysreg.h>
#include <machine/vmsa.h>

#define EARLY_PT_POOL	16
#define EARLY_PAGE_SIZE	4096
#define FDT_MAGIC	0xd00dfeedU
#define FDT_HEADER_MIN	64

extern char _head[], _end[];

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

/*
 * Map the 2 MiB-aligned range [pa, end) with block descriptors @attrs: a
 * 1 GiB block where a whole free L1 slot is covered, else 2 MiB blocks.
 * Entries that are already valid are left alone (first mapping wins), so
 * only invalid entries change and no TLB maintenance is needed.
 */
static int early_map(paddr_t pa, paddr_t end, uint64_t attrs)
{
	uint64_t *l1 = table_of(early_tables[0][0]);

	while (pa < end) {
		uint64_t *slot = &l1[(pa >> PT_L1_SHIFT) % PT_ENTRIES];
		uint64_t *l2;

		if (pa >> PT_L0_SHIFT)
			return -ERANGE;
		if (*slot == 0 && (pa % PT_BLOCK_1G) == 0 &&
		    end - pa >= PT_BLOCK_1G) {
			WRITE_ONCE(*slot, pa | attrs);
			pa += PT_BLOCK_1G;
			continue;
		}
		if ((*slot & PTE_TYPE_MASK) == PTE_BLOCK) {
			pa = ALIGN_DOWN(pa, PT_BLOCK_1G) + PT_BLOCK_1G;
			continue;
		}
		if (*slot == 0) {
			l2 = table_alloc();
			if (!l2)
				return -ENOMEM;
			WRITE_ONCE(*slot, kernel_pa(l2) | PTE_TABLE);
		}
		l2 = table_of(*slot);
		if (l2[(pa >> PT_L2_SHIFT) % PT_ENTRIES] == 0)
			WRITE_ONCE(l2[(pa >> PT_L2_SHIFT) % PT_ENTRIES], pa | attrs);
		pa += PT_BLOCK_2M;
	}
	return 0;
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
		      ALIGN_UP(dtb + size, PT_BLOCK_2M), PTE_KERNEL_RAM) != 0)
		return 0;
	return size;
}

/* TCR_EL1 for this CPU: the boot value plus IPS = PARange, at most 48 bits. */
static uint64_t tcr_value(uint64_t mmfr0)
{
	uint64_t ips = MIN(mmfr0 & MMFR0_PARANGE_MASK, TCR_IPS_48BIT);

	return TCR_EL1_BOOT | (ips << TCR_IPS_SHIFT);
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

	if (early_map(ALIGN_DOWN(kernel_pa(_head), PT_BLOCK_2M),
		      ALIGN_UP(kernel_pa(_end), PT_BLOCK_2M), PTE_KERNEL_RAM) != 0 ||
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
				 PTE_KERNEL_RAM);
}

int mmu_early_map_device(paddr_t base, uint64_t size)
{
	return early_map_publish(ALIGN_DOWN(base, PT_BLOCK_2M),
				 ALIGN_UP(base + size, PT_BLOCK_2M),
				 PTE_KERNEL_DEVICE);
}
