; x86_64 entry stubs for all 256 IDT vectors.
;
; Each stub makes the stack look the same whatever the vector: the CPU
; pushes SS, RSP, RFLAGS, CS, RIP (and for some exceptions an error code;
; SDM vol. 3A 6.15 lists which), the stub pushes a 0 error code where the
; CPU did not, then the vector number, and trap_common pushes the general
; registers. The result is struct trapframe (include/machine/trapframe.h).
; In long mode the CPU aligns RSP to 16 before pushing (SDM 6.14.2), so
; after 22 quadwords the stack is 16-byte aligned again for the C call.

extern x86_trap

; Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP,
; #PF, #AC, #CP, #VC, #SX.
%macro TRAP_STUB 1
	align 16
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push	qword %1
%else
	push	qword 0
	push	qword %1
%endif
	jmp	trap_common
%endmacro

section .text
	bits 64
trap_common:
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	mov	rdi, rsp
	cld					; the C ABI assumes DF = 0
	call	x86_trap
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rbp
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rbx
	pop	rax
	add	rsp, 16				; vector and error code
	iretq

%assign v 0
%rep 256
	TRAP_STUB v
%assign v v + 1
%endrep

section .rodata
	align 8
global x86_trap_stubs
x86_trap_stubs:
%assign v 0
%rep 256
	dq	trap_stub_ %+ v
%assign v v + 1
%endrep
