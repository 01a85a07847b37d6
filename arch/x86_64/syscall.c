/*
 * SYSCALL set-up on x86_64 (SDM vol. 3A 5.8.8, vol. 2B "SYSCALL"): the
 * entry point, the selectors, and the RFLAGS bits cleared on entry. The
 * entry itself is syscall_entry.asm.
 */
#include <kern/compiler.h>
#include <kern/errno.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/uaccess.h>
#include <mm/mmu.h>
#include <machine/cpufunc.h>
#include <machine/gdt.h>
#include <machine/trapframe.h>
#include <smp/cpu.h>

/*
 * Where syscall_entry.asm finds its per-CPU words through GS: absolute
 * symbols whose values are offsets in struct cpu, so the assembly
 * follows the struct's layout without a hand-kept copy of it.
 */
__used static void x86_syscall_asm_offsets(void)
{
	__asm__ __volatile__(
		".globl CPU_SYSCALL_RSP\n\t.set CPU_SYSCALL_RSP, %c0\n\t"
		".globl CPU_TSS_RSP0\n\t.set CPU_TSS_RSP0, %c1"
		: : "i"(offsetof(struct cpu, arch.syscall_rsp)),
		    "i"(offsetof(struct cpu, arch.tss) +
			offsetof(struct tss64, rsp)));
}

/*
 * SYSCALL loads CS = STAR[47:32] and SS = STAR[47:32] + 8 (gdt.h orders
 * the GDT for it). FMASK clears IF (no interrupt before the entry has a
 * stack), DF (the C ABI), TF (no single-stepping the kernel), AC, and NT
 * (an IRET with NT set would #GP in long mode). Compatibility mode cannot
 * be entered (no 32-bit user code segment), so CSTAR is never used; and
 * SYSENTER_CS = 0 makes a user SYSENTER raise #GP.
 */
void x86_syscall_cpu_init(void)
{
	wrmsr(MSR_STAR, (uint64_t)GDT_USER_CS32 << 48 |
			(uint64_t)GDT_KERNEL_CS << 32);
	wrmsr(MSR_LSTAR, (uintptr_t)x86_syscall_entry);
	wrmsr(MSR_CSTAR, 0);
	wrmsr(MSR_FMASK, EFLAGS_IF | EFLAGS_DF | EFLAGS_TF | EFLAGS_AC |
			 EFLAGS_NT);
	wrmsr(MSR_SYSENTER_CS, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static void x86_tls_load(uintptr_t base)
{
	wrmsr(MSR_FS_BASE, base);
}

/* The user cannot change its base behind the kernel's back (no FSGSBASE
 * instructions are enabled), so no need to read it back. */
void x86_tls_switch(const struct thread *prev, const struct thread *next)
{
	if (next->arch.tls_base != prev->arch.tls_base)
		x86_tls_load(next->arch.tls_base);
}

void x86_tls_copy(struct thread *child)
{
	child->arch.tls_base = thread_current()->arch.tls_base;
}

int arch_thread_set_tls(struct thread *t, uintptr_t base)
{
	/* A user base only: WRMSR of a non-canonical value would #GP here. */
	if (base >= MMU_USER_VA_END)
		return -EPERM;
	t->arch.tls_base = base;
	if (t == thread_current())
		x86_tls_load(base);
	return 0;
}

/* arch_prctl(2) codes (Linux arch/x86/include/uapi/asm/prctl.h). */
#define ARCH_SET_GS		0x1001
#define ARCH_SET_FS		0x1002
#define ARCH_GET_FS		0x1003
#define ARCH_GET_GS		0x1004

/*
 * arch_prctl: the FS base that static libcs point at their thread control
 * block. GS is the kernel's per-CPU base (swapped on every entry), so
 * ARCH_SET_GS / ARCH_GET_GS are refused with -EINVAL.
 */
long sys_arch_prctl(const struct syscall_args *args)
{
	struct thread *t = thread_current();

	switch (args->a[0]) {
	case ARCH_SET_FS:
		return arch_thread_set_tls(t, args->a[1]);
	case ARCH_GET_FS:
		return copy_to_user(args->a[1], &t->arch.tls_base,
				    sizeof(t->arch.tls_base));
	}
	return -EINVAL;
}
