/*
 * The DTB, reduced to what the aarch64 port needs (<machine/platform.h>).
 * Every lookup degrades to a message and a default; nothing here trusts
 * the blob beyond what fdt.c has validated.
 */

#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/fdt.h>
#include <machine/memlayout.h>
#include <machine/platform.h>

#define VIRT_DEFAULT_RAM	(128UL << 20)	/* QEMU's default -m */
#define STDOUT_PATH_MAX		128

/*
 * Entry @index of @node's "reg" as a CPU physical address. Only direct
 * children of the root and of buses with an empty "ranges" (1:1 mapping)
 * are supported: the QEMU virt tree needs no address translation.
 */
static int node_reg(const struct fdt *fdt, int node, unsigned int index,
		    uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	uint32_t len;

	if (parent < 0)
		return parent;
	if (parent != fdt_root(fdt) &&
	    (!fdt_prop(fdt, parent, "ranges", &len) || len != 0)) {
		printk("dtb: %s: address translation through \"ranges\" is not supported\n",
		       fdt_node_name(fdt, node));
		return -EINVAL;
	}
	return fdt_reg(fdt, node, index, base, size);
}

static void add_memory(struct platform *p, uint64_t base, uint64_t size)
{
	if (size == 0)
		return;
	if (p->mem_count == BOOT_MEM_MAX) {
		printk("dtb: more than %d memory ranges, ignoring %#lx+%#lx\n",
		       BOOT_MEM_MAX, base, size);
		return;
	}
	p->mem[p->mem_count].base = base;
	p->mem[p->mem_count].size = size;
	p->mem_count++;
}

/* Every "reg" range of the top-level nodes with device_type "memory". */
static void probe_memory(struct platform *p, const struct fdt *fdt)
{
	uint64_t base, size;
	unsigned int i;
	int depth = 0;
	int node, err;

	for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		const char *type = fdt_prop_string(fdt, node, "device_type");

		if (depth != 1 || !type || strcmp(type, "memory") != 0 ||
		    !fdt_is_enabled(fdt, node))
			continue;
		for (i = 0; (err = fdt_reg(fdt, node, i, &base, &size)) == 0; i++)
			add_memory(p, base, size);
		if (err != -ENOENT)
			printk("dtb: %s: unusable \"reg\" (error %d)\n",
			       fdt_node_name(fdt, node), err);
	}
	if (p->mem_count == 0) {
		printk("dtb: no memory node: assuming %lu MiB at %#lx\n",
		       VIRT_DEFAULT_RAM >> 20, VIRT_RAM_BASE);
		add_memory(p, VIRT_RAM_BASE, VIRT_DEFAULT_RAM);
	}
}

/* /chosen: kernel parameters, initrd, and U-Boot's mark. */
static void probe_chosen(struct platform *p, const struct fdt *fdt)
{
	int chosen = fdt_path(fdt, "/chosen");
	uint64_t start, end;

	if (chosen < 0)
		return;
	p->bootargs = fdt_prop_string(fdt, chosen, "bootargs");
	p->uboot_version = fdt_prop_string(fdt, chosen, "u-boot,version");
	if (!fdt_prop(fdt, chosen, "linux,initrd-start", NULL))
		return;
	if (!fdt_prop_u64(fdt, chosen, "linux,initrd-start", &start) ||
	    !fdt_prop_u64(fdt, chosen, "linux,initrd-end", &end) ||
	    end < start) {
		printk("dtb: /chosen: malformed linux,initrd-start/end, ignoring the initrd\n");
		return;
	}
	p->initrd_start = start;
	p->initrd_end = end;
}

/* The node /chosen/stdout-path names ("/path" or "alias", ":options" dropped). */
static int stdout_node(const struct fdt *fdt)
{
	char path[STDOUT_PATH_MAX];
	const char *s = fdt_prop_string(fdt, fdt_path(fdt, "/chosen"), "stdout-path");
	size_t len;

	for (len = 0; s && s[len] && s[len] != ':' && len + 1 < sizeof(path); len++)
		path[len] = s[len];
	path[len] = '\0';
	if (len == 0)
		return -ENOENT;
	if (path[0] != '/') {
		s = fdt_prop_string(fdt, fdt_path(fdt, "/aliases"), path);
		if (!s || strlcpy(path, s, sizeof(path)) >= sizeof(path))
			return -ENOENT;
	}
	return fdt_path(fdt, path);
}

/* The PL011 named by stdout-path, else the first enabled one. */
static void probe_uart(struct platform *p, const struct fdt *fdt)
{
	uint64_t base, size;
	int node = stdout_node(fdt);

	if (node < 0 || !fdt_is_compatible(fdt, node, "arm,pl011"))
		node = fdt_find_compatible(fdt, -1, "arm,pl011");
	if (node < 0) {
		printk("dtb: no arm,pl011 UART: keeping the QEMU virt default %#lx\n",
		       p->uart_base);
		return;
	}
	if (node_reg(fdt, node, 0, &base, &size) != 0) {
		printk("dtb: %s: no usable \"reg\": keeping the UART at %#lx\n",
		       fdt_node_name(fdt, node), p->uart_base);
		return;
	}
	p->uart_base = base;
	p->uart_from_dtb = true;
}

