/*
 * GICv3 (Arm IHI 0069H): the distributor (MMIO) handles shared
 * interrupts, one redistributor per CPU (MMIO) its SGIs and PPIs, and the
 * CPU interface is the ICC_*_EL1 system registers. Affinity routing
 * (GICD_CTLR.ARE) is on, so SGIs are addressed by MPIDR affinity.
 *
 * Groups: every interrupt is Non-secure Group 1, which the CPU interface
 * signals as IRQ at EL1 (IHI 0069H, "Interrupt grouping"). QEMU virt
 * without secure=on has a single Security state (GICD_CTLR.DS = 1); the
 * register writes below mean the same in the Non-secure view of a GIC
 * with two.
 */

#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <machine/gic.h>
#include <machine/memlayout.h>
#include <machine/mmio.h>
#include <machine/platform.h>
#include <machine/sysreg.h>
#include <smp/cpu.h>

/* Distributor register map (IHI 0069H, "The GIC Distributor register map"). */
#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IGROUPR		0x0080
#define GICD_ICENABLER		0x0180
#define GICD_ICPENDR		0x0280
#define GICD_ICACTIVER		0x0380

/* GICD_CTLR, Non-secure view / DS = 1 view: bit 0 enables Group 1 /
 * Group 0, bit 1 Group 1 (NS) in both, bit 4 is ARE_NS / ARE. */
#define GICD_CTLR_ENABLE_G1	(1U << 0)
#define GICD_CTLR_ENABLE_G1A	(1U << 1)
#define GICD_CTLR_ARE_NS	(1U << 4)
#define GICD_CTLR_RWP		(1U << 31)
#define GICD_TYPER_LINES(t)	MIN(32 * (((t) & 0x1f) + 1), 1020U)
#define GICD_TYPER_RSS		(1U << 26)

/* Redistributor: the RD_base frame, then SGI_base 64 KiB on (IHI 0069H,
 * "The GIC Redistributor register map"). */
#define GICR_CTLR		0x0000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_SGI_BASE		0x10000
#define GICR_IGROUPR0		(GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0		(GICR_SGI_BASE + 0x0180)
#define GICR_IPRIORITYR		(GICR_SGI_BASE + 0x0400)

#define GICR_CTLR_RWP		(1U << 3)
#define GICR_TYPER_VLPIS	(1UL << 1)	/* GICv4: 2 more 64 KiB frames */
#define GICR_TYPER_LAST		(1UL << 4)
#define GICR_TYPER_AFF(t)	((t) >> 32)	/* Aff3.Aff2.Aff1.Aff0 */
#define GICR_WAKER_SLEEP	(1U << 1)	/* ProcessorSleep */
#define GICR_WAKER_ASLEEP	(1U << 2)	/* ChildrenAsleep */
#define GICR_FRAMES_V3		0x20000
#define GICR_FRAMES_V4		0x40000

/* CPU interface system registers (IHI 0069H, ICC_SRE_EL1 and others). */
#define ICC_SRE_SRE		(1UL << 0)
#define ICC_SRE_DFB		(1UL << 1)
#define ICC_SRE_DIB		(1UL << 2)
#define ICC_PMR_ALL		0xff
#define ICC_IAR_INTID(iar)	((iar) & 0xffffff)
#define ICC_IGRPEN1_ENABLE	1

/* ICC_SGI1R_EL1: SGIs to Aff3.Aff2.Aff1.<RS * 16 + bit>. */
#define SGI1R_TARGETS(list)	((uint64_t)(list))
#define SGI1R_AFF1(a)		((uint64_t)(a) << 16)
#define SGI1R_INTID(n)		((uint64_t)(n) << 24)
#define SGI1R_AFF2(a)		((uint64_t)(a) << 32)
#define SGI1R_RS(r)		((uint64_t)(r) << 44)
#define SGI1R_AFF3(a)		((uint64_t)(a) << 48)

/* Register-write-pending and wake-up polls finish at once in QEMU; a
 * real GIC takes microseconds. The bound only turns a dead GIC into a
 * message instead of a hang. */
#define GIC_POLL_SPINS		1000000

