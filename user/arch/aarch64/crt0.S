/*
 * aarch64 process entry. Linux starts a static program at _start with sp
 * pointing at argc, then argv[], NULL, envp[], NULL, auxv[] (AAPCS64 /
 * Linux ABI); every other register is unspecified. start_c reads that
 * block.
 */
	.text
	.global	_start
	.type	_start, %function
_start:
	mov	x29, #0			/* outermost frame: backtraces stop here */
	mov	x30, #0
	mov	x0, sp			/* start_c(sp): the initial stack block */
	and	x1, x0, #~15		/* AAPCS64: sp is always 16-aligned */
	mov	sp, x1
	bl	start_c
	udf	#0			/* start_c never returns */
	.size	_start, . - _start

	.section .note.GNU-stack, "", %progbits
