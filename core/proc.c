/*
 * The process table and tree: creation, kill, exit and wait4 (see
 * <kern/proc.h>). A process ends in three steps: each thread leaves
 * (proc_thread_exit), the last one tears the address space down once no
 * CPU can still be walking its page tables, and the parent reaps the
 * zombie (proc_wait).
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/fd_table.h>
#include <kern/futex.h>
#include <kern/lock_rank.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/prof.h>
#include <kern/sched.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <kern/uaccess.h>
#include <mm/kheap.h>
#include <mm/vm.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

#define WNOHANG		1
#define __WALL		0x40000000
#define __WCLONE	0x80000000

struct spinlock proc_lock = SPINLOCK_INIT_ORDERED("proc", CORE_LOCK_RANK_PROC);
static unsigned int nprocs;
struct proc *init_proc;

struct proc *proc_current(void)
{
	struct thread *t = thread_current();

	return t ? t->proc : NULL;
}

unsigned int proc_count(void)
{
	return READ_ONCE(nprocs);
}

struct proc *proc_alloc(struct proc *parent, int pid, int *err)
{
	struct proc *p = kzalloc(sizeof(*p));
	unsigned long irq;

	if (p)
		p->files = parent ? fd_table_copy(parent->files) :
			fd_table_create(true);
	if (!p || !p->files) {
		kfree(p);
		*err = -ENOMEM;
		return NULL;
	}
	irq = spin_lock_irqsave(&proc_lock);
	if (nprocs >= PROC_MAX) {
		spin_unlock_irqrestore(&proc_lock, irq);
		fd_table_destroy(p->files);
		kfree(p);
		*err = -EAGAIN;
		return NULL;
	}
	nprocs++;
	p->pid = pid;
	p->parent = parent;
	if (parent) {
		p->sibling = parent->children;
		parent->children = p;
		memcpy(p->name, parent->name, sizeof(p->name));
	}
	spin_unlock_irqrestore(&proc_lock, irq);
	p->state = PROC_ALIVE;
	p->brk_lock = (struct spinlock)
		SPINLOCK_INIT_ORDERED("brk", CORE_LOCK_RANK_BRK);
	return p;
}

/* Unlink @p from its parent's children. Locking: proc_lock held. */
static void unlink_child(struct proc *p)
{
	struct proc **pp;

	if (!p->parent)
		return;
	for (pp = &p->parent->children; *pp; pp = &(*pp)->sibling) {
		if (*pp == p) {
			*pp = p->sibling;
			return;
		}
	}
	panic("proc: pid %d missing from its parent's children", p->pid);
}

void proc_abort(struct proc *p)
{
	unsigned long irq = spin_lock_irqsave(&proc_lock);

	unlink_child(p);
	nprocs--;
	spin_unlock_irqrestore(&proc_lock, irq);
	fd_table_destroy(p->files);
	kfree(p);
}

void proc_free(struct proc *p)
{
	unsigned long irq = spin_lock_irqsave(&proc_lock);

	nprocs--;
	if (p == init_proc)
		init_proc = NULL;
	spin_unlock_irqrestore(&proc_lock, irq);
	kfree(p);
}

void proc_kill(struct proc *p, int status)
{
	unsigned long irq = spin_lock_irqsave(&proc_lock);
	struct thread *t;

	if (!p->exiting) {
		p->exit_status = status;
		/* Seq-cst: pairs with sched_sleep (see sched_wakeup). */
		__atomic_store_n(&p->exiting, true, __ATOMIC_SEQ_CST);
	}
	for (t = p->threads; t; t = t->proc_next) {
		if (t == thread_current())
			continue;
		/* A sleeper wakes and returns -EINTR; a thread running on
		 * another CPU enters the kernel and leaves in user_return. */
		if (!sched_wakeup(t) && t->state == THREAD_RUNNING &&
		    t->cpu != this_cpu())
			arch_ipi_send(t->cpu, IPI_WAKE);
	}
	spin_unlock_irqrestore(&proc_lock, irq);
}

int proc_thread_affinity(int tid, struct cpuset *get,
			 const struct cpuset *set)
{
	struct proc *p = proc_current();
	unsigned long irq = spin_lock_irqsave(&proc_lock);
	struct thread *t;

	for (t = p->threads; t && t->tid != tid; t = t->proc_next)
		;
	if (t && get)
		*get = t->affinity;
	if (t && set) {
		t->affinity = *set;
		/* Running on a CPU it may no longer use: make it enter the
		 * kernel, where user_return moves it. */
		if (t->state == THREAD_RUNNING && t->cpu != this_cpu() &&
		    !cpuset_test(set, t->cpu->id))
			arch_ipi_send(t->cpu, IPI_WAKE);
	}
	spin_unlock_irqrestore(&proc_lock, irq);
	return t ? 0 : -ESRCH;
}

/* Give @p's children to init (or to nobody when init itself exits).
 * Locking: proc_lock held. */
