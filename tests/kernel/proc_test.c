/*
 * Suite proc: the failure paths of the process layer. A test process
 * (proc_spawn, running in kernel mode) forks with each page allocation,
 * then each heap allocation, failing in turn; each exec of /init from the
 * initramfs runs in a fresh test process with the same injections. Every
 * attempt must either succeed or fail with -ENOMEM / -EAGAIN, and once
 * the children and test processes are gone the free page count and the
 * process count must be exactly what they were: failure leaks nothing.
 * A fork that succeeds makes a child whose registers start at pc 0, so it
 * dies of a page fault at once (one "killed" line each): the kill and
 * reap paths run too. Last, a user page fault that finds no memory must
 * kill its process with SIGKILL, and leak nothing either.
 */
#include <kern/errno.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <ktest/ktest.h>
#include <ktest/ktest_mm.h>
#include <mm/kheap.h>
#include <mm/pmm.h>
#include <mm/vm.h>

#define P		PAGE_SIZE
#define BASE		((vaddr_t)0x10000000)
#define PAGES		4
/* More allocations than one fork or exec makes; reaching it is a bug. */
#define MAX_NTH		400

/* One allocator to fail: arm its Nth allocation, ask if it fired. */
struct injector {
	const char *name;
	void (*arm)(unsigned long n);
	bool (*fired)(void);
};

static const struct injector injectors[] = {
	{ "pmm", pmm_fault_inject_nth, pmm_fault_inject_fired },
	{ "kheap", kheap_fault_inject_nth, kheap_fault_inject_fired },
};

/* What a run saw, filled by the test process, checked by the suite. */
struct tally {
	unsigned int attempts;		/* operations tried */
	unsigned int failed;		/* ... that failed as allowed */
	unsigned int bad_errors;	/* ... that failed otherwise */
	unsigned int leaks;		/* free pages differed afterwards */
	bool finished[ARRAY_SIZE(injectors)];	/* an attempt did not fire */
	int first_bad;
};

static struct proc *waited;

static bool waited_exited(void)
{
	return __atomic_load_n(&waited->state, __ATOMIC_ACQUIRE) ==
		PROC_ZOMBIE;
}

/* Where the pages went: heap objects, threads and processes now. */
static void settle_report(unsigned long before)
{
	struct kheap_stats st;

	kheap_stats(&st);
	printk("proc_test: free pages %lu, %lu before; heap objects %lu in "
	       "%lu slabs, %lu large pages; %u threads, %u processes\n",
	       pmm_free_count(), before, st.objects, st.slabs, st.large_pages,
	       thread_count(), proc_count());
	kheap_dump_stats();
}

static unsigned long settle_pages;
static uint64_t settle_deadline;

static bool settled_or_late(void)
{
	while (thread_reap_dead())
		;
	return pmm_free_count() == settle_pages ||
	       arch_clock_ns() >= settle_deadline;
}

/*
 * Wait until the dead threads are freed and the free page count is back
 * at @before: another CPU's idle loop may still be freeing one, and its
 * kernel stack's unmap waits for every CPU's answer. The test runs on
 * the idle thread, which cannot sleep, so it halts in the idle loop
 * (the tick or an IPI wakes it) instead: under single-threaded TCG a
 * spinning CPU is what keeps the others from running. True if the count
 * came back within five seconds.
 */
static bool pages_settle(unsigned long before)
{
	settle_pages = before;
	settle_deadline = arch_clock_ns() + 5000000000ull;
	sched_idle_loop(settled_or_late);
	if (pmm_free_count() == before)
		return true;
	settle_report(before);
	return false;
}

static void record(struct tally *r, long result, bool allowed_ok)
{
	r->attempts++;
	if (result >= 0 && allowed_ok)
		return;
	if (result == -ENOMEM || result == -EAGAIN) {
		r->failed++;
		return;
	}
	r->bad_errors++;
	r->first_bad = (int)result;
}

/* Give the test process a few written pages, so fork copies tables. */
static int populate(void)
{
	struct vm_space *vs = proc_current()->vm;
	vaddr_t out;
	int err;

	err = vm_map(vs, BASE, PAGES * P, VM_READ | VM_WRITE,
		     VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED, &out);
	for (unsigned int i = 0; err == 0 && i < PAGES; i++)
		err = vm_fault(vs, BASE + i * P, VM_WRITE);
	return err;
}

/* One fork with @inj's Nth allocation failing; reap the child. */
static void fork_once(struct tally *r, const struct injector *inj,
		      unsigned long n, unsigned int which)
{
	struct trapframe *tf = arch_thread_trapframe(thread_current());
	unsigned long before = pmm_free_count();
	long pid;
	bool fired;

	inj->arm(n);
	pid = proc_clone(tf, SIGCHLD, 0, 0, 0, 0);
	fired = inj->fired();
	inj->arm(0);
	if (pid > 0 && proc_wait((int)pid, 0, 0) != pid)
		pid = -ECHILD;
	record(r, pid, true);
	if (!pages_settle(before))
		r->leaks++;
	if (!fired)
		r->finished[which] = true;
}

