/* The CPUs a DTB lists under /cpus, as MPIDR affinities. */
#ifndef MACHINE_CPU_DT_H
#define MACHINE_CPU_DT_H

#include <kern/types.h>

struct fdt;

/*
 * Fill @mpidr with the affinity of every usable CPU in @fdt's /cpus, the
 * boot CPU (@boot_mpidr) first whether or not the tree lists it, the
 * others in tree order. A secondary is usable if its node is enabled,
 * has a one-entry "reg" of #address-cells 1 or 2 holding only affinity
 * bits, is no duplicate, and has enable-method "psci". Every entry
 * skipped is reported; beyond @max CPUs they are reported and ignored.
 * Returns the count, at least 1 (@max must be at least 1).
 * Locking: none; pure apart from printk.
 */
unsigned int cpu_dt_parse(const struct fdt *fdt, uint64_t boot_mpidr,
			  uint64_t *mpidr, unsigned int max);

#endif