static void reparent_children(struct proc *p)
{
	struct proc *c, *next, *heir = p == init_proc ? NULL : init_proc;

	for (c = p->children; c; c = next) {
		next = c->sibling;
		c->parent = heir;
		if (heir) {
			c->sibling = heir->children;
			heir->children = c;
		}
	}
	p->children = NULL;
	if (heir)
		waitq_wake(&heir->child_waiters, NULL, 0, ~0u);
}

/*
 * The last thread's work: wait until no CPU still has @p's page tables
 * loaded, free the address space, and leave a zombie for the parent.
 */
static void proc_teardown(struct proc *p)
{
	uint64_t t0 = prof_start(), t1;
	unsigned long irq;

	sched_use_kernel_pmap();
	/* Acquire: pairs with sched_finish_switch on the dead threads'
	 * CPUs, after which they run on other page tables. */
	while (__atomic_load_n(&p->dying_on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	t1 = prof_start();
	vm_space_destroy(p->vm);
	prof_end(PROF_EXIT_VM, t1);
	p->vm = NULL;
	/* Exit closes every descriptor (no thread is left to use them). */
	fd_table_destroy(p->files);
	p->files = NULL;
	irq = spin_lock_irqsave(&proc_lock);
	reparent_children(p);
	p->state = PROC_ZOMBIE;
	if (p->parent)
		waitq_wake(&p->parent->child_waiters, NULL, 0, ~0u);
	spin_unlock_irqrestore(&proc_lock, irq);
	prof_end(PROF_EXIT_TEARDOWN, t0);
	if (p == init_proc)
		arch_ipi_send(&cpus[0], IPI_WAKE);
}

/* Drop @t from @p's thread list. Locking: proc_lock held. */
static void unlink_thread(struct proc *p, struct thread *t)
{
	struct thread **pp;

	for (pp = &p->threads; *pp; pp = &(*pp)->proc_next) {
		if (*pp == t) {
			*pp = t->proc_next;
			return;
		}
	}
}

/* CLONE_CHILD_CLEARTID: zero the word and wake one futex waiter (the
 * joiner). A bad address is ignored, as Linux does. */
static void clear_child_tid(struct thread *t)
{
	uint32_t zero = 0;

	if (!t->clear_child_tid)
		return;
	if (copy_to_user(t->clear_child_tid, &zero, sizeof(zero)) == 0)
		futex_wake_addr(t->proc->vm, t->clear_child_tid, 1);
}

void proc_thread_exit(int status)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	unsigned long irq;
	bool last;

	clear_child_tid(t);
	irq = spin_lock_irqsave(&proc_lock);
	unlink_thread(p, t);
	last = --p->nthreads == 0;
	if (!last)
		__atomic_add_fetch(&p->dying_on_cpu, 1, __ATOMIC_RELAXED);
	else if (!p->exiting)
		p->exit_status = status;	/* exit() of the last thread */
	spin_unlock_irqrestore(&proc_lock, irq);
	if (last) {
		proc_teardown(p);
		/* The parent may free @p as soon as it is a zombie. */
		t->proc = NULL;
	}
	arch_irq_disable();
	thread_make_dead();
	sched_switch();
	panic("proc_thread_exit: dead thread %d ran again", t->tid);
}

/* Find a child of @p matching @pid (-1: any): *@zombie gets an exited one.
 * Returns whether any child matches. Locking: proc_lock held. */
static bool find_child(struct proc *p, int pid, struct proc **zombie)
{
	bool any = false;

	*zombie = NULL;
	for (struct proc *c = p->children; c; c = c->sibling) {
		if (pid != -1 && c->pid != pid)
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE) {
			*zombie = c;
			return true;
		}
	}
	return any;
}

/* Store @c's status, then reap it; on -EFAULT it stays a zombie. */
static long reap_child(struct proc *c, uintptr_t ustatus)
{
	uint64_t t0 = prof_start();
	unsigned long irq;
	int status = c->exit_status, pid = c->pid;

	if (ustatus && copy_to_user(ustatus, &status, sizeof(status)))
		return -EFAULT;
	irq = spin_lock_irqsave(&proc_lock);
	unlink_child(c);
	spin_unlock_irqrestore(&proc_lock, irq);
	proc_free(c);
	prof_end(PROF_WAIT_REAP, t0);
	return pid;
}

long proc_wait(int pid, uintptr_t ustatus, int options)
{
	struct proc *p = proc_current(), *zombie;
	struct waiter w = { 0 };
	unsigned long irq;
	int err = 0;

	if (options & ~(WNOHANG | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == 0 || pid < -1)
		return -EINVAL;	/* process groups do not exist here */
	irq = spin_lock_irqsave(&proc_lock);
	for (;;) {
		if (!find_child(p, pid, &zombie)) {
			err = -ECHILD;
			break;
		}
		if (zombie || (options & WNOHANG))
			break;
		err = waitq_sleep(&p->child_waiters, &w, &proc_lock, &irq, 0);
		if (err)
			break;
	}
	spin_unlock_irqrestore(&proc_lock, irq);
	if (err)
		return err;
	return zombie ? reap_child(zombie, ustatus) : 0;
}
