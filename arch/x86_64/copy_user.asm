; size_t arch_copy_user(void *dst, const void *src, size_t n)
;
; The only kernel code that touches user memory. A fault inside REP MOVSB
; leaves RIP at the instruction with RCX, RSI and RDI describing the bytes
; still to copy (SDM vol. 2B "REP"): uaccess_fault() either resolves the
; fault and resumes the copy, or arch_uaccess_fixup() moves RIP to
; x86_copy_user_fault, which returns the count not copied.

section .text
	bits 64

global arch_copy_user
arch_copy_user:
	mov	rcx, rdx
global x86_copy_user_insn
x86_copy_user_insn:
	rep movsb
	xor	eax, eax
	ret

global x86_copy_user_fault
x86_copy_user_fault:
	mov	rax, rcx
	ret
