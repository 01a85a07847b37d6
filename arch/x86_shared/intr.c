/*
 * Interrupts (vectors 32-255) on both x86 modes: dispatch to the MI tick
 * and IPI handlers, and the interrupt-flag half of the MD contract.
 * Every gate is an interrupt gate, so handlers run with IF clear and
 * nothing nests.
 */
#include <kern/arch.h>
#include <machine/cpufunc.h>
#include <machine/lapic.h>
#include <machine/pic8259.h>
#include <machine/x86_trap.h>
#include <smp/smp_md.h>

/*
 * EOI comes first for the tick and the IPIs: the tick will one day switch
 * threads and return much later, and the APIC must not keep the vector
 * in service (blocking its priority class) meanwhile. With IF clear the
 * EOI cannot let the same vector nest; a new one waits in the IRR.
 */
bool x86_interrupt(unsigned long vector)
{
	switch (vector) {
	case LAPIC_VEC_TIMER:
		lapic_eoi();
		smp_handle_tick();
		return true;
	case LAPIC_VEC_IPI_XCALL:
		lapic_eoi();
		smp_handle_ipi(IPI_XCALL);
		return true;
	case LAPIC_VEC_IPI_TLB:
		lapic_eoi();
		smp_handle_ipi(IPI_TLB);
		return true;
	case LAPIC_VEC_IPI_WAKE:
		lapic_eoi();
		smp_handle_ipi(IPI_WAKE);
		return true;
	case LAPIC_VEC_ERROR:
		lapic_handle_error();
		return true;
	case LAPIC_VEC_SPURIOUS:
		/* Never put in service, so no EOI (SDM vol. 3A 10.9). */
		return true;
	}
	if (vector >= PIC_VECTOR_BASE &&
	    vector < PIC_VECTOR_BASE + PIC_NVECTORS) {
		pic8259_stray((unsigned int)vector);
		return true;
	}
	return false;
}

void arch_irq_enable(void)
{
	sti();
}

void arch_irq_disable(void)
{
	cli();
}

/*
 * STI delays interrupt recognition until after the next instruction (SDM
 * vol. 2B "STI"), so an interrupt pending at the STI is taken once HLT
 * has begun and wakes it, instead of slipping in between and leaving HLT
 * to sleep until the next one. Called with interrupts off.
 */
void arch_idle(void)
{
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}
