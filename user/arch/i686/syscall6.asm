; long syscall6(long n, long a, long b, long c, long d, long e, long f)
;
; The six-argument int 0x80: the sixth argument goes in ebp, which compiled
; code keeps as its frame pointer, so it is saved and loaded here rather
; than in inline asm. Returns the result or -errno.

bits 32

section .text
global syscall6

syscall6:
	push	ebp
	push	ebx
	push	esi
	push	edi			; arguments now start at esp + 20
	mov	eax, [esp + 20]
	mov	ebx, [esp + 24]
	mov	ecx, [esp + 28]
	mov	edx, [esp + 32]
	mov	esi, [esp + 36]
	mov	edi, [esp + 40]
	mov	ebp, [esp + 44]
	int	0x80
	pop	edi
	pop	esi
	pop	ebx
	pop	ebp
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
