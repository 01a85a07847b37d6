/*
 * The Arm Generic Interrupt Controller behind one small interface: GICv2
 * (gic_v2.c: distributor and CPU interface in MMIO) or GICv3 (gic_v3.c:
 * distributor, per-CPU redistributors, CPU interface in ICC_* system
 * registers). gic.c picks one from the DTB, dispatches IRQs and sends
 * IPIs. References: GICv2 = Arm IHI 0048B, GICv3 = Arm IHI 0069H.
 *
 * The kernel uses only SGIs (IPIs) and PPIs (the per-CPU timer), all in
 * the group that the CPU interface signals as IRQ, never FIQ.
 */
#ifndef MACHINE_GIC_H
#define MACHINE_GIC_H

#include <kern/types.h>

struct cpu;
struct cpuset;
struct platform;

/* INTID ranges (IHI 0069H, "INTIDs"): SGIs 0-15, PPIs 16-31, then SPIs. */
#define GIC_NR_SGIS		16
#define GIC_NR_PRIVATE		32
#define GIC_INTID_SPECIAL	1020	/* 1020-1023: no interrupt to handle */

/*
 * Priority of every interrupt the kernel enables: the middle of the range,
 * so it passes a priority mask of 0xff even where a GIC implements only
 * the upper bits (IHI 0069H and IHI 0048B, "Interrupt prioritization").
 */
#define GIC_PRIO_KERNEL		0xa0
#define GIC_PRIO_KERNEL_X4	0xa0a0a0a0U	/* four byte-wide fields */

/* One GIC version's operations; every hook runs with interrupts off. */
struct gic_ops {
	const char *name;		/* "GICv2" / "GICv3" */
	/* Boot CPU, for each discovered CPU: can it take interrupts? */
	int (*cpu_probe)(struct cpu *c);
	/* On the CPU itself: its private interrupts and CPU interface. */
	void (*cpu_init)(struct cpu *c);
	/* Enable SGI or PPI @intid on the calling CPU. */
	void (*enable_private)(unsigned int intid);
	/* Disable @intid: for a private one on the calling CPU only. */
	void (*disable)(unsigned int intid);
	/* Acknowledge the highest-priority pending interrupt: returns the
	 * token to hand to eoi() and its INTID in *@intid. */
	uint32_t (*ack)(unsigned int *intid);
	void (*eoi)(uint32_t token);
	/* SGI @sgi to every CPU in @targets (the caller may be one). */
	void (*send_sgi)(const struct cpuset *targets, unsigned int sgi);
};

/* Each returns its ops after resetting the distributor, or NULL (the
 * reason printed). Boot CPU only, other CPUs not yet started. */
const struct gic_ops *gic_v2_init(const struct platform *p);
const struct gic_ops *gic_v3_init(const struct platform *p);

/*
 * Bring up the GIC the DTB describes: reset the distributor with every
 * shared interrupt disabled. Returns 0 or -ENODEV (no usable GIC; the
 * reason is printed, and the kernel then runs without interrupts).
 * Locking: boot CPU only, before any other CPU runs.
 */
int gic_init(const struct platform *p);

/* Whether gic_init() found a usable GIC. */
bool gic_present(void);

/*
 * Can CPU @c (hw_id set) be given interrupts? Fills c->arch. Returns 0,
 * or -ENODEV with the reason printed (then @c must not be started).
 * Locking: boot CPU only, in arch_smp_discover().
 */
int gic_cpu_probe(struct cpu *c);

/* Set up the calling CPU's private interrupts and CPU interface. Enables
 * the SGIs used for IPIs. Locking: on the CPU itself, interrupts off. */
void gic_cpu_init(struct cpu *c);

/* Enable PPI @intid on the calling CPU. Locking: interrupts off. */
void gic_enable_ppi(unsigned int intid);

/* The IRQ exception handler's body: acknowledge, dispatch and EOI every
 * pending interrupt. Locking: interrupts off (exception entry masks them). */
void gic_handle_irq(void);

#endif
