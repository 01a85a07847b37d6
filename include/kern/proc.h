/*
 * Processes: an address space, a set of threads, a place in the process
 * tree, and an exit status for the parent's wait4. Process and thread IDs
 * share one counter, as on Linux: a process's pid is its first thread's tid.
 *
 * Life cycle: proc_spawn_init / clone (fork) create one; exit, exit_group
 * or a fatal fault make it exit: every thread leaves at its next return to
 * user mode, the last one out tears the address space down and leaves a
 * zombie, and the parent's wait4 reaps it. Orphans go to init (pid 1).
 *
 * Locking: proc_lock (rank CORE_LOCK_RANK_PROC) protects the tree, each
 * process's thread list and counts, and the state fields below.
 */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include <kern/compiler.h>
#include <kern/spinlock.h>
#include <kern/types.h>
#include <kern/waitq.h>

struct cpuset;
struct fd_table;
struct thread;
struct trapframe;
struct vm_space;

/* Processes that may exist at once (fork / clone beyond: -EAGAIN). */
#define PROC_MAX		64
/* Threads in all processes at once (clone beyond: -EAGAIN). */
#define THREAD_MAX		512

/* Linux signal numbers, for wait statuses of killed processes. */
#define SIGILL			4
#define SIGKILL			9
#define SIGSEGV			11
#define SIGCHLD			17

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE,		/* exited; waits for its parent's wait4 */
};

struct proc {
	int pid;
	enum proc_state state;
	char name[16];			/* the program's file name */
	struct proc *parent;		/* NULL for init */
	struct proc *children;		/* first child */
	struct proc *sibling;		/* next child of the same parent */
	struct vm_space *vm;		/* NULL once torn down */
	struct thread *threads;		/* live threads, via proc_next */
	unsigned int nthreads;		/* live threads */
	int dying_on_cpu;		/* dead threads not yet switched away */
	bool exiting;			/* every thread must leave */
	int exit_status;		/* wait4 status (Linux encoding) */
	struct waitq child_waiters;	/* threads in wait4 on this parent */
	struct spinlock brk_lock;	/* serialises brk; taken with
					 * interrupts on, before the vm lock */
	vaddr_t brk_base, brk;		/* the heap: [brk_base, brk) */
	unsigned int nosys_reports;	/* unknown system calls reported */
	struct fd_table *files;		/* shared by the threads; a fork's
					 * copy; closed by the last thread */
};

extern struct spinlock proc_lock;
extern struct proc *init_proc;		/* pid 1, NULL once reaped */

/* The calling thread's process (NULL in kernel threads). */
struct proc *proc_current(void);

/*
 * Create init (pid 1) running the program @path from the initramfs, and
 * queue its thread. The words after "--" on the boot command line are its
 * arguments, or its environment if they contain '=' (as on Linux). The program is loaded by the new thread itself; a
 * program that cannot be loaded makes init exit with status 127 after a
 * message. Returns 0 with *@out set, or a negative errno.
 */
int proc_spawn_init(const char *path, struct proc **out);

/*
 * A process (no parent, an empty address space, named @name) whose one
 * thread starts in kernel mode at @fn(@arg): @fn calls sched_thread_begin()
 * first, may load a program and enter user mode, or ends with
 * proc_thread_exit(). init is one; tests make others. Returns 0 with *@out
 * set, -ENOMEM or -EAGAIN (nothing left allocated). Locking: none held.
 */
int proc_spawn(const char *name, void (*fn)(void *), void *arg,
	       struct proc **out);

/*
 * A new process with pid @pid (its first thread's tid): a slot, its
 * parent linked, its file descriptors (a copy of the parent's, or fds
 * 0-2 on the console without a parent), no address space or threads yet.
 * Returns NULL with *@err = -EAGAIN at the process limit or -ENOMEM.
 * Locking: takes proc_lock.
 */
struct proc *proc_alloc(struct proc *parent, int pid, int *err);

/* Undo proc_alloc of a process that never ran. Locking: takes proc_lock. */
void proc_abort(struct proc *p);

/*
 * Free a reaped zombie (its address space is gone, its threads reaped).
 * Locking: none; the caller unlinked @p under proc_lock.
 */
void proc_free(struct proc *p);

/*
 * Make @p exit with wait status @status unless it already is exiting:
 * wake its sleeping threads, interrupt its running ones; each leaves at
 * its next return to user mode. Locking: takes proc_lock.
 */
void proc_kill(struct proc *p, int status);

/*
 * End the calling thread (@status: the wait status if it is the last
 * thread and the process is not being killed): clear and wake its CLONE_CHILD_CLEARTID word,
 * and if it is the last thread of its process, tear the process down to
 * a zombie and tell the parent. Interrupts enabled. Never returns.
 */
__noreturn void proc_thread_exit(int status);

/*
 * wait4: reap a zombie child matching @pid (-1: any), storing its status
 * at user @ustatus (if not 0). Returns the child's pid, 0 with WNOHANG
 * if none has exited yet, -ECHILD if no child matches, -EFAULT (the child
 * stays a zombie), -EINTR if this process is being killed.
 */
long proc_wait(int pid, uintptr_t ustatus, int options);

/*
 * Affinity of thread @tid of the calling process (sched_getaffinity /
 * sched_setaffinity on another thread): copy it to *@get, or set it from
 * @set (online CPUs, not empty). A thread running elsewhere moves on its
 * next way back to user mode; a queued or sleeping one where it next
 * runs. Returns 0 or -ESRCH (no such thread in this process).
 * Locking: takes proc_lock (threads leave the list before they are freed).
 */
int proc_thread_affinity(int tid, struct cpuset *get,
			 const struct cpuset *set);

/* Processes alive or zombie (for tests and the end-of-init check). */
unsigned int proc_count(void);

/*
 * clone(2) for fork and threads (see core/clone.c): the caller's registers
 * @tf, Linux's flags, new stack, parent / child tid words and TLS base.
 * Returns the child's pid or tid, or -EINVAL (unsupported flags),
 * -EAGAIN (limits), -ENOMEM; nothing changed on failure.
 */
long proc_clone(struct trapframe *tf, unsigned long flags, uintptr_t newsp,
		uintptr_t uptid, uintptr_t uctid, uintptr_t tls);

/*
 * Load the program argv[0] from the initramfs into the calling thread's
 * (empty) address space, and set up its registers @tf and its stack with
 * the NULL-terminated @argv and @envp (at most 64 strings in all). 0 or a
 * negative errno, with a message printed. Locking: none held.
 */
int exec_load(const char *const *argv, const char *const *envp,
	      struct trapframe *tf);

#endif
