/*
 * What the kernel does when user mode traps: resolve page faults, kill
 * the process on anything it may not do, and the last step before every
 * return to user mode (reschedule, or leave if the process is exiting).
 */
#include <kern/arch.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <mm/mmu.h>
#include <mm/vm.h>
#include <kern/errno.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

static const char *access_name(unsigned int access)
{
	return access == VM_EXEC ? "exec" : access == VM_WRITE ? "write" :
		"read";
}

/* Why vm_fault refused @addr: no mapping, or the mapping's protection. */
static const char *refusal(struct vm_space *vs, vaddr_t addr)
{
	const char *why;

	if (addr >= MMU_USER_VA_END)
		return "kernel address";
	spin_lock(&vs->lock);
	why = vm_find_vma(vs, addr) ? "not permitted" : "not mapped";
	spin_unlock(&vs->lock);
	return why;
}

/* Kill the current process for a fault, with the one-line report. */
static void kill_current(struct trapframe *tf, const char *what, int status)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	printk("pid %d (%s) tid %d killed: %s, pc %#lx\n", p->pid, p->name,
	       t->tid, what, (unsigned long)arch_tf_user_pc(tf));
	proc_kill(p, status);
}

void user_page_fault(struct trapframe *tf, vaddr_t addr, unsigned int access)
{
	struct proc *p = proc_current();
	char what[96];
	int err;

	err = addr < MMU_USER_VA_END ? vm_fault(p->vm, addr, access) :
		-EFAULT;
	if (err == 0)
		return;
	if (err == -ENOMEM) {
		snprintf(what, sizeof(what), "out of memory at %#lx (%s)",
			 (unsigned long)addr, access_name(access));
		kill_current(tf, what, SIGKILL);
		return;
	}
	snprintf(what, sizeof(what), "page fault at %#lx (%s, %s)",
		 (unsigned long)addr, access_name(access),
		 refusal(p->vm, addr));
	kill_current(tf, what, SIGSEGV);
}

void user_exception(struct trapframe *tf, const char *cause, vaddr_t addr)
{
	char what[96];

	snprintf(what, sizeof(what), "%s at %#lx", cause, (unsigned long)addr);
	kill_current(tf, what, SIGSEGV);
}

void user_illegal_instruction(struct trapframe *tf, const char *cause,
			      vaddr_t pc)
{
	char what[96];

	snprintf(what, sizeof(what), "%s at %#lx", cause, (unsigned long)pc);
	kill_current(tf, what, SIGILL);
}

void user_return(struct trapframe *tf)
{
	struct thread *t;

	(void)tf;
	for (;;) {
		t = thread_current();
		if (__atomic_load_n(&t->proc->exiting, __ATOMIC_ACQUIRE)) {
			arch_irq_enable();
			proc_thread_exit(0);
		}
		/* Re-pinned by another thread while it ran here. */
		if (!cpuset_test(&t->affinity, this_cpu()->id)) {
			struct cpuset set = t->affinity;

			sched_set_affinity(&set);
			continue;
		}
		if (!this_cpu()->sched.need_resched)
			return;
		sched_switch();
	}
}
