/*
 * Memory system calls: mmap (anonymous memory, private or shared), munmap,
 * mprotect, madvise and brk, on the calling process's address space.
 */
#include <kern/errno.h>
#include <kern/lock_rank.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/vm.h>

/* mmap flags (Linux; the same values on x86 and the generic ABI). */
#define MAP_SHARED		0x01UL
#define MAP_PRIVATE		0x02UL
#define MAP_FIXED		0x10UL
#define MAP_ANONYMOUS		0x20UL
#define MAP_DENYWRITE		0x0800UL
#define MAP_EXECUTABLE		0x1000UL
#define MAP_NORESERVE		0x4000UL
#define MAP_POPULATE		0x8000UL
#define MAP_STACK		0x20000UL
/* Hints that change nothing here: no reservation accounting, no
 * prefaulting (pages still appear on first touch), no stack guard. */
#define MAP_IGNORED	(MAP_DENYWRITE | MAP_EXECUTABLE | MAP_NORESERVE | \
			 MAP_POPULATE | MAP_STACK)

#define MADV_NORMAL		0
#define MADV_RANDOM		1
#define MADV_SEQUENTIAL		2
#define MADV_WILLNEED		3
#define MADV_DONTNEED		4

_Static_assert(VM_MAP_PRIVATE == MAP_PRIVATE && VM_MAP_SHARED == MAP_SHARED &&
	       VM_MAP_FIXED == MAP_FIXED && VM_MAP_ANONYMOUS == MAP_ANONYMOUS,
	       "mmap flag values");

static struct vm_space *current_vm(void)
{
	return proc_current()->vm;
}

long sys_mmap(const struct syscall_args *args)
{
	unsigned long flags = args->a[3] & ~MAP_IGNORED;
	vaddr_t out;
	int err;

	if (!(flags & MAP_ANONYMOUS))
		return -EBADF;	/* no files: every fd is bad */
	err = vm_map(current_vm(), args->a[0], args->a[1],
		     (unsigned int)args->a[2], (unsigned int)flags, &out);
	return err ? err : (long)out;
}

long sys_munmap(const struct syscall_args *args)
{
	return vm_unmap(current_vm(), args->a[0], args->a[1]);
}

long sys_mprotect(const struct syscall_args *args)
{
	return vm_protect(current_vm(), args->a[0], args->a[1],
			  (unsigned int)args->a[2]);
}

long sys_madvise(const struct syscall_args *args)
{
	switch (args->a[2]) {
	case MADV_DONTNEED:
		return vm_discard(current_vm(), args->a[0], args->a[1]);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
		return (args->a[0] & PAGE_MASK) ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* Move the break of @p from @old to @new (both page aligned). */
static int brk_move(struct proc *p, vaddr_t old, vaddr_t new)
{
	vaddr_t got;
	int err;

	if (new < old)
		return vm_unmap(p->vm, new, old - new);
	/* Not MAP_FIXED: never replace a mapping that sits in the way. */
	err = vm_map(p->vm, old, new - old, VM_READ | VM_WRITE,
		     VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, &got);
	if (err || got == old)
		return err;
	vm_unmap(p->vm, got, new - old);
	return -ENOMEM;
}

/*
 * brk: as Linux, returns the new break on success and the old one on any
 * failure (that is how callers detect it); brk(0) asks for the current.
 */
long sys_brk(const struct syscall_args *args)
{
	struct proc *p = proc_current();
	vaddr_t want = args->a[0], old;

	/* Interrupts stay on: brk_move may wait for a TLB shootdown. */
	spin_lock(&p->brk_lock);
	old = ALIGN_UP(p->brk, PAGE_SIZE);
	if (want >= p->brk_base && want < MMU_USER_VA_END / 2 &&
	    (ALIGN_UP(want, PAGE_SIZE) == old ||
	     brk_move(p, old, ALIGN_UP(want, PAGE_SIZE)) == 0))
		p->brk = want;
	want = p->brk;
	spin_unlock(&p->brk_lock);
	return (long)want;
}
