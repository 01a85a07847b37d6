; x86_64 entry from a Multiboot 1 loader.
;
; The loader enters boot_entry (physical; kernel.ld makes it the ELF entry)
; in 32-bit protected mode, paging off, interrupts off, EAX = magic, EBX =
; physical address of the Multiboot information (spec 3.2). From here:
;   check the magic and long-mode support, clear BSS, build the boot page
;   tables, enable PAE + EFER.LME (+ EFER.NXE when CPUID has NX) + paging,
;   far-jump to 64-bit code, jump to the higher half, drop the identity map,
;   and call x86_boot_main(mbi) on the 16 KiB boot stack.
;
; Boot page tables (SDM vol. 3A 4.5), 2 MiB pages throughout: four page
; directories (boot_pd, 16 KiB) map physical [0, 4 GiB). They appear as
;   PML4[0]   -> boot_pdpt_low[0]     identity [0, 1 GiB), only until we
;                                     run in the higher half;
;   PML4[256] -> boot_pdpt_dmap[0..3] the early map: [0, 4 GiB) at
;                                     EARLY_MAP_BASE, where firmware tables
;                                     (ACPI sits near the top of RAM) and
;                                     the local APIC are reached;
;   PML4[511] -> boot_pdpt_high[510]  [0, 1 GiB) at KERNEL_VMA_BASE (-2 GiB),
;                                     where the kernel is linked.
; The last GiB is the MMIO hole of QEMU's pc machine (guests of up to 3 GiB
; have no RAM there; LAPIC and I/O APIC live there): it is mapped PCD|PWT,
; i.e. uncached through PAT entry 3 (SDM vol. 3A 11.12.3), so device
; registers are never cached or combined. All of it is RWX: kernel_map.c
; replaces these tables with W^X ones before kmain().

%include "layout.inc"
%include "x86_defs.inc"
%include "multiboot_header.inc"
%include "multiboot_entry.inc"

%define BOOT_STACK_SIZE	16384

extern x86_boot_main

section .boot.text progbits alloc exec nowrite align=16
	bits 32
	MULTIBOOT_ENTRY

	call	cpu_check_long_mode
	call	build_boot_page_tables
	call	enable_long_mode
	lgdt	[PHYS(boot_gdt_ptr32)]
	jmp	GDT_KERNEL_CS:PHYS(long_mode_low)

.bad_magic:
	mov	edi, eax
	mov	esi, PHYS(msg_bad_magic)
	jmp	early_fail

; Long mode needs CPUID leaf 0x80000001 EDX.LM (SDM vol. 3A 9.8.5). CPUID
; itself exists on every CPU that QEMU -cpu max or any x86_64 offers.
; Returns EDX = extended feature flags. Clobbers EAX, EBX, ECX, EDI.
cpu_check_long_mode:
	mov	eax, CPUID_EXT_MAX
	cpuid
	mov	edi, eax
	cmp	eax, CPUID_EXT_FEATURES
	jb	.no_long_mode
	mov	eax, CPUID_EXT_FEATURES
	cpuid
	mov	edi, edx
	test	edx, CPUID_EXT_EDX_LM
	jz	.no_long_mode
	ret
.no_long_mode:
	mov	esi, PHYS(msg_no_long_mode)
	jmp	early_fail

; Clobbers EAX, ECX, EDI.
build_boot_page_tables:
	mov	edi, PHYS(boot_pd)
	mov	eax, PTE_P | PTE_W | PTE_PS
	mov	ecx, 3 * 512			; [0, 3 GiB): write-back
.fill:	mov	[edi], eax			; high dword stays 0 (BSS)
	add	eax, PAGE_2M
	add	edi, 8
	loop	.fill
	or	eax, PTE_PWT | PTE_PCD
	mov	ecx, 512			; [3 GiB, 4 GiB): uncached
