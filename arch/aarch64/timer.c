/*
 * The generic timer: arch_clock_ns() from the system counter, and the
 * per-CPU periodic tick from the EL1 physical timer. Each CPU has its own
 * comparator, interrupting on the same PPI. The timer is a countdown:
 * writing CNTP_TVAL_EL0 = N fires it N counter ticks from now (Arm ARM,
 * CNTP_TVAL_EL0), so re-arming in the handler gives the period plus handler
 * latency. Drift is harmless for a scheduling tick and never builds up a
 * backlog of interrupts the way an absolute CNTP_CVAL schedule could.
 */

#include <kern/compiler.h>
#include <kern/printk.h>
#include <kern/thread_md.h>
#include <machine/gic.h>
#include <machine/platform.h>
#include <machine/sysreg.h>
#include <machine/timer.h>
#include <smp/smp_md.h>

/* QEMU virt's EL1 physical timer: PPI 14, INTID 16 + 14. */
#define TIMER_DEFAULT_INTID	30

/* CNTP_CTL_EL0: ENABLE, IMASK (0: interrupt not masked). */
#define CNTP_CTL_ENABLE		(1UL << 0)

#define NSEC_PER_SEC		1000000000UL

static unsigned int timer_irq = TIMER_DEFAULT_INTID;
/* Counter ticks per period; every CPU stores the same value. */
static uint64_t timer_period;

void timer_init(const struct platform *p)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (p->timer_intid)
		timer_irq = p->timer_intid;
	printk("timer: generic timer at %lu Hz, EL1 physical timer on INTID %u "
	       "(%s)\n", freq, timer_irq,
	       p->timer_intid ? "from the DTB" : "QEMU virt default");
	if (freq == 0)
		printk("timer: CNTFRQ_EL0 is 0 (not set by firmware): no tick\n");
}

unsigned int timer_intid(void)
{
	return timer_irq;
}

uint64_t arch_timer_start(unsigned int hz)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (freq == 0 || hz == 0)
		return freq;
	WRITE_ONCE(timer_period, freq / hz);
	write_sysreg(cntp_tval_el0, timer_period);
	write_sysreg(cntp_ctl_el0, CNTP_CTL_ENABLE);
	isb();
	gic_enable_ppi(timer_irq);
	return freq;
}

void timer_handle_irq(void)
{
	/*
	 * The timer's output is a level: it stays asserted while the
	 * condition holds (Arm ARM, CNTP_CTL_EL0.ISTATUS). The new TVAL
	 * clears it before the EOI; the ISB makes sure the write has taken
	 * effect by then.
	 */
	write_sysreg(cntp_tval_el0, READ_ONCE(timer_period));
	isb();
	smp_handle_tick();
}

/*
 * The virtual count (CNTVOFF_EL2 is 0: el2.S, or no EL2) is the
 * system counter, one count for all CPUs, so the result is consistent
 * across them. ticks * 10^9 would overflow 64 bits after 295 s at
 * 62.5 MHz: whole seconds and the remainder are scaled apart, exact and
 * without 128-bit division (which would need a compiler-rt helper); the
 * remainder term stays below 2^64 for any CNTFRQ below 2^34 Hz.
 */
uint64_t arch_clock_ns(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t ticks;

	if (freq == 0)
		return 0;
	/* Without the ISB the read may be performed early, before
	 * instructions that precede it (Arm ARM, "Reading the counter"). */
	isb();
	ticks = read_sysreg(cntvct_el0);
	return ticks / freq * NSEC_PER_SEC + ticks % freq * NSEC_PER_SEC / freq;
}
