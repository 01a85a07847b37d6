/* System-register access and barriers (Arm ARM D13, B2.3). */
#ifndef MACHINE_SYSREG_H
#define MACHINE_SYSREG_H

#include <kern/types.h>

#define read_sysreg(reg) ({						\
	uint64_t v_;							\
	__asm__ __volatile__("mrs %0, " #reg : "=r"(v_));		\
	v_;								\
})

#define write_sysreg(reg, val)						\
	__asm__ __volatile__("msr " #reg ", %0" :: "r"((uint64_t)(val)) : "memory")

#define isb()		__asm__ __volatile__("isb" ::: "memory")
#define dsb(opt)	__asm__ __volatile__("dsb " #opt ::: "memory")

/* ID_AA64PFR0_EL1 (D17.2.64): 4-bit fields, 0 = EL not implemented. */
#define ID_AA64PFR0_EL2_SHIFT	8
#define ID_AA64PFR0_EL3_SHIFT	12
#define ID_AA64PFR0_GIC_SHIFT	24

static inline unsigned int id_aa64pfr0_field(unsigned int shift)
{
	return (read_sysreg(id_aa64pfr0_el1) >> shift) & 0xf;
}

/*
 * MPIDR_EL1 (D17.2.101): affinity fields Aff3 [39:32], Aff2 [23:16],
 * Aff1 [15:8], Aff0 [7:0]. The other bits (RES1 bit 31, U, MT) are not
 * part of a CPU's name. This layout is also what a DTB cpu node's "reg"
 * and PSCI CPU_ON's target_cpu hold.
 */
#define MPIDR_AFF_MASK		0xff00ffffffUL
#define MPIDR_AFF0(m)		((m) & 0xff)
#define MPIDR_AFF1(m)		(((m) >> 8) & 0xff)
#define MPIDR_AFF2(m)		(((m) >> 16) & 0xff)
#define MPIDR_AFF3(m)		(((m) >> 32) & 0xff)

/* The calling CPU's affinity. Under an EL2 we left, this reads VMPIDR_EL2,
 * which el2.S sets to the real MPIDR. */
static inline uint64_t mpidr_affinity(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

#endif
