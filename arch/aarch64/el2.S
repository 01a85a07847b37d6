/*
 * Leave EL2 for EL1. Every CPU enters the kernel through this: the boot CPU
 * from head.S and, later, secondaries started by PSCI CPU_ON, which arrive
 * at the same EL as the boot CPU did (EL2 with -M virt,virtualization=on or
 * from U-Boot running at EL2).
 *
 * The kernel does not use EL2: it configures it to get out of the way
 * (no stage 2, no traps) and erets to EL1h with every exception masked.
 */

#include <machine/vmsa.h>

/* HCR_EL2 (D17.2.48): RW = 1, EL1 is AArch64; all else 0: no stage 2
 * (VM), no traps of EL1 operations, E2H = 0 (no VHE). */
#define HCR_EL2_RW		(1 << 31)

/* CNTHCTL_EL2 with E2H = 0 (D17.2.57): EL1PCTEN(0) and EL1PCEN(1) let
 * EL1/EL0 read the physical counter and use the physical timer. */
#define CNTHCTL_EL2_EL1_ACCESS	0x3

/* CPTR_EL2 with E2H = 0 (D17.2.35): RES1 bits 13:12 and 9:0; TFP(10) = 0,
 * TTA(20) = 0, TCPAC(31) = 0: no traps of FP/SIMD, trace or CPACR. */
#define CPTR_EL2_NO_TRAPS	0x33ff

/* ICC_SRE_EL2 (GICv3, 12.7.12): SRE(0) = system-register interface at
 * EL2, Enable(3) = EL1 may set ICC_SRE_EL1.SRE itself. */
#define ICC_SRE_EL2_SRE_ENABLE	0x9

/* SPSR_EL2: return to EL1 using SP_EL1 (M = 0b0101) with D, A, I, F masked. */
#define SPSR_EL1H_DAIF		0x3c5

	.text

/*
 * el2_to_el1: called with bl at EL2 or EL1, returns to the caller at EL1.
 * At EL1 it returns at once. Needs no stack and no memory; clobbers x9 and x10.
 * The caller's other registers survive the eret.
 */
	.globl	el2_to_el1
	.type	el2_to_el1, %function
el2_to_el1:
	mrs	x9, CurrentEL
	cmp	x9, #(2 << 2)
	b.ne	1f

	mov	x9, #HCR_EL2_RW
	msr	hcr_el2, x9
	mov	x9, #CNTHCTL_EL2_EL1_ACCESS
	msr	cnthctl_el2, x9
	/* Virtual counter = physical counter, for EL1's CNTVCT reads. */
	msr	cntvoff_el2, xzr
	mov	x9, #CPTR_EL2_NO_TRAPS
	msr	cptr_el2, x9
	msr	hstr_el2, xzr
	/*
	 * EL1 reads of MIDR_EL1 / MPIDR_EL1 return VPIDR_EL2 / VMPIDR_EL2,
	 * whose reset values are UNKNOWN (D17.2.164): pass the real ones.
	 */
	mrs	x9, midr_el1
	msr	vpidr_el2, x9
	mrs	x9, mpidr_el1
	msr	vmpidr_el2, x9

	/* GICv3 system registers exist iff ID_AA64PFR0_EL1.GIC != 0. */
	mrs	x9, id_aa64pfr0_el1
	ubfx	x9, x9, #24, #4
	cbz	x9, 2f
	mrs	x9, icc_sre_el2
	mov	x10, #ICC_SRE_EL2_SRE_ENABLE
	orr	x9, x9, x10
	msr	icc_sre_el2, x9
	isb
2:
	/* EL1 starts with its MMU and caches off, little-endian. */
	ldr	x9, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x9

	mov	x9, #SPSR_EL1H_DAIF
	msr	spsr_el2, x9
	msr	elr_el2, x30
	isb
	eret
1:
	ret
	.size	el2_to_el1, . - el2_to_el1
