; i686 entry stubs for all 256 IDT vectors, and the #DF task entry.
;
; Each stub makes the stack look the same whatever the vector: the CPU
; pushes EFLAGS, CS, EIP (plus ESP, SS from user mode, and for some
; exceptions an error code; SDM vol. 3A 6.15 lists which), the stub pushes
; a 0 error code where the CPU did not, then the vector number, and
; trap_common pushes the segment and general registers. The result is
; struct trapframe (include/machine/trapframe.h). From user mode the CPU
; has switched to the thread's kernel stack (TSS.ESP0), so the frame ends
; at its top; the system call (INT 0x80) is one of these vectors.

%include "layout.inc"

extern x86_trap
extern i686_double_fault_task

; Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP,
; #PF, #AC, #CP, #VC, #SX.
%macro TRAP_STUB 1
	align 8
trap_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push	dword %1
%else
	push	dword 0
	push	dword %1
%endif
	jmp	trap_common
%endmacro

section .text
	bits 32
trap_common:
	push	ds
	push	es
	push	fs
	push	gs
	pushad
	mov	ax, GDT_KERNEL_DS		; user DS/ES/FS are not trusted
	mov	ds, ax
	mov	es, ax
	mov	ax, GDT_PERCPU			; this_cpu() reads %fs:0
	mov	fs, ax
	xor	eax, eax			; the kernel uses no GS: keep no
	mov	gs, ax				; user TLS selector loaded in it
	cld					; the C ABI assumes DF = 0
	mov	eax, esp
	push	eax				; x86_trap(tf)
	call	x86_trap
	add	esp, 4
; Restore the trapframe on top of the stack and return to the code it
; describes; also the last step of arch_user_enter.
; A user selector whose TLS slot was cleared faults on its reload here
; (#GP/#NP in kernel mode): x86_trap kills the process (tls.c).
global x86_trap_return, x86_trap_return_seg, x86_trap_return_iret
x86_trap_return:
	popad
x86_trap_return_seg:
	pop	gs
	pop	fs
	pop	es
	pop	ds
	add	esp, 8				; vector and error code
x86_trap_return_iret:
	iretd

; __noreturn void arch_user_enter(struct trapframe *tf): tf is the frame
; at the top of the calling thread's kernel stack, so nothing the stack
; holds below it is needed any more.
global arch_user_enter
arch_user_enter:
	mov	esp, [esp + 4]
	jmp	x86_trap_return

; The #DF task starts here on its own stack (gdt.c), with the CPU's error
; code on top: one call later it is the C function's first argument.
global double_fault_task_entry
double_fault_task_entry:
	call	i686_double_fault_task
.hang:	cli
	hlt
	jmp	.hang

%assign v 0
%rep 256
	TRAP_STUB v
%assign v v + 1
%endrep

section .rodata
	align 4
global x86_trap_stubs
x86_trap_stubs:
%assign v 0
%rep 256
	dd	trap_stub_ %+ v
%assign v v + 1
%endrep
