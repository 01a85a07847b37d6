/*
 * i686 switch root for starting APs (see x86_ap_switch_root() in
 * <machine/x86_smp.h>): a PAE PDPT sharing the kernel's three upper
 * entries, whose entry 0 maps physical [0, 2 MiB) at virtual 0 with one
 * 2 MiB page, so the trampoline keeps running at its physical address
 * when paging comes on.
 */
#include <machine/cpufunc.h>
#include <machine/early_map.h>
#include <machine/pte.h>
#include <machine/vmparam.h>
#include <machine/x86_smp.h>

#define PDPT_ENTRIES	4
#define PDPT_ALIGN	32	/* CR3 holds bits 31:5 in PAE mode (4.4.1) */

static uint64_t switch_pdpt[PDPT_ENTRIES] __aligned(PDPT_ALIGN);
static uint64_t switch_pd[512] __aligned(4096);

uint32_t x86_ap_switch_root(void)
{
	const uint64_t *kernel = early_map(read_cr3() & ~(PDPT_ALIGN - 1ul),
					   sizeof(switch_pdpt));

	if (kernel == NULL)
		return 0;
	for (unsigned int i = 1; i < PDPT_ENTRIES; i++)
		switch_pdpt[i] = kernel[i];
	switch_pd[0] = X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
	/* A PDPTE has only P among the permission bits (4.4.1, table 4-8). */
	switch_pdpt[0] = kernel_image_phys(switch_pd) | X86_PTE_P;
	return (uint32_t)kernel_image_phys(switch_pdpt);
}