static void probe_psci(struct platform *p, const struct fdt *fdt)
{
	static const char *const compat[] = {
		"arm,psci-1.0", "arm,psci-0.2", "arm,psci",
	};
	unsigned int i;
	int node = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(compat) && node < 0; i++)
		node = fdt_find_compatible(fdt, -1, compat[i]);
	if (node >= 0)
		p->psci_method = fdt_prop_string(fdt, node, "method");
}

/* GICv3 ("arm,gic-v3": distributor, redistributors) or GICv2 (distributor, CPU interface). */
static void probe_gic(struct platform *p, const struct fdt *fdt)
{
	static const char *const v2_compat[] = {
		"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic",
	};
	unsigned int i;
	int node = fdt_find_compatible(fdt, -1, "arm,gic-v3");

	p->gic_version = 3;
	for (i = 0; i < ARRAY_SIZE(v2_compat) && node < 0; i++) {
		node = fdt_find_compatible(fdt, -1, v2_compat[i]);
		p->gic_version = 2;
	}
	if (node < 0 ||
	    node_reg(fdt, node, 0, &p->gic_dist, &p->gic_dist_size) != 0 ||
	    node_reg(fdt, node, 1, &p->gic_cpu, &p->gic_cpu_size) != 0) {
		if (node >= 0)
			printk("dtb: %s: GIC without two \"reg\" entries, ignored\n",
			       fdt_node_name(fdt, node));
		p->gic_version = 0;
		return;
	}
	if (!fdt_prop_u32(fdt, node, "#interrupt-cells", &p->gic_irq_cells))
		printk("dtb: %s: no #interrupt-cells\n", fdt_node_name(fdt, node));
}

/*
 * The EL1 physical timer's INTID: the second "interrupts" entry of the
 * arm,armv8-timer node (Linux bindings/timer/arm,arch_timer.yaml: secure,
 * non-secure physical, virtual, hypervisor). Each entry is a GIC
 * specifier of #interrupt-cells (3, or 4 with a GICv3 PPI partition):
 * <type number flags ...>, type 1 = PPI, INTID = 16 + number.
 */
static void probe_timer(struct platform *p, const struct fdt *fdt)
{
	int node = fdt_find_compatible(fdt, -1, "arm,armv8-timer");
	uint32_t len, stride = p->gic_irq_cells * 4, type, num;
	const uint8_t *irqs;

	if (node < 0) {
		printk("dtb: no arm,armv8-timer node\n");
		return;
	}
	irqs = fdt_prop(fdt, node, "interrupts", &len);
	if (!irqs || p->gic_irq_cells < 3 || p->gic_irq_cells > 4 ||
	    len % stride != 0 || len < 2 * stride) {
		printk("dtb: %s: \"interrupts\" is not a list of GIC "
		       "specifiers with a second entry\n",
		       fdt_node_name(fdt, node));
		return;
	}
	type = (uint32_t)fdt_read_cells(irqs + stride, 1);
	num = (uint32_t)fdt_read_cells(irqs + stride + 4, 1);
	if (type != 1 || num >= 16) {
		printk("dtb: %s: the non-secure physical timer is not a PPI "
		       "(type %u, number %u)\n", fdt_node_name(fdt, node),
		       type, num);
		return;
	}
	p->timer_intid = 16 + num;
}

int platform_probe(struct platform *p, paddr_t dtb_pa, uint64_t avail)
{
	struct fdt fdt;
	const char *why = "could not be mapped";

	memset(p, 0, sizeof(*p));
	p->dtb_pa = dtb_pa;
	p->uart_base = VIRT_UART_BASE;
	if ((avail == 0 && dtb_pa % 8 == 0) ||
	    fdt_open(&fdt, phys_to_virt(dtb_pa), avail, &why) != 0) {
		printk("dtb: DTB at %#lx rejected: %s\n", dtb_pa, why);
		printk("dtb: using QEMU virt defaults: PL011 at %#lx, %lu MiB of RAM at %#lx\n",
		       p->uart_base, VIRT_DEFAULT_RAM >> 20, VIRT_RAM_BASE);
		add_memory(p, VIRT_RAM_BASE, VIRT_DEFAULT_RAM);
		return -EINVAL;
	}
	p->dtb_valid = true;
	p->dtb_size = fdt.totalsize;
	p->fdt = fdt;
	probe_memory(p, &fdt);
	probe_chosen(p, &fdt);
	probe_uart(p, &fdt);
	probe_psci(p, &fdt);
	probe_gic(p, &fdt);
	probe_timer(p, &fdt);
	return 0;
}
