; size_t arch_copy_user(void *dst, const void *src, size_t n)
;
; The only kernel code that touches user memory. A fault inside REP MOVSB
; leaves EIP at the instruction with ECX, ESI and EDI describing the bytes
; still to copy (SDM vol. 2B "REP"): uaccess_fault() either resolves the
; fault and resumes the copy, or arch_uaccess_fixup() moves EIP to
; x86_copy_user_fault, which returns the count not copied.

section .text
	bits 32

global arch_copy_user
arch_copy_user:
	push	edi
	push	esi
	mov	edi, [esp + 12]
	mov	esi, [esp + 16]
	mov	ecx, [esp + 20]
global x86_copy_user_insn
x86_copy_user_insn:
	rep movsb
	xor	eax, eax
	pop	esi
	pop	edi
	ret

global x86_copy_user_fault
x86_copy_user_fault:
	mov	eax, ecx
	pop	esi
	pop	edi
	ret
