/*
 * CPU discovery from the DTB's /cpus node (Devicetree Specification v0.4
 * 3.7, Linux bindings/arm/cpus.yaml): one node per PE, device_type "cpu",
 * "reg" = its MPIDR affinity, enable-method = how to start it. Only PSCI
 * is supported: QEMU virt and U-Boot describe every CPU that way.
 */

#include <kern/printk.h>
#include <kern/string.h>
#include <machine/cpu_dt.h>
#include <machine/fdt.h>
#include <machine/sysreg.h>

/* MPIDR affinity of @node into *@out; false (and why) if malformed. */
static bool cpu_node_mpidr(const struct fdt *fdt, int node, uint32_t cells,
			   uint64_t *out)
{
	uint32_t len;
	const void *reg = fdt_prop(fdt, node, "reg", &len);

	if (!reg || len != cells * 4) {
		printk("dtb: /cpus/%s: \"reg\" is not one %u-cell MPIDR: skipped\n",
		       fdt_node_name(fdt, node), cells);
		return false;
	}
	*out = fdt_read_cells(reg, cells);
	if (*out & ~MPIDR_AFF_MASK) {
		printk("dtb: /cpus/%s: reg %#lx has bits outside the MPIDR "
		       "affinity fields: skipped\n", fdt_node_name(fdt, node), *out);
		return false;
	}
	return true;
}

/* Whether the secondary at @node can be started (PSCI); reports if not. */
static bool cpu_node_startable(const struct fdt *fdt, int node)
{
	const char *method = fdt_prop_string(fdt, node, "enable-method");

	if (method && strcmp(method, "psci") == 0)
		return true;
	printk("dtb: /cpus/%s: enable-method \"%s\" is not supported (only "
	       "psci): skipped\n", fdt_node_name(fdt, node),
	       method ? method : "(none)");
	return false;
}

static bool already_listed(const uint64_t *mpidr, unsigned int n, uint64_t m)
{
	for (unsigned int i = 0; i < n; i++)
		if (mpidr[i] == m)
			return true;
	return false;
}

/* Append the secondary CPU @m at @node to @mpidr[0 .. *n) if usable. */
static void add_secondary(const struct fdt *fdt, int node, uint64_t m,
			  uint64_t *mpidr, unsigned int *n, unsigned int max)
{
	if (!fdt_is_enabled(fdt, node)) {
		printk("dtb: /cpus/%s: status is not \"okay\": skipped\n",
		       fdt_node_name(fdt, node));
	} else if (!cpu_node_startable(fdt, node)) {
		return;		/* reported */
	} else if (already_listed(mpidr, *n, m)) {
		printk("dtb: /cpus/%s: MPIDR %#lx listed twice: skipped\n",
		       fdt_node_name(fdt, node), m);
	} else if (*n == max) {
		printk("dtb: /cpus/%s: more than %u CPUs: MPIDR %#lx ignored\n",
		       fdt_node_name(fdt, node), max, m);
	} else {
		mpidr[(*n)++] = m;
	}
}

unsigned int cpu_dt_parse(const struct fdt *fdt, uint64_t boot_mpidr,
			  uint64_t *mpidr, unsigned int max)
{
	int cpus = fdt_path(fdt, "/cpus"), node, depth = 0;
	uint32_t cells;
	unsigned int n = 1;
	bool boot_listed = false;

	mpidr[0] = boot_mpidr;
	if (cpus < 0) {
		printk("dtb: no /cpus node: the boot CPU only\n");
		return 1;
	}
	cells = fdt_address_cells(fdt, cpus);
	if (cells < 1 || cells > 2 || fdt_size_cells(fdt, cpus) != 0) {
		printk("dtb: /cpus: #address-cells %u / #size-cells %u, want 1-2 "
		       "and 0: the boot CPU only\n", cells,
		       fdt_size_cells(fdt, cpus));
		return 1;
	}
	for (node = fdt_next_node(fdt, cpus, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		const char *type = fdt_prop_string(fdt, node, "device_type");
		uint64_t m;

		/* Children only: cpu-map and its subtree are not CPUs. */
		if (depth != 1 || !type || strcmp(type, "cpu") != 0)
			continue;
		if (!cpu_node_mpidr(fdt, node, cells, &m))
			continue;
		if (m == boot_mpidr)
			boot_listed = true;
		else
			add_secondary(fdt, node, m, mpidr, &n, max);
	}
	if (!boot_listed)
		printk("dtb: /cpus does not list the boot CPU (MPIDR %#lx)\n",
		       boot_mpidr);
	return n;
}
