; x86_64 process entry. Linux starts a static program at _start with rsp
; pointing at argc, then argv[], NULL, envp[], NULL, auxv[] (SysV ABI
; 3.4.1); every other register is unspecified. start_c reads that block.

bits 64
default rel

section .text
global _start
extern start_c

_start:
	xor	ebp, ebp		; outermost frame: backtraces stop here
	mov	rdi, rsp		; start_c(sp): the initial stack block
	and	rsp, -16		; ABI: rsp is 16-aligned at each call
	call	start_c
	ud2				; start_c never returns

section .note.GNU-stack noalloc noexec nowrite progbits
