/*
 * GICv2 (Arm IHI 0048B): a distributor and a CPU interface, both MMIO.
 * Registers of interrupts 0-31 (SGIs and PPIs) are banked per CPU in the
 * distributor, so each CPU sets up its own through the same addresses.
 *
 * Groups: on a GIC without the Security Extensions (QEMU virt with
 * secure=off) every interrupt is put in Group 0, which the CPU interface
 * signals as IRQ while GICC_CTLR.FIQEn is 0 (IHI 0048B, GICC_CTLR). A Group 1
 * interrupt would read as 1022 from GICC_IAR with AckCtl 0, so none is
 * left there. In the Non-secure view of a GIC with the Security
 * Extensions, the same writes enable Group 1 and the IGROUPR writes are
 * ignored: secure firmware owns the grouping there.
 */

#include <kern/errno.h>
#include <kern/printk.h>
#include <machine/gic.h>
#include <machine/memlayout.h>
#include <machine/mmio.h>
#include <machine/platform.h>
#include <smp/cpu.h>

/* Distributor registers (IHI 0048B, "Distributor register descriptions"). */
#define GICD_CTLR		0x000
#define GICD_TYPER		0x004
#define GICD_IGROUPR		0x080
#define GICD_ISENABLER		0x100
#define GICD_ICENABLER		0x180
#define GICD_ICPENDR		0x280
#define GICD_ICACTIVER		0x380
#define GICD_IPRIORITYR		0x400
#define GICD_ITARGETSR		0x800
#define GICD_SGIR		0xf00

#define GICD_CTLR_ENABLE	(1U << 0)
#define GICD_TYPER_LINES(t)	(32 * (((t) & 0x1f) + 1))
#define GICD_TYPER_CPUS(t)	((((t) >> 5) & 0x7) + 1)
/* GICD_SGIR: TargetListFilter 0 (use the list) in [25:24], CPUTargetList
 * in [23:16], NSATT 0, SGIINTID in [3:0]. */
#define GICD_SGIR_TARGETS(l)	((uint32_t)(l) << 16)

/* CPU interface registers (IHI 0048B, "CPU interface register
 * descriptions"). */
#define GICC_CTLR		0x00
#define GICC_PMR		0x04
#define GICC_IAR		0x0c
#define GICC_EOIR		0x10

#define GICC_CTLR_ENABLE	(1U << 0)
#define GICC_PMR_ALL		0xff	/* let every priority through */
#define GICC_IAR_INTID(iar)	((iar) & 0x3ff)

/* GICv2 names a CPU interface by one bit of an 8-bit target list. */
#define GICV2_MAX_CPUS		8

static volatile uint8_t *gicd;
static volatile uint8_t *gicc;
static unsigned int gic_cpu_ifaces;	/* GICD_TYPER.CPUNumber + 1 */

static int v2_cpu_probe(struct cpu *c)
{
	if (c->id < GICV2_MAX_CPUS)
		return 0;
	printk("gic: GICv2 serves at most %u CPUs: MPIDR %#lx left out "
	       "(use gic-version=3)\n", GICV2_MAX_CPUS, c->hw_id);
	return -ENODEV;
}

static void v2_cpu_init(struct cpu *c)
{
	unsigned int i;

	/*
	 * GICD_ITARGETSR0-7 are read-only and banked: each byte reads as
	 * the mask of the CPU interface doing the read (IHI 0048B,
	 * GICD_ITARGETSRn).
	 * That bit, not the MPIDR, is what GICD_SGIR targets. A GIC with
	 * one CPU interface may read 0 here; it needs no IPIs.
	 */
	c->arch.gicv2_target = (uint8_t)mmio_read32(gicd + GICD_ITARGETSR);
	if (c->arch.gicv2_target == 0 && gic_cpu_ifaces > 1)
		printk("gic: cpu%u: GICD_ITARGETSR0 reads 0: no IPI can reach it\n",
		       c->id);
	mmio_write32(gicd + GICD_ICENABLER, ~0U);
	mmio_write32(gicd + GICD_IGROUPR, 0);
	for (i = 0; i < GIC_NR_PRIVATE; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIO_KERNEL_X4);
	mmio_write32(gicc + GICC_PMR, GICC_PMR_ALL);
	mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE);
}

static void v2_enable_private(unsigned int intid)
{
	mmio_write32(gicd + GICD_ISENABLER, 1U << intid);
}

/* GICD_ICENABLERn: one bit per INTID; n = 0 is banked per CPU. */
static void v2_disable(unsigned int intid)
{
	mmio_write32(gicd + GICD_ICENABLER + intid / 32 * 4,
		     1U << (intid % 32));
}

static uint32_t v2_ack(unsigned int *intid)
{
	uint32_t iar = mmio_read32(gicc + GICC_IAR);

	*intid = GICC_IAR_INTID(iar);
	return iar;
}

/* The whole IAR value: for an SGI it names the source CPU as well, and
 * EOIR must match it (IHI 0048B, GICC_EOIR). */
static void v2_eoi(uint32_t iar)
{
	mmio_write32(gicc + GICC_EOIR, iar);
}

static void v2_send_sgi(const struct cpuset *targets, unsigned int sgi)
{
	unsigned int cpu;
	uint32_t list = 0;

	for_each_cpu_in(cpu, targets)
		list |= cpus[cpu].arch.gicv2_target;
	if (list)
		mmio_write32(gicd + GICD_SGIR, GICD_SGIR_TARGETS(list) | sgi);
}

static const struct gic_ops gic_v2_ops = {
	.name = "GICv2",
	.cpu_probe = v2_cpu_probe,
	.cpu_init = v2_cpu_init,
	.enable_private = v2_enable_private,
	.disable = v2_disable,
	.ack = v2_ack,
	.eoi = v2_eoi,
	.send_sgi = v2_send_sgi,
};

const struct gic_ops *gic_v2_init(const struct platform *p)
{
	uint32_t typer, lines, i;

	gicd = phys_to_virt(p->gic_dist);
	gicc = phys_to_virt(p->gic_cpu);
	typer = mmio_read32(gicd + GICD_TYPER);
	lines = GICD_TYPER_LINES(typer);
	gic_cpu_ifaces = GICD_TYPER_CPUS(typer);
	/* Firmware (U-Boot) may have left shared interrupts enabled,
	 * pending or active; the kernel has no handler for any of them. */
	mmio_write32(gicd + GICD_CTLR, 0);
	for (i = GIC_NR_PRIVATE; i < lines; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0U);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0U);
		mmio_write32(gicd + GICD_ICACTIVER + i / 8, ~0U);
	}
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ENABLE);
	printk("gic: GICv2 ready, %u interrupt lines, %u CPU interface(s)\n",
	       lines, gic_cpu_ifaces);
	return &gic_v2_ops;
}
