; i686 kernel context switch and user FP/SIMD state (thread.c, fpu.c).
; The cdecl ABI leaves EBX, EBP, ESI, EDI to the callee: they and the
; stack pointer are the whole kernel context. The user x87/SSE registers
; are still live when a thread enters the kernel (the kernel does not use
; them), so they are switched here too: FXSAVE/FXRSTOR, or FNSAVE/FRSTOR
; on a CPU without FXSR (then there is no SSE state to keep).

%include "thread.inc"

extern x86_fpu_fxsr

section .text
	bits 32

; void x86_thread_switch(struct arch_thread *prev, struct arch_thread *next)
global x86_thread_switch
x86_thread_switch:
	mov	eax, [esp + 4]			; prev
	mov	edx, [esp + 8]			; next
	push	ebp
	push	ebx
	push	esi
	push	edi
	cmp	dword [x86_fpu_fxsr], 0
	je	.fnsave
	fxsave	[eax + AT_FPU]
	mov	[eax + AT_SP], esp
	mov	esp, [edx + AT_SP]
	fxrstor	[edx + AT_FPU]
	jmp	.restore
.fnsave:
	fnsave	[eax + AT_FPU]
	mov	[eax + AT_SP], esp
	mov	esp, [edx + AT_SP]
	frstor	[edx + AT_FPU]
.restore:
	pop	edi
	pop	esi
	pop	ebx
	pop	ebp
	ret

; First code of a new thread: arch_thread_init() left the function and its
; argument above the return address that led here.
global x86_thread_start
x86_thread_start:
	pop	eax				; fn
	pop	ecx				; arg
	and	esp, -16			; ABI alignment at the call
	sub	esp, 12
	push	ecx
	call	eax
	ud2					; fn must not return

; void x86_fpu_state_save(uint8_t *area). FNSAVE reinitialises the unit
; after storing it (SDM vol. 2A "FSAVE"), so the state is loaded back.
global x86_fpu_state_save
x86_fpu_state_save:
	mov	eax, [esp + 4]
	cmp	dword [x86_fpu_fxsr], 0
	je	.fnsave
	fxsave	[eax]
	ret
.fnsave:
	fnsave	[eax]
	frstor	[eax]
	ret
