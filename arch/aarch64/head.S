/*
 * Boot entry for every aarch64 boot path: a bare ELF or a raw arm64 Image
 * from QEMU's -kernel, or an Image started by U-Boot's booti.
 *
 * Position independence. The kernel is linked at
 * KERNEL_VOFFSET + KERNEL_LOAD_PA and, once the MMU is on, runs in the TTBR1
 * direct map (VA = PA + KERNEL_VOFFSET). Loaders put it at different
 * physical addresses: QEMU at the ELF's load address or 0x40200000 for a raw
 * Image (both KERNEL_LOAD_PA), U-Boot at kernel_addr_r = 0x40400000. Rather
 * than mapping the image at a variable offset (Linux's kimage_voffset), this
 * code copies the image to KERNEL_LOAD_PA when it runs anywhere else, then
 * continues in the copy. So the only code that must be position-independent
 * is the code up to the copy: it reaches everything with PC-relative
 * adr/adrp and literals that hold constants, never link-time addresses.
 * From the copy on, the physical image sits at its link address and the
 * pre-MMU C code (mmu_early.c) and the MMU switch below rely on that.
 *
 * Register use until arch_boot(): x19 = x0 at entry (DTB pointer, 0 for a
 * bare ELF), x20 = entry exception level, x21 = physical load address.
 */

#include <machine/memlayout.h>
#include <machine/vmsa.h>

#define BOOT_STACK_SIZE		0x4000
#define PL011_FR		0x18
#define PL011_FR_TXFF		5

	.section ".head.text", "ax"

/* arm64 Image header (Linux Documentation/arch/arm64/booting.rst). */
	.globl	_head
_head:
	b	start			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: load at a 2 MiB boundary */
	.quad	__image_size		/* image_size, including BSS */
	/* flags: little-endian (bit 0 = 0), 4 KiB pages (bits 2:1 = 0b01),
	 * may be placed anywhere in RAM (bit 3). */
	.quad	0xa
	.quad	0, 0, 0			/* res2, res3, res4 */
	.ascii	"ARM\x64"		/* magic at 0x38 */
	.long	0			/* res5: no PE/COFF header */

	.globl	start
	.type	start, %function
start:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #1
	b.eq	1f
	cmp	x20, #2
	adr	x0, msg_bad_el
	b.ne	early_fail
	bl	el2_to_el1
1:
	msr	daifset, #0xf
	/* A loader may have left the MMU on with an identity map: turn it off. */
	ldr	x9, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x9
	isb

	adrp	x21, _head
	add	x21, x21, :lo12:_head
	ldr	x22, =KERNEL_LOAD_PA
	cmp	x21, x22
	b.eq	in_place
	bl	relocate
in_place:
	/* Clear BSS (with the boot stack and the boot page tables). */
	adrp	x9, __bss_start
	add	x9, x9, :lo12:__bss_start
	adrp	x10, __bss_end
	add	x10, x10, :lo12:__bss_end
2:	stp	xzr, xzr, [x9], #16
	cmp	x9, x10
	b.lo	2b

	/* Physical stack for the pre-MMU C code; then build the tables. */
	adrp	x9, boot_stack_top
	add	sp, x9, :lo12:boot_stack_top
	mov	x0, x19
	bl	mmu_early_build

	/*
	 * Everything above wrote memory with the MMU off, i.e. with
	 * Non-cacheable accesses. Discard any stale cache lines over the whole
	 * image before the first cacheable access (as Linux does for its
	 * boot page tables): the copy, BSS and page tables are in memory.
	 */
	adrp	x0, _head
	add	x0, x0, :lo12:_head
	ldr	x1, =__image_size
	bl	dcache_inval_poc

	/* Stale TLB entries from a loader must not survive the switch. */
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x9, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x9
	isb
	ic	iallu
	dsb	nsh
	isb
	/* Jump from the identity map (TTBR0) to the link address (TTBR1). */
	ldr	x9, =high
	br	x9
high:
	/* The identity map was only for the switch: stop TTBR0 walks. */
	mrs	x9, tcr_el1
	orr	x9, x9, #TCR_EPD0
	msr	tcr_el1, x9
	msr	ttbr0_el1, xzr
	isb
	tlbi	vmalle1
	dsb	nsh
	isb

	ldr	x9, =boot_stack_top
	mov	sp, x9
	ldr	x9, =exception_vectors
	msr	vbar_el1, x9
	isb
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	mov	x1, x21
	mov	x2, x20
	bl	arch_boot
	b	arch_halt
	.size	start, . - start

/*
 * Copy the loaded file part of the image from x21 (where we run) to x22
 * (KERNEL_LOAD_PA) and return into the copy. The regions must not overlap:
 * the loop runs from the source. The DTB must not lie where the image and
 * its BSS will be.
 */
	.type	relocate, %function
relocate:
	ldr	x23, =__image_file_size
	subs	x9, x21, x22
	cneg	x9, x9, mi
	cmp	x9, x23
	adr	x0, msg_overlap
	b.lo	early_fail
	ldr	x10, =__image_size
	sub	x9, x19, x22
	cmp	x9, x10
	adr	x0, msg_dtb_overlap
	b.lo	early_fail

	mov	x9, x21
	mov	x10, x22
	add	x11, x21, x23
3:	ldp	x12, x13, [x9], #16
	stp	x12, x13, [x10], #16
	cmp	x9, x11
	b.lo	3b
	dsb	sy
	ic	iallu
	dsb	nsh
	isb
	sub	x9, x22, x21
	add	x30, x30, x9
	ret
	.size	relocate, . - relocate

/*
 * Invalidate data cache lines of [x0, x0 + x1) to the Point of Coherency.
 * Clobbers x0-x3.
 */
	.type	dcache_inval_poc, %function
dcache_inval_poc:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words per line) */
	mov	x2, #4
	lsl	x2, x2, x3
	add	x1, x0, x1
	sub	x3, x2, #1
	bic	x0, x0, x3
4:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	4b
	dsb	sy
	ret
	.size	dcache_inval_poc, . - dcache_inval_poc

/*
 * Last resort before the MMU and the console exist: write the string at x0
 * to the PL011 at its QEMU virt address and stop. Used for conditions the
 * kernel cannot boot past (wrong EL, unusable load address, no 4 KiB
 * granule); it may also be called from mmu_early.c.
 */
	.globl	early_fail
	.type	early_fail, %function
early_fail:
	ldr	x9, =VIRT_UART_BASE
5:	ldrb	w10, [x0], #1
	cbz	w10, 7f
6:	ldr	w11, [x9, #PL011_FR]
	tbnz	w11, #PL011_FR_TXFF, 6b
	str	w10, [x9]
	b	5b
7:	wfe
	b	7b
	.size	early_fail, . - early_fail

msg_bad_el:
	.asciz	"\r\nboot: entered at EL3 (or EL0): the kernel needs EL2 or EL1\r\n"
msg_overlap:
	.asciz	"\r\nboot: load address too close to 0x40200000 to relocate\r\n"
msg_dtb_overlap:
	.asciz	"\r\nboot: the DTB lies where the kernel must run (0x40200000)\r\n"
	.balign	4

	.section ".bss.boot_stack", "aw", %nobits
	.balign	16
	.globl	boot_stack
boot_stack:
	.space	BOOT_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
