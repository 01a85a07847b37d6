; x86_64 AP start-up: the trampoline image (copied below 1 MiB by
; mp_start.c) and x86_ap_entry, where the AP continues in the kernel.
;
; Path of an AP: real mode (ap_trampoline.inc) -> 32-bit protected mode
; -> IA-32e paging on the switch root, an identity mapping of the low
; 2 MiB plus the kernel's upper half (ap_root.c) -> 64-bit code at the
; identity address -> x86_ap_entry at its kernel address -> the kernel's
; own root, which has no identity mapping -> x86_ap_main(cpu) on the
; CPU's own stack.

%define AP_WORD		8
%include "x86_defs.inc"
%include "ap_trampoline.inc"

extern x86_ap_boot
extern x86_ap_main

section .rodata
	align 16
global ap_trampoline_start, ap_trampoline_end, ap_trampoline_params
ap_trampoline_start:
	AP_TRAMPOLINE_REAL_MODE

	bits 32
; EBX = physical base of the page, flat segments from tramp_gdt.
ap_pm32:
	mov	ax, TRAMP_DS
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	lea	eax, [ebx + TOFF(ap_lm64)]
	mov	[ebx + TOFF(tramp_lm64_ptr)], eax
	; IA-32e activation order (SDM vol. 3A 9.8.5): CR4.PAE, CR3,
	; EFER.LME (with NXE, as on the boot CPU), then CR0.PG. This code
	; is identity-mapped by the switch root, as that section requires.
	mov	eax, CR4_PAE			; INIT cleared the rest of CR4
	mov	cr4, eax
	mov	eax, [ebx + TOFF(ap_trampoline_params) + TP_CR3]
	mov	cr3, eax
	mov	ecx, MSR_EFER
	rdmsr
	or	eax, [ebx + TOFF(ap_trampoline_params) + TP_EFER]
	wrmsr
	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	; Now in compatibility mode: a far jump to a 64-bit code segment.
	jmp	far [ebx + TOFF(tramp_lm64_ptr)]

	bits 64
ap_lm64:
	mov	ebx, ebx			; zero-extend: bits 63:32 are undefined
	mov	rax, [rbx + TOFF(ap_trampoline_params) + TP_ENTRY]
	jmp	rax

	AP_TRAMPOLINE_DATA
tramp_lm64_ptr:
	dd	0				; patched: physical ap_lm64
	dw	TRAMP_CS64
ap_trampoline_end:

section .text
	bits 64
; Still on the switch root, interrupts off, no stack. Switch to the
; kernel root first: the identity mapping must not outlive the trampoline.
; GDTR still names the trampoline's GDT, which the kernel root does not
; map, so nothing here loads a segment register: x86_cpu_tables_init()
; loads this CPU's own GDT before anything does.
global x86_ap_entry
x86_ap_entry:
	mov	rax, [rel x86_ap_boot + AB_KERNEL_CR3]
	mov	cr3, rax
	AP_CPUID_APIC_ID			; EDI = APIC ID (zero-extended)
	; Find the struct cpu whose hw_id is this APIC ID.
	mov	rsi, [rel x86_ap_boot + AB_CPUS]
	mov	rcx, [rel x86_ap_boot + AB_NCPUS]
	mov	rdx, [rel x86_ap_boot + AB_HW_ID_OFF]
.next:	test	rcx, rcx
	jz	.park
	cmp	[rsi + rdx], rdi
	je	.found
	add	rsi, [rel x86_ap_boot + AB_CPU_SIZE]
	dec	rcx
	jmp	.next
.found:
	mov	rdx, [rel x86_ap_boot + AB_STACK_OFF]
	mov	rsp, [rsi + rdx]
	xor	ebp, ebp			; terminates frame-pointer backtraces
	mov	rdi, rsi			; x86_ap_main(cpu)
	call	x86_ap_main
	; An APIC ID the kernel did not list (or x86_ap_main returned): stop.
.park:	cli
	hlt
	jmp	.park
