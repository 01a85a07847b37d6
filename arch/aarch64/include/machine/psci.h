/* PSCI (Arm DEN 0022) over the SMCCC conduit the DTB names. */
#ifndef MACHINE_PSCI_H
#define MACHINE_PSCI_H

#include <kern/types.h>

#define PSCI_FN_VERSION		0x84000000U
#define PSCI_FN_SYSTEM_OFF	0x84000008U
#define PSCI_FN64_CPU_ON	0xc4000003U

/* PSCI return codes (DEN 0022, "Return error codes"). */
#define PSCI_RET_SUCCESS		0
#define PSCI_RET_NOT_SUPPORTED		(-1)
#define PSCI_RET_INVALID_PARAMETERS	(-2)
#define PSCI_RET_DENIED			(-3)
#define PSCI_RET_ALREADY_ON		(-4)
#define PSCI_RET_ON_PENDING		(-5)
#define PSCI_RET_INTERNAL_FAILURE	(-6)
#define PSCI_RET_NOT_PRESENT		(-7)
#define PSCI_RET_DISABLED		(-8)
#define PSCI_RET_INVALID_ADDRESS	(-9)

/*
 * Adopt the conduit the DTB names in /psci/method ("hvc" or "smc") if this
 * CPU can use it, given the EL the kernel was entered at, and query the
 * PSCI version through it. Returns 0 or -ENODEV (then PSCI is unused;
 * the reason is printed).
 * Locking: boot CPU only, before any other CPU runs.
 */
int psci_init(const char *method, unsigned int entry_el);

/* "hvc", "smc", or "none". */
const char *psci_conduit_name(void);

/* PSCI version as major << 16 | minor, 0 when PSCI is unused. */
uint32_t psci_version(void);

/*
 * Call PSCI function @fid. Returns its (signed) result, or
 * PSCI_RET_NOT_SUPPORTED when PSCI is unused or the conduit trapped.
 */
int64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * CPU_ON: start the CPU with MPIDR affinity @mpidr at physical @entry,
 * MMU off, x0 = @context_id, at the EL the kernel was entered at. Returns
 * 0 once the firmware accepted the request, else a negative errno (the
 * PSCI error is printed): -ENOSYS no PSCI, -EINVAL bad MPIDR, -EFAULT bad
 * entry address, -EBUSY already on or -EAGAIN pending, -ENODEV not
 * present or disabled, -EPERM denied, -EIO firmware failure.
 * Locking: none; PSCI serialises CPU_ON calls itself.
 */
int psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context_id);

/* SYSTEM_OFF; returns only if PSCI is unused or the call failed. */
void psci_system_off(void);

#endif
