/*
 * clone(2): fork (a new process sharing the parent's frames
 * copy-on-write) and threads (a new thread in the caller's process), and
 * the first steps of every new user thread. The flag rules follow Linux:
 * a thread needs CLONE_VM | CLONE_SIGHAND | CLONE_THREAD; anything this
 * kernel cannot honour (vfork, namespaces, pidfds)
 * is refused with -EINVAL rather than ignored.
 */
#include <kern/arch.h>
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/prof.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <kern/uaccess.h>
#include <mm/vm.h>
#include <smp/smp_md.h>

#define CLONE_VM		0x00000100UL
#define CLONE_FS		0x00000200UL
#define CLONE_FILES		0x00000400UL
#define CLONE_SIGHAND		0x00000800UL
#define CLONE_THREAD		0x00010000UL
#define CLONE_SYSVSEM		0x00040000UL
#define CLONE_SETTLS		0x00080000UL
#define CLONE_PARENT_SETTID	0x00100000UL
#define CLONE_CHILD_CLEARTID	0x00200000UL
#define CLONE_DETACHED		0x00400000UL
#define CLONE_CHILD_SETTID	0x01000000UL
#define CLONE_SIGNAL_MASK	0xffUL

#define CLONE_TID_FLAGS	(CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |	\
			 CLONE_CHILD_SETTID | CLONE_SETTLS)
#define CLONE_THREAD_NEEDS	(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_THREAD_MAY	(CLONE_THREAD_NEEDS | CLONE_FS | CLONE_FILES | \
				 CLONE_SYSVSEM | CLONE_DETACHED |	\
				 CLONE_TID_FLAGS)
#define CLONE_FORK_MAY		(CLONE_TID_FLAGS | CLONE_SIGNAL_MASK)

/* First code of a new user thread (fork child or clone thread). */
static void user_thread_start(void *arg)
{
	struct thread *t = thread_current();
	struct trapframe *tf = arch_thread_trapframe(t);
	uint32_t tid = (uint32_t)t->tid;

	(void)arg;
	sched_finish_switch();
	if (t->set_child_tid) {
		/* In the child's own address space; a bad address is
		 * ignored, as Linux does. */
		arch_irq_enable();
		copy_to_user(t->set_child_tid, &tid, sizeof(tid));
		arch_irq_disable();
	}
	user_return(tf);
	arch_user_enter(tf);
}

/* What clone(2) asked for. */
struct clone_req {
	unsigned long flags;
	uintptr_t newsp, uptid, uctid, tls;
};

/* The child's registers: the caller's, returning 0, maybe a new stack
 * and thread pointer (whose error is the only way this can fail). */