.fill_uc:
	mov	[edi], eax
	add	eax, PAGE_2M
	add	edi, 8
	loop	.fill_uc
	mov	edi, PHYS(boot_pdpt_dmap)
	mov	eax, PHYS(boot_pd) + PTE_P + PTE_W
	mov	ecx, 4
.dmap:	mov	[edi], eax
	add	eax, 4096
	add	edi, 8
	loop	.dmap
	mov	dword [PHYS(boot_pdpt_low)], PHYS(boot_pd) + PTE_P + PTE_W
	mov	dword [PHYS(boot_pdpt_high) + 510 * 8], PHYS(boot_pd) + PTE_P + PTE_W
	mov	dword [PHYS(boot_pml4)], PHYS(boot_pdpt_low) + PTE_P + PTE_W
	mov	dword [PHYS(boot_pml4) + EARLY_MAP_PML4_SLOT * 8], PHYS(boot_pdpt_dmap) + PTE_P + PTE_W
	mov	dword [PHYS(boot_pml4) + 511 * 8], PHYS(boot_pdpt_high) + PTE_P + PTE_W
	ret

; PAE, then EFER.LME (+NXE), then CR0.PG: the order SDM vol. 3A 9.8.5
; prescribes for entering IA-32e mode. CR0.WP makes ring 0 honour
; read-only pages once there are any. Clobbers EAX, EBX, ECX, EDX.
enable_long_mode:
	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, PHYS(boot_pml4)
	mov	cr3, eax
	mov	eax, CPUID_EXT_FEATURES
	cpuid
	mov	ebx, EFER_LME
	test	edx, CPUID_EXT_EDX_NX
	jz	.no_nx
	or	ebx, EFER_NXE
.no_nx:	mov	ecx, MSR_EFER
	rdmsr
	or	eax, ebx
	wrmsr
	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	ret

%include "early_fail.inc"

msg_bad_magic:		db "not started by a Multiboot 1 loader (bad EAX)", 0
msg_no_long_mode:	db "CPU has no long mode (CPUID 0x80000001 EDX.LM)", 0

	bits 64
; Running 64-bit code at the identity-mapped physical address.
long_mode_low:
	mov	ax, GDT_KERNEL_DS
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	rax, long_mode_high
	jmp	rax

section .text
	bits 64
long_mode_high:
	; Point GDTR at the GDT's higher-half alias before the identity map goes.
	lgdt	[rel boot_gdt_ptr64]
	mov	rsp, boot_stack_top
	mov	qword [rel boot_pml4], 0
	mov	rax, cr3			; flush the identity translations
	mov	cr3, rax
	xor	ebp, ebp			; terminates frame-pointer backtraces
	mov	edi, esi			; x86_boot_main(mbi_phys)
	call	x86_boot_main
.hang:	cli
	hlt
	jmp	.hang

section .rodata
; Temporary GDT for the switch; gdt.c loads the real one. Selectors match
; GDT_KERNEL_CS / GDT_KERNEL_DS.
	align 16
boot_gdt:
	dq	0
	dq	0x00af9a000000ffff		; 0x08: 64-bit code, DPL 0
	dq	0x00cf92000000ffff		; 0x10: data, DPL 0
boot_gdt_end:
	align 4
	dw	0				; align the base field
boot_gdt_ptr32:
	dw	boot_gdt_end - boot_gdt - 1
	dd	PHYS(boot_gdt)
	align 8
	dw	0, 0, 0
boot_gdt_ptr64:
	dw	boot_gdt_end - boot_gdt - 1
	dq	boot_gdt

section .bss nobits alloc noexec write align=4096
	alignb 4096
boot_pml4:	resb 4096
boot_pdpt_low:	resb 4096
boot_pdpt_dmap:	resb 4096
boot_pdpt_high:	resb 4096
boot_pd:	resb 4 * 4096			; [0, 4 GiB), contiguous
	alignb 16
global boot_stack, boot_stack_top
boot_stack:	resb BOOT_STACK_SIZE
boot_stack_top:
