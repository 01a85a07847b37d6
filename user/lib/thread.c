/*
 * Threads on clone(2) + futex(2) (see <u/thread.h>). The thread record
 * lives at the top of the thread's own stack, so creating a thread needs
 * one allocation at most (the mmap'd stack) and joining frees it in one go.
 */
#include <u/errno.h>
#include <u/sys.h>
#include <u/thread.h>

/*
 * CLONE_PARENT_SETTID makes the kernel write the tid into the record
 * before the child can run, so a child that exits at once still finds a
 * non-zero word to clear: setting it from C after clone returned could
 * overwrite that clear and make thread_join sleep forever.
 */
#define THREAD_CLONE_FLAGS						\
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |		\
	 CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |		\
	 CLONE_CHILD_CLEARTID)

struct thread {
	int tid;		/* futex word: 0 once the thread is gone */
	int result;		/* fn's return value */
	int (*fn)(void *);
	void *arg;
	void *map;		/* thread_create's mapping, or NULL */
	size_t map_len;
};

/* In thread_clone.S / .asm: clone, then fn(arg) and exit on the new stack. */
long thread_clone(unsigned long flags, void *stack_top, int *ptid, int *ctid,
		  int (*fn)(void *), void *arg);

static unsigned int thread_fail_nth;

void thread_fault_inject_nth(unsigned int n)
{
	__atomic_store_n(&thread_fail_nth, n, __ATOMIC_RELAXED);
}

/* Count down the injection; true when this mapping is the one to fail. */
static bool thread_fault_hit(void)
{
	unsigned int n = __atomic_load_n(&thread_fail_nth, __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&thread_fail_nth, &n, n - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return n == 1;
	}
	return false;
}

/* First code of every thread, called by thread_clone on the new stack. */
static int thread_entry(void *p)
{
	struct thread *t = p;

	t->result = t->fn(t->arg);
	/*
	 * The kernel's clear of t->tid at exit is what publishes the result:
	 * keep the store above ordered before it for the joiner's acquire.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/* Put the record at the top of [lo, lo + size) and clone the thread. */
static int thread_start(struct thread **tp, char *lo, size_t size,
			void *map, size_t map_len, int (*fn)(void *),
			void *arg)
{
	uintptr_t top = (uintptr_t)lo + size;
	struct thread *t;
	long tid;

	t = (struct thread *)((top - sizeof(*t)) & ~(uintptr_t)15);
	*t = (struct thread){ .fn = fn, .arg = arg, .map = map,
			      .map_len = map_len };
	tid = thread_clone(THREAD_CLONE_FLAGS, t, &t->tid, &t->tid,
			   thread_entry, t);
	if (tid < 0)
		return (int)tid;
	*tp = t;
	return 0;
}

int thread_create_on(struct thread **tp, void *stack, size_t size,
		     int (*fn)(void *), void *arg)
{
	if (!tp || !stack || !fn || size < THREAD_STACK_MIN)
		return -EINVAL;
	return thread_start(tp, stack, size, NULL, 0, fn, arg);
}

int thread_create(struct thread **tp, size_t stack_size, int (*fn)(void *),
		  void *arg)
{
	size_t size = stack_size ? stack_size : THREAD_STACK_DEFAULT;
	size_t len;
	long map;
	int r;

	if (!tp || !fn || size > THREAD_STACK_MAX)
		return -EINVAL;
	size = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	len = size + PAGE_SIZE;		/* plus the guard page */
	map = thread_fault_hit() ? -ENOMEM :
	      sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_err(map))
		return (int)map;
	/* Stacks grow down: the guard is the lowest page. */
	r = (int)sys_mprotect((void *)map, PAGE_SIZE, PROT_NONE);
	if (r == 0)
		r = thread_start(tp, (char *)map + PAGE_SIZE, size,
				 (void *)map, len, fn, arg);
	if (r < 0)
		sys_munmap((void *)map, len);
	return r;
}

int thread_join(struct thread *t, int *result)
{
	int tid;

	if (!t)
		return -EINVAL;
	while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0) {
		long r = sys_futex(&t->tid, FUTEX_WAIT, tid, NULL);

		/* -EAGAIN: the word changed before we slept; look again. */
		if (r < 0 && r != -EAGAIN && r != -EINTR)
			return (int)r;
	}
	if (result)
		*result = t->result;
	if (t->map)
		sys_munmap(t->map, t->map_len);
	return 0;
}

int thread_tid(const struct thread *t)
{
	return __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
}