static int setup_thread(struct thread *t, const struct trapframe *tf,
			const struct clone_req *req)
{
	struct trapframe *ctf = arch_thread_trapframe(t);

	*ctf = *tf;
	arch_tf_set_retval(ctf, 0);
	if (req->newsp)
		arch_tf_set_sp(ctf, req->newsp);
	/* In this order: arch_thread_init starts from a clean FP state. */
	arch_thread_init(t, user_thread_start, NULL);
	arch_thread_copy_user_state(t);
	t->affinity = thread_current()->affinity;
	t->cpu = thread_current()->cpu;
	if (req->flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = req->uctid;
	if (req->flags & CLONE_CHILD_SETTID)
		t->set_child_tid = req->uctid;
	if (req->flags & CLONE_SETTLS)
		return arch_thread_set_tls(t, req->tls);
	return 0;
}

static void set_parent_tid(const struct clone_req *req, int tid)
{
	uint32_t v = (uint32_t)tid;

	if (req->flags & CLONE_PARENT_SETTID)
		copy_to_user(req->uptid, &v, sizeof(v));
}

/*
 * A process with its first thread (not started) and its address space: a
 * copy-on-write fork of @parent's, or an empty one without a parent.
 * NULL with *@err set on failure, with nothing left allocated.
 */
static struct proc *new_process(struct proc *parent, struct thread **tp,
				int *err)
{
	uint64_t t0 = prof_start();
	struct thread *t = thread_alloc();
	struct proc *p;

	*err = -EAGAIN;
	if (!t)
		return NULL;
	p = proc_alloc(parent, t->tid, err);
	if (!p)
		goto free_thread;
	prof_end(PROF_FORK_ALLOC, t0);
	if (parent) {
		/* Under brk_lock, as sys_brk moves the break: another thread's
		 * brk must not land between the VMAs copied and the break
		 * copied, or the child's break would not match its heap. */
		spin_lock(&parent->brk_lock);
		*err = vm_fork(parent->vm, &p->vm);
		p->brk_base = parent->brk_base;
		p->brk = parent->brk;
		spin_unlock(&parent->brk_lock);
	} else {
		p->vm = vm_space_create();
		*err = p->vm ? 0 : -ENOMEM;
	}
	if (*err) {
		proc_abort(p);
		goto free_thread;
	}
	t->proc = p;
	p->threads = t;
	p->nthreads = 1;
	*tp = t;
	return p;
free_thread:
	thread_free(t);
	return NULL;
}

/* Undo new_process for a child that never ran. */
static void discard_process(struct proc *p, struct thread *t)
{
	vm_space_destroy(p->vm);
	p->vm = NULL;
	proc_abort(p);
	thread_free(t);
}

static long clone_process(const struct trapframe *tf,
			  const struct clone_req *req)
{
	struct proc *parent = proc_current(), *child;
	uint64_t t0 = prof_start(), t1;
	struct thread *t;
	int err;

	child = new_process(parent, &t, &err);
	if (!child)
		return err;
	t1 = prof_start();
	err = setup_thread(t, tf, req);
	if (err) {
		discard_process(child, t);
		return err;
	}
	set_parent_tid(req, t->tid);
	sched_start(t);
	prof_end(PROF_FORK_THREAD, t1);
	prof_end(PROF_FORK, t0);
	return child->pid;
}

static long clone_thread(const struct trapframe *tf,
			 const struct clone_req *req)
{
	struct proc *p = proc_current();
	struct thread *t = thread_alloc();
	unsigned long irq;
	int err;

	if (!t)
		return -EAGAIN;
	err = setup_thread(t, tf, req);
	if (err) {
		thread_free(t);
		return err;
	}
	t->proc = p;
	irq = spin_lock_irqsave(&proc_lock);
	if (p->exiting) {
		spin_unlock_irqrestore(&proc_lock, irq);
		thread_free(t);
		return -EINTR;
	}
	t->proc_next = p->threads;
	p->threads = t;
	p->nthreads++;
	spin_unlock_irqrestore(&proc_lock, irq);
	set_parent_tid(req, t->tid);
	sched_start(t);
	return t->tid;
}

long proc_clone(struct trapframe *tf, unsigned long flags, uintptr_t newsp,
		uintptr_t uptid, uintptr_t uctid, uintptr_t tls)
{
	const struct clone_req req = {
		.flags = flags, .newsp = newsp, .uptid = uptid,
		.uctid = uctid, .tls = tls,
	};

	if (flags & CLONE_THREAD) {
		if ((flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS ||
		    (flags & ~CLONE_THREAD_MAY))
			return -EINVAL;
		return clone_thread(tf, &req);
	}
	if (flags & ~CLONE_FORK_MAY)
		return -EINVAL;
	return clone_process(tf, &req);
}

/* init's argv and envp: @path, then the words after "--" on the boot
 * command line, split by whether they hold '='. */
static void init_args(const char *path, const char **argv, const char **envp)
{
	unsigned int na = 0, ne = 0, n = cmdline_user_count();

	argv[na++] = path;
	for (unsigned int i = 0; i < n; i++) {
		const char *w = cmdline_user_word(i);

		if (strchr(w, '='))
			envp[ne++] = w;
		else
			argv[na++] = w;
	}
	argv[na] = NULL;
	envp[ne] = NULL;
}

/* First code of init: load the program, then enter it. */
static void init_thread_start(void *arg)
{
	const char *argv[CMDLINE_MAX_ARGS + 2], *envp[CMDLINE_MAX_ARGS + 1];
	struct trapframe *tf = arch_thread_trapframe(thread_current());

	sched_thread_begin();
	init_args(arg, argv, envp);
	if (exec_load(argv, envp, tf) != 0)
		proc_thread_exit(127 << 8);
	arch_irq_disable();
	user_return(tf);
	arch_user_enter(tf);
}

int proc_spawn(const char *name, void (*fn)(void *), void *arg,
	       struct proc **out)
{
	struct thread *t;
	struct proc *p;
	int err;

	p = new_process(NULL, &t, &err);
	if (!p)
		return err;
	strlcpy(p->name, name, sizeof(p->name));
	arch_thread_init(t, fn, arg);
	*out = p;
	sched_start(t);
	return 0;
}

int proc_spawn_init(const char *path, struct proc **out)
{
	int err = proc_spawn("init", init_thread_start, (void *)path, out);

	if (err == 0)
		init_proc = *out;
	return err;
}
