/*
 * Local APIC access in xAPIC and x2APIC mode (Intel SDM vol. 3A ch. 10).
 * The mode is chosen once on the boot CPU and then applied by every CPU to
 * its own APIC: it is per-CPU state, but mixing modes would make APIC IDs
 * and IPIs mean different things on different CPUs.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <machine/cpufunc.h>
#include <machine/early_map.h>
#include <machine/lapic.h>
#include <machine/pic8259.h>
#include <smp/cpu.h>

#define X2APIC_MSR_BASE		0x800u
#define X2APIC_MSR_ICR		0x830u

#define SVR_ENABLE		(1u << 8)
#define ICR_DELIVERY_PENDING	(1u << 12)	/* xAPIC only */
#define XAPIC_ID_SHIFT		24
#define XAPIC_BROADCAST_ID	0xffu
#define X2APIC_BROADCAST_ID	0xffffffffu

/*
 * The xAPIC takes an IPI in well under a microsecond; this many polls of
 * the delivery-status bit means it is wedged. A bound, not a delay.
 */
#define ICR_POLL_LIMIT		1000000u

/* Set once on the boot CPU before any other CPU starts; read-only after. */
static volatile uint32_t *lapic_mmio;
static bool lapic_x2apic;

bool lapic_x2apic_mode(void)
{
	return lapic_x2apic;
}

uint32_t lapic_max_dest_id(void)
{
	/* The all-ones ID is the broadcast address in both modes. */
	return lapic_x2apic ? X2APIC_BROADCAST_ID - 1 : XAPIC_BROADCAST_ID - 1;
}

uint32_t lapic_read(uint32_t reg)
{
	if (lapic_x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
	return lapic_mmio[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2apic)
		wrmsr(X2APIC_MSR_BASE + reg / 16, v);
	else
		lapic_mmio[reg / 4] = v;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return lapic_x2apic ? id : id >> XAPIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	/* x2APIC: a non-zero EOI write raises #GP (10.12.1.2). */
	lapic_write(LAPIC_EOI, 0);
}

/*
 * Switch this CPU's APIC to the chosen mode. x2APIC is entered from
 * xAPIC-enabled (EN, then EN|EXTD): the state machine of 10.12.5 forbids
 * going there from disabled.
 */
static void lapic_enable_mode(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_APIC_BASE, base);
	}
	if (lapic_x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
}

int lapic_init_boot(bool allow_x2apic)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint64_t base;

	if (!(r.edx & CPUID_1_EDX_APIC) || !(r.edx & CPUID_1_EDX_MSR)) {
		printk("lapic: CPUID.1 reports no local APIC (edx %#x)\n",
		       r.edx);
		return -ENODEV;
	}
	base = rdmsr(MSR_APIC_BASE);
	/* Leaving x2APIC mode would need a disable/re-enable cycle that
	 * resets the APIC (10.12.5): keep what the firmware chose. */
	lapic_x2apic = (base & APIC_BASE_EXTD) ||
		       ((r.ecx & CPUID_1_ECX_X2APIC) && allow_x2apic);
	if (!lapic_x2apic) {
		lapic_mmio = early_map_device(base & APIC_BASE_ADDR, 4096, true);
		if (lapic_mmio == NULL)
			return -ENOMEM;
	}
	printk("lapic: %s mode, base %#llx%s; x2APIC %s by CPUID\n",
	       lapic_x2apic ? "x2APIC" : "xAPIC",
	       (unsigned long long)(base & APIC_BASE_ADDR),
	       base & APIC_BASE_BSP ? " (BSP)" : "",
	       (r.ecx & CPUID_1_ECX_X2APIC) ? "offered" : "not offered");
	pic8259_disable();
	lapic_enable_mode();
	return 0;
}

void lapic_init_local(void)
{
	unsigned int max_lvt;

	lapic_enable_mode();
	/* Software-enable first: while disabled, LVT mask bits cannot be
	 * cleared (10.4.7.2). */
	lapic_write(LAPIC_SVR, SVR_ENABLE | LAPIC_VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	if (!lapic_x2apic)
		lapic_write(LAPIC_DFR, 0xffffffffu);	/* flat model */
	max_lvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_VEC_TIMER);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_DM_NMI);
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_VEC_ERROR);
	/* ESR latches on write: two writes clear what INIT or the firmware
	 * left (10.5.3; x2APIC requires the value 0). */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
}

static int xapic_wait_icr_idle(void)
{
	for (uint32_t i = 0; i < ICR_POLL_LIMIT; i++) {
		if (!(lapic_mmio[LAPIC_ICR_LO / 4] & ICR_DELIVERY_PENDING))
			return 0;
		arch_cpu_relax();
	}
	return -ETIMEDOUT;
}

int lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	unsigned long flags = arch_irq_save();
	int err = 0;

	if (lapic_x2apic) {
		/*
		 * WRMSR to the x2APIC ICR is not serialising and may pass
		 * earlier stores (10.12.3): fence so the target sees what we
		 * queued for it before it sees the IPI.
		 */
		__asm__ __volatile__("mfence; lfence" ::: "memory");
		wrmsr(X2APIC_MSR_ICR, ((uint64_t)dest << 32) | icr_lo);
	} else {
		/* An uncached store is not reordered with earlier stores
		 * (8.2.2), so no fence is needed here. */
		err = xapic_wait_icr_idle();
		if (err == 0) {
			lapic_mmio[LAPIC_ICR_HI / 4] = dest << XAPIC_ID_SHIFT;
			lapic_mmio[LAPIC_ICR_LO / 4] = icr_lo;
		}
	}
	arch_irq_restore(flags);
	return err;
}

void lapic_handle_error(void)
{
	uint32_t esr;

	lapic_write(LAPIC_ESR, 0);
	esr = lapic_read(LAPIC_ESR);
	/* ESR bits: 10.5.3, figure 10-9. */
	printk("lapic: APIC error, ESR %#x%s%s%s%s\n", esr,
	       esr & 0x04 ? " (send accept: no such APIC ID?)" : "",
	       esr & 0x20 ? " (send illegal vector)" : "",
	       esr & 0x40 ? " (received illegal vector)" : "",
	       esr & 0x80 ? " (illegal register address)" : "");
	lapic_eoi();
}
