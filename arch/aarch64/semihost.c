/*
 * Arm semihosting: HLT #0xf000 with the operation in w0 and its parameter
 * in x1 (Arm IHI 0056, "The semihosting interface"). QEMU serves it only
 * with -semihosting; otherwise HLT is UNDEFINED and fwcall.S recovers.
 */

#include <machine/fwcall.h>
#include <machine/semihost.h>

#define SYS_ERRNO			0x13
#define SYS_EXIT			0x18
#define ADP_STOPPED_APPLICATION_EXIT	0x20026

bool semihost_available(void)
{
	return !fwcall_semihost(SYS_ERRNO, 0).trapped;
}

void semihost_exit(uint32_t code)
{
	/*
	 * AArch64 SYS_EXIT takes a pointer to {reason, subcode}; QEMU exits
	 * with subcode as its status. The block is read through the current
	 * translation, so a stack address is fine.
	 */
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, code };

	fwcall_semihost(SYS_EXIT, (uintptr_t)block);
}
