/*
 * What a secondary CPU reads, with its MMU still off, to turn the MMU on
 * like the boot CPU (secondary.S). Shared by assembly and C; smp.c checks
 * the offsets against the struct.
 */
#ifndef MACHINE_SMP_BOOT_H
#define MACHINE_SMP_BOOT_H

#define SBP_MAIR		0
#define SBP_TCR_IDMAP		8	/* kernel TCR with TTBR0 walks on */
#define SBP_TTBR0_IDMAP		16	/* identity map of secondary.S's code */
#define SBP_TTBR1		24
#define SBP_SCTLR		32
#define SBP_TCR			40	/* the kernel's TCR, TTBR0 walks off */
#define SBP_SIZE		48

#ifndef __ASSEMBLY__
#include <kern/types.h>

struct smp_boot_params {
	uint64_t mair;
	uint64_t tcr_idmap;
	uint64_t ttbr0_idmap;
	uint64_t ttbr1;
	uint64_t sctlr;
	uint64_t tcr;
};

#define SBP_CHECK(field, off)						\
	_Static_assert(__builtin_offsetof(struct smp_boot_params, field) == \
		       (off), #off)
SBP_CHECK(mair, SBP_MAIR);
SBP_CHECK(tcr_idmap, SBP_TCR_IDMAP);
SBP_CHECK(ttbr0_idmap, SBP_TTBR0_IDMAP);
SBP_CHECK(ttbr1, SBP_TTBR1);
SBP_CHECK(sctlr, SBP_SCTLR);
SBP_CHECK(tcr, SBP_TCR);
_Static_assert(sizeof(struct smp_boot_params) == SBP_SIZE, "SBP_SIZE");

/* Physical entry point for PSCI CPU_ON (secondary.S); x0 = the physical
 * address of the CPU's struct cpu. The code up to secondary_entry_end is
 * what the identity map must cover. */
extern char secondary_entry[], secondary_entry_end[];

extern struct smp_boot_params smp_boot_params;
#endif

#endif