static volatile uint8_t *gicd;
static volatile uint8_t *gicr_region;
static uint64_t gicr_region_size;
/* GICD_TYPER.RSS: SGIs can reach Aff0 16-255 through range selectors. */
static bool gic_rss;

static void poll_clear(volatile uint8_t *reg, uint32_t bits, const char *what)
{
	unsigned int n;

	for (n = 0; n < GIC_POLL_SPINS; n++)
		if (!(mmio_read32(reg) & bits))
			return;
	printk("gic: %s still busy after %u polls\n", what, GIC_POLL_SPINS);
}

/* GICR_TYPER's 32-bit affinity value for an MPIDR affinity. */
static uint32_t mpidr_to_gicr_aff(uint64_t mpidr)
{
	return (uint32_t)(MPIDR_AFF3(mpidr) << 24 | MPIDR_AFF2(mpidr) << 16 |
			  MPIDR_AFF1(mpidr) << 8 | MPIDR_AFF0(mpidr));
}

/* Find @c's redistributor by affinity (IHI 0069H, GICR_TYPER:
 * the frames are contiguous and Last marks the final one of a region). */
static int v3_cpu_probe(struct cpu *c)
{
	uint32_t want = mpidr_to_gicr_aff(c->hw_id);
	uint64_t off, typer;

	if (MPIDR_AFF0(c->hw_id) >= 16 && !gic_rss) {
		printk("gic: MPIDR %#lx: Aff0 above 15 and no SGI range "
		       "selectors (GICD_TYPER.RSS = 0): left out\n", c->hw_id);
		return -ENODEV;
	}
	for (off = 0; off + GICR_FRAMES_V3 <= gicr_region_size;) {
		typer = mmio_read64(gicr_region + off + GICR_TYPER);
		if (GICR_TYPER_AFF(typer) == want) {
			c->arch.gicr = gicr_region + off;
			return 0;
		}
		if (typer & GICR_TYPER_LAST)
			break;
		off += typer & GICR_TYPER_VLPIS ? GICR_FRAMES_V4 :
						  GICR_FRAMES_V3;
	}
	printk("gic: no GICv3 redistributor for MPIDR %#lx: left out\n",
	       c->hw_id);
	return -ENODEV;
}

/* The system-register CPU interface must be enabled before any other
 * ICC_* access (IHI 0069H, ICC_SRE_EL1); EL2, if we came through it, allowed
 * it (el2.S sets ICC_SRE_EL2.Enable). */
static void v3_cpu_interface_init(struct cpu *c)
{
	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | ICC_SRE_SRE |
		     ICC_SRE_DFB | ICC_SRE_DIB);
	isb();
	if (!(read_sysreg(icc_sre_el1) & ICC_SRE_SRE)) {
		printk("gic: cpu%u: ICC_SRE_EL1.SRE stays 0: no interrupts\n",
		       c->id);
		return;
	}
	write_sysreg(icc_pmr_el1, ICC_PMR_ALL);
	write_sysreg(icc_bpr1_el1, 0);
	/* EOImode 0: an EOIR write both drops priority and deactivates. */
	write_sysreg(icc_ctlr_el1, 0);
	write_sysreg(icc_igrpen1_el1, ICC_IGRPEN1_ENABLE);
	isb();
}

