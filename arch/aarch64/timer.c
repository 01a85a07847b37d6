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

/*
 * CNTKCTL_EL1 (Arm ARM, "CNTKCTL_EL1, Counter-timer Kernel Control
 * Register"): EL0PCTEN(0) EL0 reads of CNTPCT_EL0, EL0VCTEN(1) of
 * CNTVCT_EL0 (either one also allows CNTFRQ_EL0), EVNTEN(2) the event
 * stream, EL0VTEN(8) the virtual timer CNTV_*, EL0PTEN(9) the physical
 * timer CNTP_*; 0 traps the access to EL1.
 */
#define CNTKCTL_EL0VCTEN	(1UL << 1)

/*
 * What Linux's arch_counter_set_user_access() leaves: EL0 reads the
 * virtual counter and its frequency (vDSO clocks, static programs timing
 * themselves with mrs cntvct_el0); the physical counter, both timers and
 * the event stream stay off, so such an access from EL0 traps and kills
 * the program with SIGILL.
 */
#define CNTKCTL_EL0_ACCESS	CNTKCTL_EL0VCTEN

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

void timer_cpu_init(void)
{
	/*
	 * Written whole: the reset value of most fields is UNKNOWN on real
	 * CPUs. Under an EL2 we left, CNTHCTL_EL2 (el2.S) only decides what
	 * EL1 and EL0 may reach past EL1: these EL0 traps to EL1 come first.
	 */
	write_sysreg(cntkctl_el1, CNTKCTL_EL0_ACCESS);
	/* In effect before this CPU first enters EL0 (the ERET of a later
	 * user_return is itself a context synchronization event, but the
	 * ISB keeps that reasoning out of every caller). */
	isb();
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
