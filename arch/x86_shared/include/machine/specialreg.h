/*
 * x86 control register, MSR and CPUID bit definitions (Intel SDM vol. 3A
 * ch. 2.5 and 4, vol. 4 for MSRs, vol. 2A "CPUID"). Plain constants so the
 * nasm boot code can mirror them (see x86_defs.inc).
 */
#ifndef MACHINE_SPECIALREG_H
#define MACHINE_SPECIALREG_H

#define CR0_PE		(1UL << 0)	/* protected mode */
#define CR0_WP		(1UL << 16)	/* ring 0 honours read-only pages */
#define CR0_PG		(1UL << 31)	/* paging */

#define CR4_PAE		(1UL << 5)
#define CR4_PGE		(1UL << 7)
#define CR4_PCIDE	(1UL << 17)

#define EFLAGS_TF	(1UL << 8)	/* single-step */
#define EFLAGS_IF	(1UL << 9)	/* interrupts enabled */
#define EFLAGS_DF	(1UL << 10)	/* string ops count down */
#define EFLAGS_NT	(1UL << 14)	/* nested task: IRET returns by task */
#define EFLAGS_AC	(1UL << 18)	/* alignment check */
#define EFLAGS_FIXED	(1UL << 1)	/* always reads as 1 */

#define MSR_APIC_BASE	0x0000001bu	/* IA32_APIC_BASE */
#define APIC_BASE_BSP	(1ULL << 8)	/* read-only: this is the boot CPU */
#define APIC_BASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define APIC_BASE_EN	(1ULL << 11)	/* APIC globally enabled */
#define APIC_BASE_ADDR	0x000ffffffffff000ULL

#define MSR_EFER	0xc0000080u
#define EFER_SCE	(1ULL << 0)	/* SYSCALL/SYSRET */
#define EFER_LME	(1ULL << 8)	/* long mode enable */
#define EFER_LMA	(1ULL << 10)	/* long mode active (read-only) */
#define EFER_NXE	(1ULL << 11)	/* XD bit (63) honoured in PAE/4-level PTEs */
#define MSR_STAR	0xc0000081u	/* SYSCALL/SYSRET selectors */
#define MSR_LSTAR	0xc0000082u	/* 64-bit SYSCALL entry */
#define MSR_CSTAR	0xc0000083u	/* compatibility-mode SYSCALL entry */
#define MSR_FMASK	0xc0000084u	/* RFLAGS bits SYSCALL clears */
#define MSR_SYSENTER_CS	0x00000174u	/* 0: SYSENTER raises #GP */
#define MSR_FS_BASE		0xc0000100u
#define MSR_GS_BASE		0xc0000101u
#define MSR_KERNEL_GS_BASE	0xc0000102u	/* swapped in by SWAPGS */

#define CPUID_EXT_MAX		0x80000000u
#define CPUID_EXT_FEATURES	0x80000001u
#define CPUID_1_EDX_PAE		(1u << 6)
#define CPUID_1_EDX_MSR		(1u << 5)
#define CPUID_1_EDX_APIC	(1u << 9)
#define CPUID_1_EDX_SEP		(1u << 11)	/* SYSENTER/SYSEXIT */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_PCID	(1u << 17)
#define CPUID_EXT_EDX_NX	(1u << 20)
#define CPUID_EXT_EDX_LM	(1u << 29)

/* Page-fault error code bits (SDM vol. 3A 4.7). */
#define PF_ERR_P	(1u << 0)	/* protection violation (else not present) */
#define PF_ERR_W	(1u << 1)	/* write access */
#define PF_ERR_U	(1u << 2)	/* CPL 3 access */
#define PF_ERR_RSVD	(1u << 3)	/* reserved bit set in a paging entry */
#define PF_ERR_I	(1u << 4)	/* instruction fetch */

#endif
