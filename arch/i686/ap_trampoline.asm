; i686 AP start-up: the trampoline image (copied below 1 MiB by
; mp_start.c) and x86_ap_entry, where the AP continues in the kernel.
;
; Path of an AP: real mode (ap_trampoline.inc) -> 32-bit protected mode
; -> PAE paging (with NX when the boot CPU has it) on the switch root,
; whose PDPT maps the low 2 MiB at 0 and shares the kernel's upper
; entries (ap_root.c) -> x86_ap_entry at its kernel address -> the
; kernel's own root, which has no identity mapping -> x86_ap_main(cpu) on
; the CPU's own stack.

%define AP_WORD		4
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
	; CR4.PAE and CR3 before CR0.PG (SDM vol. 3A 4.1.2); CR3 load
	; latches the four PDPTEs (4.4.1).
	mov	eax, CR4_PAE			; INIT cleared the rest of CR4
	mov	cr4, eax
	mov	eax, [ebx + TOFF(ap_trampoline_params) + TP_CR3]
	mov	cr3, eax
	; EFER exists only if CPUID has NX or LM (SDM vol. 4 table 2-2):
	; the boot CPU passes 0 when it has neither.
	mov	esi, [ebx + TOFF(ap_trampoline_params) + TP_EFER]
	test	esi, esi
	jz	.paging
	mov	ecx, MSR_EFER
	rdmsr
	or	eax, esi
	wrmsr
.paging:
	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	mov	eax, [ebx + TOFF(ap_trampoline_params) + TP_ENTRY]
	jmp	eax

	AP_TRAMPOLINE_DATA
ap_trampoline_end:

section .text
	bits 32
; Still on the switch root, interrupts off, no stack. Switch to the
; kernel root first: the identity mapping must not outlive the trampoline.
; GDTR still names the trampoline's GDT, which the kernel root does not
; map, so nothing here loads a segment register: x86_cpu_tables_init()
; loads this CPU's own GDT before anything does.
global x86_ap_entry
x86_ap_entry:
	mov	eax, [x86_ap_boot + AB_KERNEL_CR3]
	mov	cr3, eax
	AP_CPUID_APIC_ID			; EDI = APIC ID
	; Find the struct cpu whose (64-bit) hw_id is this APIC ID.
	mov	esi, [x86_ap_boot + AB_CPUS]
	mov	ecx, [x86_ap_boot + AB_NCPUS]
	mov	edx, [x86_ap_boot + AB_HW_ID_OFF]
.next:	test	ecx, ecx
	jz	.park
	cmp	[esi + edx], edi
	jne	.skip
	cmp	dword [esi + edx + 4], 0
	je	.found
.skip:	add	esi, [x86_ap_boot + AB_CPU_SIZE]
	dec	ecx
	jmp	.next
.found:
	mov	edx, [x86_ap_boot + AB_STACK_OFF]
	mov	esp, [esi + edx]
	xor	ebp, ebp			; terminates frame-pointer backtraces
	sub	esp, 12				; 16-byte aligned at the call
	push	esi				; x86_ap_main(cpu)
	call	x86_ap_main
	; An APIC ID the kernel did not list (or x86_ap_main returned): stop.
.park:	cli
	hlt
	jmp	.park
