/*
 * PSCI through the conduit named by the DTB. The kernel never probes a
 * conduit the DTB did not name: an SMC with EL3 implemented but no
 * firmware there hangs the CPU (PLATFORM.md: QEMU -M virt,secure=on
 * direct-boots at EL2/EL1 with an empty EL3 and no /psci node).
 */

#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/fwcall.h>
#include <machine/psci.h>
#include <machine/sysreg.h>

enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_HVC,
	PSCI_CONDUIT_SMC,
};

static enum psci_conduit psci_conduit;
static uint32_t psci_ver;

/*
 * Why a call through @method could not reach a PSCI implementation, or
 * NULL if it can. HVC and SMC are taken to EL2 / EL3 when that EL is
 * implemented (ID_AA64PFR0_EL1.EL2 / EL3); when it is not, the instruction
 * is UNDEFINED (fwcall.S recovers) unless the emulator serves it, as QEMU
 * does for its DTB's conduit. An implemented EL is trusted to hold the
 * firmware the DTB names, except our own: entered at EL2, the kernel left
 * EL2 without vectors, and an HVC would hang there.
 */
static const char *conduit_unusable(const char *method, unsigned int entry_el)
{
	if (strcmp(method, "hvc") == 0)
		return entry_el == 2 &&
		       id_aa64pfr0_field(ID_AA64PFR0_EL2_SHIFT) != 0 ?
		       "the kernel owns EL2, where nothing serves an HVC" : NULL;
	if (strcmp(method, "smc") == 0)
		return NULL;
	return "unknown method";
}

int psci_init(const char *method, unsigned int entry_el)
{
	const char *why;
	int64_t ver;

	if (!method) {
		printk("psci: no /psci node with a method in the DTB: PSCI unused\n");
		return -ENODEV;
	}
	why = conduit_unusable(method, entry_el);
	if (why) {
		printk("psci: method \"%s\" refused: %s; PSCI unused\n", method, why);
		return -ENODEV;
	}
	psci_conduit = strcmp(method, "hvc") == 0 ? PSCI_CONDUIT_HVC :
						    PSCI_CONDUIT_SMC;
	ver = psci_call(PSCI_FN_VERSION, 0, 0, 0);
	if (ver < 0) {
		printk("psci: PSCI_VERSION via %s failed (%ld): PSCI unused\n",
		       method, (long)ver);
		psci_conduit = PSCI_CONDUIT_NONE;
		return -ENODEV;
	}
	psci_ver = (uint32_t)ver;
	return 0;
}

const char *psci_conduit_name(void)
{
	switch (psci_conduit) {
	case PSCI_CONDUIT_HVC:
		return "hvc";
	case PSCI_CONDUIT_SMC:
		return "smc";
	default:
		return "none";
	}
}

uint32_t psci_version(void)
{
	return psci_ver;
}

int64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct fwcall_ret r;

	if (psci_conduit == PSCI_CONDUIT_HVC)
		r = fwcall_hvc(fid, a1, a2, a3);
	else if (psci_conduit == PSCI_CONDUIT_SMC)
		r = fwcall_smc(fid, a1, a2, a3);
	else
		return PSCI_RET_NOT_SUPPORTED;
	if (r.trapped)
		return PSCI_RET_NOT_SUPPORTED;
	/* SMCCC: 32-bit functions return a 32-bit signed value in w0. */
	return (int32_t)r.value;
}

static const struct {
	int64_t psci;
	int err;
	const char *name;
} psci_errors[] = {
	{ PSCI_RET_NOT_SUPPORTED, -ENOSYS, "NOT_SUPPORTED" },
	{ PSCI_RET_INVALID_PARAMETERS, -EINVAL, "INVALID_PARAMETERS" },
	{ PSCI_RET_DENIED, -EPERM, "DENIED" },
	{ PSCI_RET_ALREADY_ON, -EBUSY, "ALREADY_ON" },
	{ PSCI_RET_ON_PENDING, -EAGAIN, "ON_PENDING" },
	{ PSCI_RET_INTERNAL_FAILURE, -EIO, "INTERNAL_FAILURE" },
	{ PSCI_RET_NOT_PRESENT, -ENODEV, "NOT_PRESENT" },
	{ PSCI_RET_DISABLED, -ENODEV, "DISABLED" },
	{ PSCI_RET_INVALID_ADDRESS, -EFAULT, "INVALID_ADDRESS" },
};

int psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context_id)
{
	int64_t ret = psci_call(PSCI_FN64_CPU_ON, mpidr, entry, context_id);
	unsigned int i;

	if (ret == PSCI_RET_SUCCESS)
		return 0;
	for (i = 0; i < ARRAY_SIZE(psci_errors); i++) {
		if (psci_errors[i].psci == ret) {
			printk("psci: CPU_ON MPIDR %#lx: %s\n", mpidr,
			       psci_errors[i].name);
			return psci_errors[i].err;
		}
	}
	printk("psci: CPU_ON MPIDR %#lx: unknown result %ld\n", mpidr,
	       (long)ret);
	return -EIO;
}

void psci_system_off(void)
{
	psci_call(PSCI_FN_SYSTEM_OFF, 0, 0, 0);
}
