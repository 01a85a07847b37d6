; The x86_64 system-call entry (SYSCALL, programmed in syscall.c) and the
; first entry of a thread into user mode.
;
; SYSCALL saves only RIP in RCX and RFLAGS in R11, clears the RFLAGS bits
; of IA32_FMASK (IF among them, so nothing interrupts this code before it
; has a stack) and loads the kernel CS/SS; it switches neither the stack
; nor GS (SDM vol. 2B "SYSCALL"). The entry builds the same struct
; trapframe as an interrupt from user mode would, at the top of the
; thread's kernel stack (TSS.RSP0), with vector TF_VECTOR_SYSCALL, and
; leaves through the common IRETQ path: slower than SYSRET, but correct
; for any frame the kernel may have rewritten (execve, signals) and free
; of SYSRET's #GP-in-ring-0 on a non-canonical RCX.

%include "trapframe.inc"

extern x86_trap
extern x86_trap_return
; Offsets in struct cpu (absolute symbols defined by syscall.c).
extern CPU_SYSCALL_RSP
extern CPU_TSS_RSP0

section .text
	bits 64
	default abs

global x86_syscall_entry
x86_syscall_entry:
	swapgs
	mov	[gs:CPU_SYSCALL_RSP], rsp
	mov	rsp, [gs:CPU_TSS_RSP0]
	push	qword GDT_USER_DS | 3		; SS
	push	qword [gs:CPU_SYSCALL_RSP]	; RSP
	push	r11				; RFLAGS
	push	qword GDT_USER_CS | 3		; CS
	push	rcx				; RIP
	push	qword 0				; error code
	push	qword TF_VECTOR_SYSCALL
	PUSH_GPRS
	mov	rdi, rsp
	call	x86_trap			; DF is clear: FMASK has it
	jmp	x86_trap_return

; __noreturn void arch_user_enter(struct trapframe *tf): tf is the frame
; at the top of the calling thread's kernel stack, so nothing the stack
; holds below it is needed any more.
global arch_user_enter
arch_user_enter:
	mov	rsp, rdi
	jmp	x86_trap_return