static void fork_body(void *arg)
{
	struct tally *r = arg;

	sched_thread_begin();
	/* A child returns to user mode at pc 0 and is killed there. */
	arch_tf_init_user(arch_thread_trapframe(thread_current()), 0, 0);
	if (populate() != 0)
		proc_thread_exit(1 << 8);
	/* Both of fork's page-table modes: their allocation sites differ
	 * (pmap_copy's tables and pages, pmap_share's upper tables). */
	for (int m = VM_FORK_COPY; m <= VM_FORK_SHARE; m++) {
		enum vm_fork_mode saved = vm_fork_mode();

		vm_fork_set_mode((enum vm_fork_mode)m);
		for (unsigned int i = 0; i < ARRAY_SIZE(injectors); i++) {
			r->finished[i] = false;
			for (unsigned long n = 1;
			     n <= MAX_NTH && !r->finished[i]; n++)
				fork_once(r, &injectors[i], n, i);
		}
		vm_fork_set_mode(saved);
	}
	proc_thread_exit(0);
}

/* The exec attempt of one test process: arg is the tally. */
static const struct injector *exec_inj;
static unsigned long exec_nth;
static bool exec_fired;

static void exec_body(void *arg)
{
	static const char *const argv[] = { "/init", NULL }, *envp[] = { NULL };
	struct tally *r = arg;
	int err;

	sched_thread_begin();
	exec_inj->arm(exec_nth);
	err = exec_load(argv, envp, arch_thread_trapframe(thread_current()));
	exec_fired = exec_inj->fired();
	exec_inj->arm(0);
	record(r, err, true);
	proc_thread_exit(0);
}

/* Run @fn(@r) as a test process, wait for it and free it. 0 or errno. */
static int run_process(void (*fn)(void *), struct tally *r)
{
	int err = proc_spawn("proc_test", fn, r, &waited);

	if (err)
		return err;
	sched_idle_loop(waited_exited);
	proc_free(waited);
	return 0;
}

static void fork_fails_cleanly(struct ktest *t)
{
	static struct tally r;
	unsigned long before;
	unsigned int procs = proc_count();

	KASSERT_EQ(t, vm_init(), 0);
	before = pmm_free_count();
	KASSERT_EQ(t, run_process(fork_body, &r), 0);
	KEXPECT_TRUE(t, pages_settle(before));
	KEXPECT_EQ(t, proc_count(), procs);
	KEXPECT_EQ(t, r.bad_errors, 0);
	KEXPECT_EQ(t, r.first_bad, 0);
	KEXPECT_EQ(t, r.leaks, 0);
	KEXPECT_GT(t, r.failed, 4);
	KEXPECT_TRUE(t, r.finished[0]);
	KEXPECT_TRUE(t, r.finished[1]);
	ktest_diag(t, "%u forks, %u failed cleanly", r.attempts, r.failed);
}

static void exec_fails_cleanly(struct ktest *t)
{
	static struct tally r;
	unsigned long before;
	unsigned int procs = proc_count();

	if (!initramfs_present()) {
		ktest_skip(t, "no initramfs to load /init from");
		return;
	}
	before = pmm_free_count();
	for (unsigned int i = 0; i < ARRAY_SIZE(injectors); i++) {
		exec_inj = &injectors[i];
		exec_fired = true;
		for (exec_nth = 1; exec_fired && exec_nth <= MAX_NTH;
		     exec_nth++) {
			KASSERT_EQ(t, run_process(exec_body, &r), 0);
			if (!pages_settle(before))
				r.leaks++;
		}
		KEXPECT_FALSE(t, exec_fired);
	}
	KEXPECT_EQ(t, proc_count(), procs);
	KEXPECT_EQ(t, r.bad_errors, 0);
	KEXPECT_EQ(t, r.first_bad, 0);
	KEXPECT_EQ(t, r.leaks, 0);
	KEXPECT_GT(t, r.failed, 4);
	ktest_diag(t, "%u execs, %u failed cleanly", r.attempts, r.failed);
}

/* Out of memory in a user page fault: the process is killed (SIGKILL). */
static int oom_fault_result;

static void oom_body(void *arg)
{
	struct trapframe *tf = arch_thread_trapframe(thread_current());
	struct proc *p = proc_current();
	vaddr_t out;

	(void)arg;
	sched_thread_begin();
	arch_tf_init_user(tf, BASE, 0);
	oom_fault_result = vm_map(p->vm, BASE, P, VM_READ | VM_WRITE,
				  VM_MAP_PRIVATE | VM_MAP_ANONYMOUS |
				  VM_MAP_FIXED, &out);
	if (oom_fault_result == 0) {
		/* The write fault needs a frame (and maybe tables): none. */
		pmm_fault_inject_nth(1);
		user_page_fault(tf, BASE, VM_WRITE);
		oom_fault_result = pmm_fault_inject_fired() ? 0 : -ENOENT;
		pmm_fault_inject_nth(0);
	}
	/* A user thread would leave in user_return; this one leaves here. */
	proc_thread_exit(0);
}

static void fault_oom_kills(struct ktest *t)
{
	unsigned long before = pmm_free_count();
	unsigned int procs = proc_count();
	int err = proc_spawn("proc_test", oom_body, NULL, &waited), status;

	KASSERT_EQ(t, err, 0);
	sched_idle_loop(waited_exited);
	status = waited->exit_status;
	proc_free(waited);
	KEXPECT_EQ(t, oom_fault_result, 0);
	KEXPECT_EQ(t, status, SIGKILL);
	KEXPECT_TRUE(t, pages_settle(before));
	KEXPECT_EQ(t, proc_count(), procs);
}

static const char *skip_unless_sched(void)
{
	const char *why = ktest_skip_unless_pmap();

	if (why)
		return why;
	return thread_current() ? NULL : "no scheduler on this CPU";
}

KTEST_SUITE_SKIP_IF(proc, skip_unless_sched,
		    KTEST_CASE(fork_fails_cleanly),
		    KTEST_CASE(exec_fails_cleanly),
		    KTEST_CASE(fault_oom_kills));
