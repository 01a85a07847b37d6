/*
 * Physical entry of a secondary CPU started by PSCI CPU_ON (smp.c): MMU
 * and caches off, every exception masked, at EL2 or EL1 (the EL the boot
 * CPU entered at, PLATFORM.md), x0 = context_id = physical address of the
 * CPU's struct cpu.
 *
 * The MMU goes on with the boot CPU's MAIR, TCR, TTBR1 and SCTLR, read
 * from smp_boot_params. The switch itself needs the code doing it to be
 * mapped at the address it runs from (the PC is physical when SCTLR.M
 * flips; the instruction after the MSR is fetched through the MMU). The
 * kernel dropped its own TTBR0 identity map after boot, so smp.c keeps a
 * private one, covering just this code, in TTBR0 for these few
 * instructions; once running at the link address in TTBR1, TTBR0 walks
 * are turned off again and its TLB entries dropped, as head.S does.
 *
 * Register use: x19 = struct cpu (physical), x21 = final TCR,
 * x22 = SCTLR. el2_to_el1 preserves them.
 */

#include <machine/memlayout.h>
#include <machine/smp_boot.h>
#include <machine/vmsa.h>

	.text
	.balign	64
	.globl	secondary_entry
	.type	secondary_entry, %function
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	el2_to_el1
	/* Run on SP_EL1 whatever PSTATE.SP the firmware chose. */
	msr	spsel, #1

	/*
	 * The MMU is off, so these loads are Device accesses to memory:
	 * smp.c cleaned smp_boot_params to the Point of Coherency. adrp is
	 * PC-relative and the PC is physical, so x20 is its physical address.
	 */
	adrp	x20, smp_boot_params
	add	x20, x20, :lo12:smp_boot_params
	ldr	x9, [x20, #SBP_MAIR]
	msr	mair_el1, x9
	ldr	x9, [x20, #SBP_TCR_IDMAP]
	msr	tcr_el1, x9
	ldr	x9, [x20, #SBP_TTBR0_IDMAP]
	msr	ttbr0_el1, x9
	ldr	x9, [x20, #SBP_TTBR1]
	msr	ttbr1_el1, x9
	ldr	x21, [x20, #SBP_TCR]
	ldr	x22, [x20, #SBP_SCTLR]
	isb
	/* No TLB entry from before this CPU's reset may survive the switch. */
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	sctlr_el1, x22
	isb
	ic	iallu
	dsb	nsh
	isb
	/* From the identity map (TTBR0) to the link address (TTBR1). */
	ldr	x9, =secondary_high
	br	x9
	.ltorg
	.globl	secondary_entry_end
secondary_entry_end:
	.size	secondary_entry, . - secondary_entry

	.type	secondary_high, %function
secondary_high:
	msr	tcr_el1, x21
	msr	ttbr0_el1, xzr
	isb
	tlbi	vmalle1
	dsb	nsh
	isb

	ldr	x9, =exception_vectors
	msr	vbar_el1, x9
	isb
	ldr	x9, =KERNEL_VOFFSET
	add	x0, x19, x9
	/* this_cpu() from here on, should anything trap before C does
	 * arch_set_this_cpu() (the MI code has set c->self already). */
	msr	tpidr_el1, x0
	mov	x29, xzr
	mov	x30, xzr
	b	secondary_start		/* smp.c: takes the stack; no return */
	.size	secondary_high, . - secondary_high
