/*
 * The local APIC, in xAPIC mode (MMIO page, 8-bit IDs) or x2APIC mode
 * (MSRs, 32-bit IDs) behind one interface (SDM vol. 3A ch. 10 "Advanced
 * Programmable Interrupt Controller"). Register offsets are the xAPIC
 * ones; in x2APIC mode register @off is MSR 0x800 + @off / 16 (10.12.1.2).
 */
#ifndef MACHINE_LAPIC_H
#define MACHINE_LAPIC_H

#include <kern/types.h>

/*
 * Vectors. The APIC's priority class is vector >> 4 (10.8.3.1): all of
 * ours sit in the top class, above anything a device will be given, with
 * the IPIs above the tick. The spurious vector's low four bits must be 1
 * on P6-family and Pentium CPUs (10.9).
 */
#define LAPIC_VEC_TIMER		0xf0
#define LAPIC_VEC_IPI_WAKE	0xf1
#define LAPIC_VEC_IPI_XCALL	0xf2
#define LAPIC_VEC_IPI_TLB	0xf3
#define LAPIC_VEC_ERROR		0xfe
#define LAPIC_VEC_SPURIOUS	0xff

#define LAPIC_ID		0x020
#define LAPIC_VERSION		0x030
#define LAPIC_TPR		0x080	/* task priority */
#define LAPIC_EOI		0x0b0
#define LAPIC_LDR		0x0d0	/* logical destination */
#define LAPIC_DFR		0x0e0	/* destination format (xAPIC only) */
#define LAPIC_SVR		0x0f0	/* spurious vector, software enable */
#define LAPIC_ESR		0x280	/* error status */
#define LAPIC_ICR_LO		0x300
#define LAPIC_ICR_HI		0x310	/* xAPIC only; one 64-bit MSR in x2APIC */
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_THERMAL	0x330
#define LAPIC_LVT_PERF		0x340
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_LINT1		0x360
#define LAPIC_LVT_ERROR		0x370
#define LAPIC_TIMER_INITIAL	0x380
#define LAPIC_TIMER_CURRENT	0x390
#define LAPIC_TIMER_DIVIDE	0x3e0

#define LVT_MASKED		(1u << 16)
#define LVT_TIMER_PERIODIC	(1u << 17)
#define LVT_DM_NMI		(4u << 8)

/* ICR low word (10.6.1): delivery mode, level, trigger. */
#define ICR_DM_FIXED		(0u << 8)
#define ICR_DM_INIT		(5u << 8)
#define ICR_DM_STARTUP		(6u << 8)
#define ICR_LEVEL_ASSERT	(1u << 14)

/*
 * Boot CPU, once, interrupts off: check that this CPU has a local APIC,
 * pick the mode (x2APIC when CPUID offers it, unless @allow_x2apic is
 * false and the firmware did not already switch to it), map the xAPIC
 * page uncached, remap and mask the legacy PICs, and switch this CPU's
 * APIC to the mode. Returns 0, or -ENODEV (no APIC) / -ENOMEM (the page
 * cannot be mapped), with a message.
 */
int lapic_init_boot(bool allow_x2apic);

/*
 * Calling CPU, interrupts off: enable its APIC in the chosen mode with
 * the spurious vector, task priority 0, LINT0 masked (the PICs are off),
 * LINT1 as NMI, errors to LAPIC_VEC_ERROR and the timer masked.
 */
void lapic_init_local(void);

/* True if the APICs run in x2APIC mode (after lapic_init_boot()). */
bool lapic_x2apic_mode(void);

/* Highest APIC ID an IPI can name in the chosen mode. */
uint32_t lapic_max_dest_id(void);

/* This CPU's APIC ID (8 bits in xAPIC mode, 32 in x2APIC mode). */
uint32_t lapic_id(void);

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);

/* End of interrupt for the vector in service. Interrupt context. */
void lapic_eoi(void);

/*
 * Send an IPI to the CPU with APIC ID @dest (physical destination, no
 * shorthand), @icr_lo being vector | delivery mode | level. Stores made
 * before the call are visible to the target before it takes the IPI.
 * Returns 0, or -ETIMEDOUT if an earlier IPI never left (xAPIC).
 * Locking: any CPU, any context; interrupts are disabled inside because
 * the xAPIC ICR is two registers.
 */
int lapic_send_ipi(uint32_t dest, uint32_t icr_lo);

/* Report and clear an APIC error (LAPIC_VEC_ERROR handler). */
void lapic_handle_error(void);

#endif
