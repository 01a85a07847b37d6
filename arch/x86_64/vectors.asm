; x86_64 entry stubs for all 256 IDT vectors, and the common return path.
;
; Each stub makes the stack look the same whatever the vector: the CPU
; pushes SS, RSP, RFLAGS, CS, RIP (and for some exceptions an error code;
; SDM vol. 3A 6.15 lists which), the stub pushes a 0 error code where the
; CPU did not, then the vector number, and trap_common pushes the general
; registers. The result is struct trapframe (include/machine/trapframe.h).
; In long mode the CPU aligns RSP to 16 before pushing (SDM 6.14.2), so
; after 22 quadwords the stack is 16-byte aligned again for the C call.
;
; GS: in the kernel, GS base is this CPU's struct cpu; in user mode it is
; the user's (0), with the kernel's parked in KERNEL_GS_BASE. Entry from
; user mode (CS RPL 3) swaps them with SWAPGS, and the return swaps back.

%include "trapframe.inc"

extern x86_trap

; Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP,
; #PF, #AC, #CP, #VC, #SX.
;
; Vectors that may arrive while GS does not match CS take the paranoid
; path: NMI and #MC at any instruction, #DF after a failed delivery, and
; #DB raised by the single-step trap of a SYSCALL executed with TF set,
; which is delivered at the first instruction of the kernel entry, before
; its SWAPGS (SDM vol. 3A 17.3.1.4).
%macro TRAP_STUB 1
	align 16
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push	qword %1
%else
	push	qword 0
	push	qword %1
%endif
%if %1 == 1 || %1 == 2 || %1 == 8 || %1 == 18
	jmp	paranoid_common
%else
	jmp	trap_common
%endif
%endmacro

section .text
	bits 64
trap_common:
	test	byte [rsp + 24], 3		; CS: vector, error, RIP, CS
	jz	.kernel
	swapgs
.kernel:
	PUSH_GPRS
	mov	rdi, rsp
	cld					; the C ABI assumes DF = 0
	call	x86_trap
; Restore the trapframe on the stack and return to the code it describes.
; Also the last step of arch_user_enter and of the SYSCALL path.
global x86_trap_return
x86_trap_return:
	POP_GPRS
	add	rsp, 16				; vector and error code
	test	byte [rsp + 8], 3		; CS of the code returned to
	jz	.iret
	swapgs
.iret:
	iretq

; Decide by the GS base itself: a kernel one is a higher-half address
; (bit 63 set), the user's never is (user mode cannot write GS base:
; CR4.FSGSBASE is off). RBX, callee-saved, remembers whether to swap back.
paranoid_common:
	PUSH_GPRS
	mov	ecx, MSR_GS_BASE
	rdmsr
	xor	ebx, ebx
	test	edx, edx
	js	.kernel_gs
	swapgs
	mov	ebx, 1
.kernel_gs:
	mov	rdi, rsp
	cld
	call	x86_trap
	test	ebx, ebx
	jz	.restore
	swapgs
.restore:
	POP_GPRS
	add	rsp, 16
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
