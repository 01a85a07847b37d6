/*
 * User memory access (see <kern/uaccess.h>) and the kernel-mode fault
 * path that makes it safe: arch_copy_user is the only code that touches
 * user addresses, and a fault inside it either pages the memory in or
 * ends the copy early.
 */
#include <kern/errno.h>
#include <kern/proc.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <kern/uaccess.h>
#include <mm/mmu.h>
#include <mm/vm.h>
#include <smp/cpu.h>

bool user_range_ok(uintptr_t uaddr, size_t n)
{
	return uaddr < MMU_USER_VA_END && n <= MMU_USER_VA_END - uaddr;
}

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return arch_copy_user(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arch_copy_user((void *)udst, src, n) ? -EFAULT : 0;
}

bool uaccess_fault(struct trapframe *tf, vaddr_t addr, unsigned int access)
{
	uintptr_t pc = trapframe_pc(tf);
	struct thread *t;

	/* Decide on a copy first: only arch_copy_user may fault on user
	 * memory; anything else is a kernel bug for the caller to report.
	 * The fixup redirects @tf; a resolved fault takes that back. */
	if (addr >= MMU_USER_VA_END || !arch_uaccess_fixup(tf))
		return false;
	t = thread_current();
	if (t && t->proc && t->proc->vm &&
	    vm_fault(t->proc->vm, addr, access) == 0)
		trapframe_set_pc(tf, pc);
	return true;
}
