; i686 entry from a Multiboot 1 loader.
;
; The loader enters boot_entry (physical; kernel.ld makes it the ELF entry)
; in 32-bit protected mode, paging off, interrupts off, EAX = magic, EBX =
; physical address of the Multiboot information (spec 3.2). From here:
;   check the magic and PAE support, clear BSS, build the boot page tables,
;   enable PAE (+ EFER.NXE when CPUID has NX) and paging, jump to the higher
;   half, drop the identity map, and call x86_boot_main(mbi) on the 16 KiB
;   boot stack. The loader's GDT may be gone (spec 3.2), so no segment
;   register is loaded here: gdt.c loads the kernel's GDT first thing.
;
; PAE paging (SDM vol. 3A 4.4): a 4-entry PDPT, each entry one GiB. All four
; are present from the start (PAE loads them into the CPU on every CR3
; write, so a later change would need a CR3 reload on every CPU). The top
; GiB's directory maps physical [0, 896 MiB) with 2 MiB pages: the early
; direct map and the kernel image. While paging is switched on, PDPT[0]
; points at that same directory so the physical EIP stays mapped; then it
; goes back to its empty directory. All of it is RWX: kernel_map.c
; replaces these tables with W^X ones before kmain().

%include "layout.inc"
%include "x86_defs.inc"
%include "multiboot_header.inc"
%include "multiboot_entry.inc"

%define BOOT_STACK_SIZE	16384
%define PDPTE_P		PTE_P		; a PAE PDPTE has no RW/US/NX bits

extern x86_boot_main

section .boot.text progbits alloc exec nowrite align=16
	bits 32
	MULTIBOOT_ENTRY

	call	cpu_check_pae
	call	build_boot_page_tables
	call	enable_paging
	mov	eax, paging_high
	jmp	eax

.bad_magic:
	mov	edi, eax
	mov	esi, PHYS(msg_bad_magic)
	jmp	early_fail

; Clobbers EAX, EBX, ECX, EDX, EDI.
cpu_check_pae:
	mov	eax, 1
	cpuid
	test	edx, CPUID_1_EDX_PAE
	jz	.no_pae
	ret
.no_pae:
	mov	edi, edx
	mov	esi, PHYS(msg_no_pae)
	jmp	early_fail

; Clobbers EAX, ECX, EDI.
build_boot_page_tables:
	mov	edi, PHYS(boot_pd_kernel)
	mov	eax, PTE_P | PTE_W | PTE_PS
	mov	ecx, EARLY_MAP_SIZE / PAGE_2M
.fill:	mov	[edi], eax			; high dword stays 0 (BSS)
	add	eax, PAGE_2M
	add	edi, 8
	loop	.fill
	mov	dword [PHYS(boot_pdpt) + 0 * 8], PHYS(boot_pd_kernel) + PDPTE_P
	mov	dword [PHYS(boot_pdpt) + 1 * 8], PHYS(boot_pd_user1) + PDPTE_P
	mov	dword [PHYS(boot_pdpt) + 2 * 8], PHYS(boot_pd_user2) + PDPTE_P
	mov	dword [PHYS(boot_pdpt) + 3 * 8], PHYS(boot_pd_kernel) + PDPTE_P
	ret

; CR4.PAE and CR3 before CR0.PG (SDM vol. 3A 4.1.2); EFER.NXE only if CPUID
; leaf 0x80000001 says NX, because EFER itself may not exist otherwise.
; CR0.WP makes ring 0 honour read-only pages once there are any.
; Clobbers EAX, EBX, ECX, EDX.
enable_paging:
	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, PHYS(boot_pdpt)
	mov	cr3, eax
	mov	eax, CPUID_EXT_MAX
	cpuid
	cmp	eax, CPUID_EXT_FEATURES
	jb	.no_nx
	mov	eax, CPUID_EXT_FEATURES
	cpuid
	test	edx, CPUID_EXT_EDX_NX
	jz	.no_nx
	mov	ecx, MSR_EFER
	rdmsr
	or	eax, EFER_NXE
	wrmsr
.no_nx:	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	ret

%include "early_fail.inc"

msg_bad_magic:	db "not started by a Multiboot 1 loader (bad EAX)", 0
msg_no_pae:	db "CPU has no PAE (CPUID 1 EDX.PAE)", 0

section .text
	bits 32
paging_high:
	mov	esp, boot_stack_top
	mov	dword [boot_pdpt + 0 * 8], PHYS(boot_pd_user0) + PDPTE_P
	mov	eax, cr3			; reloads the PDPTEs and flushes
	mov	cr3, eax
	xor	ebp, ebp			; terminates frame-pointer backtraces
	sub	esp, 12				; 16-byte aligned at the call
	push	esi				; x86_boot_main(mbi_phys)
	call	x86_boot_main
.hang:	cli
	hlt
	jmp	.hang

section .bss nobits alloc noexec write align=4096
	alignb 4096
boot_pdpt:	resb 4096			; 32 bytes used (32-byte aligned)
boot_pd_user0:	resb 4096
boot_pd_user1:	resb 4096
boot_pd_user2:	resb 4096
boot_pd_kernel:	resb 4096
	alignb 16
global boot_stack, boot_stack_top
boot_stack:	resb BOOT_STACK_SIZE
boot_stack_top:
