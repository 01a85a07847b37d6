; long thread_clone(unsigned long flags, void *stack_top, int *ptid,
;                   int *ctid, int (*fn)(void *), void *arg)
;
; clone(2) whose child starts on @stack_top, calls fn(arg) and leaves with
; exit(fn's result), ending only its own thread. Returns the child's tid, or
; -errno, in the parent. The child cannot return through C: its stack holds
; none of the caller's frames, so all of its code is here. fn and arg travel
; on the new stack because the child sees only the registers clone keeps.

bits 32

SYS_exit	equ 1			; u/arch/sysnum.h
SYS_clone	equ 120

section .text
global thread_clone

thread_clone:
	push	ebp
	push	ebx
	push	esi
	push	edi			; arguments now start at esp + 20
	mov	ecx, [esp + 24]		; stack_top
	and	ecx, -16
	sub	ecx, 20			; after the child pops fn, esp is
	mov	eax, [esp + 36]		; 16-aligned with arg on top
	mov	[ecx], eax		; fn
	mov	eax, [esp + 40]
	mov	[ecx + 4], eax		; arg
	mov	ebx, [esp + 20]		; flags
	mov	edx, [esp + 28]		; ptid
	xor	esi, esi		; tls: unused, no CLONE_SETTLS
	mov	edi, [esp + 32]		; ctid (fifth: CLONE_BACKWARDS)
	mov	eax, SYS_clone
	int	0x80
	test	eax, eax
	jnz	.parent			; the child's tid, or -errno
	xor	ebp, ebp		; child: outermost frame
	pop	eax
	call	eax			; fn(arg)
	mov	ebx, eax
	mov	eax, SYS_exit		; this thread only, not exit_group
	int	0x80
	ud2
.parent:
	pop	edi
	pop	esi
	pop	ebx
	pop	ebp
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
