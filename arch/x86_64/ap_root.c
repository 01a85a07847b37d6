/*
 * x86_64 switch root for starting APs (see x86_ap_switch_root() in
 * <machine/x86_smp.h>): a PML4 whose upper half is the kernel's and whose
 * slot 0 maps physical [0, 2 MiB) at virtual 0 with one 2 MiB page, so the
 * trampoline keeps running at its physical address when paging comes on.
 */
#include <machine/cpufunc.h>
#include <machine/early_map.h>
#include <machine/pte.h>
#include <machine/vmparam.h>
#include <machine/x86_smp.h>

#define PML4_KERNEL_FIRST	256	/* slots of the upper (kernel) half */
#define PML4_ENTRIES		512

static uint64_t switch_pml4[PML4_ENTRIES] __aligned(4096);
static uint64_t switch_pdpt[512] __aligned(4096);
static uint64_t switch_pd[512] __aligned(4096);

uint32_t x86_ap_switch_root(void)
{
	/* Low 12 bits of CR3 are flags (or the PCID), not address. */
	const uint64_t *kernel = early_map(read_cr3() & X86_PTE_ADDR, 4096);

	if (kernel == NULL)
		return 0;
	for (unsigned int i = PML4_KERNEL_FIRST; i < PML4_ENTRIES; i++)
		switch_pml4[i] = kernel[i];
	switch_pd[0] = X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
	switch_pdpt[0] = kernel_image_phys(switch_pd) | X86_PTE_P | X86_PTE_RW;
	switch_pml4[0] = kernel_image_phys(switch_pdpt) | X86_PTE_P |
			 X86_PTE_RW;
	return (uint32_t)kernel_image_phys(switch_pml4);
}
