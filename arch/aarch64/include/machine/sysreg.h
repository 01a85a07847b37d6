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

#endif
