; i686 process entry. Linux starts a static program at _start with esp
; pointing at argc, then argv[], NULL, envp[], NULL, auxv[] (i386 SysV
; ABI); every other register is unspecified. start_c reads that block.

bits 32

section .text
global _start
extern start_c

_start:
	xor	ebp, ebp		; outermost frame: backtraces stop here
	mov	eax, esp
	and	esp, -16
	sub	esp, 12			; so esp is 16-aligned at the call,
	push	eax			; as Linux's i386 ABI requires
	call	start_c			; start_c(sp)
	ud2				; start_c never returns

section .note.GNU-stack noalloc noexec nowrite progbits
