; long thread_clone(unsigned long flags, void *stack_top, int *ptid,
;                   int *ctid, int (*fn)(void *), void *arg)
;
; clone(2) whose child starts on @stack_top, calls fn(arg) and leaves with
; exit(fn's result), ending only its own thread. Returns the child's tid, or
; -errno, in the parent. The child cannot return through C: its stack holds
; none of the caller's frames, so all of its code is here. fn and arg travel
; on the new stack because the child sees only the registers clone keeps.

bits 64
default rel

SYS_clone	equ 56			; u/arch/sysnum.h
SYS_exit	equ 60

section .text
global thread_clone

thread_clone:
	and	rsi, -16
	sub	rsi, 16
	mov	[rsi], r8		; fn
	mov	[rsi + 8], r9		; arg
	mov	r10, rcx		; clone(flags, stack, ptid, ctid, tls)
	xor	r8d, r8d		; tls: unused, no CLONE_SETTLS
	mov	eax, SYS_clone
	syscall
	test	rax, rax
	jnz	.parent			; the child's tid, or -errno
	xor	ebp, ebp		; child: outermost frame
	pop	rax
	pop	rdi
	call	rax			; rsp is 16-aligned here
	mov	edi, eax
	mov	eax, SYS_exit		; this thread only, not exit_group
	syscall
	ud2
.parent:
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