static void v3_cpu_init(struct cpu *c)
{
	volatile uint8_t *rd = c->arch.gicr;
	unsigned int i;

	if (!rd)
		return;		/* v3_cpu_probe() said why */
	/* A redistributor starts asleep; it forwards nothing until woken
	 * and its ChildrenAsleep reads 0 (IHI 0069H, GICR_WAKER). */
	mmio_write32(rd + GICR_WAKER,
		     mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	poll_clear(rd + GICR_WAKER, GICR_WAKER_ASLEEP, "GICR_WAKER");
	mmio_write32(rd + GICR_ICENABLER0, ~0U);
	poll_clear(rd + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP");
	mmio_write32(rd + GICR_IGROUPR0, ~0U);
	for (i = 0; i < GIC_NR_PRIVATE; i += 4)
		mmio_write32(rd + GICR_IPRIORITYR + i, GIC_PRIO_KERNEL_X4);
	v3_cpu_interface_init(c);
}

static void v3_enable_private(unsigned int intid)
{
	volatile uint8_t *rd = this_cpu()->arch.gicr;

	if (rd)
		mmio_write32(rd + GICR_ISENABLER0, 1U << intid);
}

/* Private interrupts live in the CPU's redistributor, SPIs in the
 * distributor (with ARE on, GICD_ICENABLER0 is RES0). */
static void v3_disable(unsigned int intid)
{
	volatile uint8_t *rd = this_cpu()->arch.gicr;

	if (intid >= GIC_NR_PRIVATE)
		mmio_write32(gicd + GICD_ICENABLER + intid / 32 * 4,
			     1U << (intid % 32));
	else if (rd)
		mmio_write32(rd + GICR_ICENABLER0, 1U << intid);
}

static uint32_t v3_ack(unsigned int *intid)
{
	uint32_t iar = (uint32_t)read_sysreg(icc_iar1_el1);

	*intid = ICC_IAR_INTID(iar);
	return iar;
}

static void v3_eoi(uint32_t iar)
{
	write_sysreg(icc_eoir1_el1, iar);
	isb();
}

/* SGI @sgi to the CPUs of @list in the group of 16 named by @group (an
 * MPIDR affinity with Aff0's low four bits clear). */
static void sgi1r_write(uint64_t group, uint64_t list, unsigned int sgi)
{
	write_sysreg(icc_sgi1r_el1, SGI1R_AFF3(MPIDR_AFF3(group)) |
		     SGI1R_RS(MPIDR_AFF0(group) >> 4) |
		     SGI1R_AFF2(MPIDR_AFF2(group)) | SGI1R_INTID(sgi) |
		     SGI1R_AFF1(MPIDR_AFF1(group)) | SGI1R_TARGETS(list));
}

/* One ICC_SGI1R_EL1 write reaches up to 16 CPUs sharing Aff3.Aff2.Aff1
 * and one range selector: one write per such group of targets. */
static void v3_send_sgi(const struct cpuset *targets, unsigned int sgi)
{
	uint64_t group = 0, list = 0, m;
	unsigned int cpu;

	for_each_cpu_in(cpu, targets) {
		m = cpus[cpu].hw_id;
		if ((m & ~0xfUL) != group && list) {
			sgi1r_write(group, list, sgi);
			list = 0;
		}
		group = m & ~0xfUL;
		list |= 1UL << (m & 0xf);
	}
	if (list)
		sgi1r_write(group, list, sgi);
	/* Generate the SGIs now, not at the next context synchronisation. */
	isb();
}

static const struct gic_ops gic_v3_ops = {
	.name = "GICv3",
	.cpu_probe = v3_cpu_probe,
	.cpu_init = v3_cpu_init,
	.enable_private = v3_enable_private,
	.disable = v3_disable,
	.ack = v3_ack,
	.eoi = v3_eoi,
	.send_sgi = v3_send_sgi,
};

const struct gic_ops *gic_v3_init(const struct platform *p)
{
	uint32_t typer, lines, i;

	if (id_aa64pfr0_field(ID_AA64PFR0_GIC_SHIFT) == 0) {
		printk("gic: the DTB names a GICv3 but this CPU has no GIC "
		       "system registers (ID_AA64PFR0_EL1.GIC = 0)\n");
		return NULL;
	}
	gicd = phys_to_virt(p->gic_dist);
	gicr_region = phys_to_virt(p->gic_cpu);
	gicr_region_size = p->gic_cpu_size;
	typer = mmio_read32(gicd + GICD_TYPER);
	lines = GICD_TYPER_LINES(typer);
	gic_rss = typer & GICD_TYPER_RSS;
	/* ARE may change only while both groups are disabled (IHI 0069H,
	 * GICD_CTLR). */
	mmio_write32(gicd + GICD_CTLR, 0);
	poll_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
	for (i = GIC_NR_PRIVATE; i < lines; i += 32) {
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ~0U);
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0U);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0U);
		mmio_write32(gicd + GICD_ICACTIVER + i / 8, ~0U);
	}
	poll_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A |
		     GICD_CTLR_ENABLE_G1);
	poll_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
	printk("gic: GICv3 ready, %u interrupt lines%s\n", lines,
	       gic_rss ? ", SGI range selectors" : "");
	return &gic_v3_ops;
}
