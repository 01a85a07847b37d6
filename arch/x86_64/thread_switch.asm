; x86_64 kernel context switch and user FP/SIMD state (thread.c, fpu.c).
; The C ABI leaves RBX, RBP, R12-R15 to the callee: they and the stack
; pointer are the whole kernel context. The user FP/SIMD registers are
; still live when a thread enters the kernel (the kernel does not use
; them), so they are switched here too, with the 64-bit FXSAVE form that
; keeps the full x87 instruction and operand pointers.

%include "thread.inc"

section .text
	bits 64

; void x86_thread_switch(struct arch_thread *prev, struct arch_thread *next)
global x86_thread_switch
x86_thread_switch:
	push	rbp
	push	rbx
	push	r12
	push	r13
	push	r14
	push	r15
	fxsave64 [rdi + AT_FPU]
	mov	[rdi + AT_SP], rsp
	mov	rsp, [rsi + AT_SP]
	fxrstor64 [rsi + AT_FPU]
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	rbx
	pop	rbp
	ret

; First code of a new thread: arch_thread_init() left the function and its
; argument above the return address that led here.
global x86_thread_start
x86_thread_start:
	pop	rax				; fn
	pop	rdi				; arg
	and	rsp, -16			; ABI alignment at the call
	call	rax
	ud2					; fn must not return

; void x86_fpu_state_save(uint8_t *area)
global x86_fpu_state_save
x86_fpu_state_save:
	fxsave64 [rdi]
	ret
