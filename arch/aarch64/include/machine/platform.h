/*
 * The machine as the DTB describes it, reduced to what the aarch64 port
 * uses: RAM, /chosen, the console UART, the PSCI conduit, the GIC and the
 * timer's interrupt. The CPUs are read later, by arch_smp_discover().
 */
#ifndef MACHINE_PLATFORM_H
#define MACHINE_PLATFORM_H

#include <kern/boot.h>
#include <kern/types.h>
#include <machine/fdt.h>

struct platform {
	bool dtb_valid;
	paddr_t dtb_pa;
	uint32_t dtb_size;
	struct fdt fdt;			/* valid if dtb_valid */

	struct boot_mem_range mem[BOOT_MEM_MAX];
	unsigned int mem_count;

	const char *bootargs;		/* NULL if /chosen has none */
	paddr_t initrd_start;		/* initrd_end == 0: none */
	paddr_t initrd_end;
	const char *uboot_version;	/* /chosen/u-boot,version, or NULL */

	paddr_t uart_base;
	bool uart_from_dtb;		/* false: the QEMU virt default */

	const char *psci_method;	/* "hvc", "smc", or NULL */

	unsigned int gic_version;	/* 2, 3, or 0 if none was found */
	paddr_t gic_dist;
	uint64_t gic_dist_size;
	paddr_t gic_cpu;		/* GICv2 CPU interface / GICv3 redistributors */
	uint64_t gic_cpu_size;
	uint32_t gic_irq_cells;		/* its #interrupt-cells */

	unsigned int timer_intid;	/* EL1 physical timer, 0 if not found */
};

/*
 * Fill @p from the DTB at physical @dtb_pa, of which @avail bytes are
 * mapped. Anything missing or malformed is reported on the console and
 * replaced by the QEMU virt default where one exists (UART, 128 MiB of
 * RAM at 0x40000000). Returns 0, or -EINVAL if the DTB was rejected as a
 * whole (@p then holds only defaults).
 * Locking: boot CPU only.
 */
int platform_probe(struct platform *p, paddr_t dtb_pa, uint64_t avail);

/*
 * The platform as arch_boot() probed it. Its DTB stays readable for the
 * kernel's lifetime (boot_info reserves it).
 * Locking: written once by the boot CPU before any other CPU runs.
 */
const struct platform *boot_platform(void);

#endif
