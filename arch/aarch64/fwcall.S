/*
 * Calls into firmware or the emulator: SMCCC (PSCI) through HVC or SMC,
 * and Arm semihosting through HLT #0xf000. Each returns
 * struct fwcall_ret { value = x0, trapped = x1 }.
 *
 * Any of these instructions may be UNDEFINED here (no EL2 or EL3 to take
 * the call, or QEMU without -semihosting). trap.c then calls
 * fwcall_fixup(), which resumes 12 bytes on, at the "trapped" return below,
 * instead of reporting a fatal trap. SMCCC v1.0 may clobber x4-x17, which
 * AAPCS64 lets any callee do; x18-x30 and SP are preserved.
 */

	.text

	.globl	fwcall_hvc
	.globl	fwcall_hvc_insn
	.type	fwcall_hvc, %function
fwcall_hvc:
fwcall_hvc_insn:
	hvc	#0
	mov	x1, #0
	ret
	mov	x1, #1		/* fixup target: fwcall_hvc_insn + 12 */
	ret
	.size	fwcall_hvc, . - fwcall_hvc

	.globl	fwcall_smc
	.globl	fwcall_smc_insn
	.type	fwcall_smc, %function
fwcall_smc:
fwcall_smc_insn:
	smc	#0
	mov	x1, #0
	ret
	mov	x1, #1
	ret
	.size	fwcall_smc, . - fwcall_smc

	.globl	fwcall_semihost
	.globl	fwcall_semihost_insn
	.type	fwcall_semihost, %function
fwcall_semihost:
fwcall_semihost_insn:
	hlt	#0xf000
	mov	x1, #0
	ret
	mov	x1, #1
	ret
	.size	fwcall_semihost, . - fwcall_semihost
