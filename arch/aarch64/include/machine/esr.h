/*
 * ESR_EL1, the exception syndrome (Arm ARM D17.2.37): the exception
 * class (EC) says what was taken, the ISS how. Shared by the kernel's own
 * trap handler (trap.c) and the EL0 one (el0_trap.c).
 */
#ifndef MACHINE_ESR_H
#define MACHINE_ESR_H

#include <kern/types.h>

#define ESR_EC(esr)	((unsigned int)((esr) >> 26) & 0x3f)
#define ESR_IL(esr)	(((esr) >> 25) & 0x1)
#define ESR_ISS(esr)	((unsigned int)(esr) & 0x1ffffff)

/* Exception classes this kernel tells apart. */
#define EC_UNKNOWN	0x00	/* among others: an UNDEFINED instruction */
#define EC_SVC64	0x15	/* SVC from AArch64 */
#define EC_SYS64	0x18	/* trapped MSR, MRS or system instruction */
#define EC_IABT_LOWER	0x20
#define EC_IABT_CUR	0x21
#define EC_PC_ALIGN	0x22
#define EC_DABT_LOWER	0x24
#define EC_DABT_CUR	0x25
#define EC_WATCH_LOWER	0x34
#define EC_WATCH_CUR	0x35
#define EC_BRK64	0x3c

/* Instruction and data abort ISS fields (D17.2.37, "ISS encoding for an
 * exception from a Data Abort"). */
#define ISS_FSC(iss)	((iss) & 0x3f)	/* fault status code */
#define ISS_WNR		(1U << 6)	/* data abort: caused by a write */
#define ISS_CM		(1U << 8)	/* data abort: cache maintenance */
#define ISS_FNV		(1U << 10)	/* FAR_EL1 is not valid */

/* Fault status codes, 4 KiB granule: bits [1:0] hold the level. */
#define FSC_TYPE(fsc)		((fsc) & 0x3c)
#define FSC_TRANSLATION		0x04
#define FSC_ACCESS_FLAG		0x08
#define FSC_PERMISSION		0x0c

/*
 * Whether the abort is one the MI vm_fault resolves or refuses: a missing
 * translation, a clear access flag or a permission fault. The others
 * (alignment, external aborts, address size, TLB conflict) are not about
 * the mapping, and retrying them after vm_fault would fault again forever.
 */
static inline bool esr_fault_is_vm(unsigned int iss)
{
	unsigned int type = FSC_TYPE(ISS_FSC(iss));

	return type == FSC_TRANSLATION || type == FSC_ACCESS_FLAG ||
	       type == FSC_PERMISSION;
}

/*
 * Whether a data abort was a write. Cache maintenance instructions
 * report WnR = 1 (with CM = 1) although they only need read access to
 * the address; Linux's is_write_abort() makes the same distinction.
 */
static inline bool esr_dabt_is_write(unsigned int iss)
{
	return (iss & ISS_WNR) && !(iss & ISS_CM);
}

/* Names of an exception class and of an abort's fault status (trap.c). */
const char *esr_class_name(unsigned int ec);
const char *esr_fault_name(unsigned int fsc);

#endif
