/*
 * Thread-local storage as a static i386 libc (musl's __set_thread_area)
 * sets it up: set_thread_area(entry -1) with a TLS block whose first word
 * points to itself, %gs loaded with the chosen GDT entry, `mov %gs:0`
 * reads; threads made by clone(CLONE_SETTLS, struct user_desc *) each see
 * their own block; a fork child keeps the parent's; get_thread_area reads
 * a slot back; bad entries and descriptors give -EINVAL, bad pointers
 * -EFAULT, a full table -ESRCH; a selector whose slot was cleared kills
 * only its process (SIGSEGV). The entry numbers are the kernel's (this
 * kernel: 8..10, Linux: 6..8), never assumed. i686 only: other arches
 * have no GDT TLS entries (SKIP).
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/start.h>
#include <u/sys.h>
#include <u/syscall.h>

#ifdef __i386__

#define CLONE_SETTLS	0x00080000
#define NTHREADS	3
#define TLS_SLOTS	3

struct user_desc {
	unsigned int entry_number;
	unsigned int base_addr;
	unsigned int limit;
	unsigned int seg_32bit:1;
	unsigned int contents:2;
	unsigned int read_exec_only:1;
	unsigned int limit_in_pages:1;
	unsigned int seg_not_present:1;
	unsigned int useable:1;
};

/* A TLS block: the first word points to the block (the i386 TLS ABI). */
struct tls_block {
	struct tls_block *self;
	long id;
};

static struct tls_block main_block, thread_blocks[NTHREADS], spare_block;
static char thread_stacks[NTHREADS][8192] __attribute__((aligned(16)));
static volatile unsigned long thread_seen[NTHREADS];
static volatile int thread_ctid[NTHREADS];

/* qemu-user emulates these calls itself, loosely: no descriptor checks,
 * entry -1 not reused, get_thread_area not kept across fork. */
static bool under_qemu;

static bool qemu_skips(unsigned int n, const char *what)
{
	if (!under_qemu)
		return false;
	for (unsigned int i = 0; i < n; i++)
		ktap_skip("qemu-user's own set_thread_area emulation differs "
			  "from Linux", "%s", what);
	return true;
}

static long set_area(struct user_desc *u)
{
	return syscall1(SYS_set_thread_area, (long)u);
}

static long get_area(struct user_desc *u)
{
	return syscall1(SYS_get_thread_area, (long)u);
}

/* A flat 4 GiB 32-bit data segment based at @b, as musl builds it. */
static struct user_desc desc_for(unsigned int entry, struct tls_block *b)
{
	return (struct user_desc){
		.entry_number = entry, .base_addr = (unsigned int)b,
		.limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1,
		.useable = 1,
	};
}

static struct user_desc desc_empty(unsigned int entry)
{
	return (struct user_desc){
		.entry_number = entry, .read_exec_only = 1,
		.seg_not_present = 1,
	};
}

static void load_gs(unsigned int entry)
{
	unsigned int sel = entry * 8 + 3;

	__asm__ __volatile__("movw %w0, %%gs" : : "r"(sel) : "memory");
}

static unsigned long read_gs0(void)
{
	unsigned long v;

	__asm__ __volatile__("movl %%gs:0, %0" : "=r"(v) : : "memory");
	return v;
}

/*
 * clone(flags, stack, ptid, tls, ctid) whose child reads %gs:0 into
 * *@seen and exits its thread; all in asm, as the child has no C frames.
 */
long tls_clone(unsigned long flags, void *stack_top, int *ptid,
	       struct user_desc *tls, int *ctid, volatile unsigned long *seen);
__asm__(
	".text\n"
	".globl tls_clone\n"
	"tls_clone:\n\t"
	"push %ebp\n\tpush %ebx\n\tpush %esi\n\tpush %edi\n\t"
	"mov 24(%esp), %ecx\n\t"	/* stack_top */
	"and $-16, %ecx\n\t"
	"sub $16, %ecx\n\t"
	"mov 40(%esp), %eax\n\t"	/* seen */
	"mov %eax, (%ecx)\n\t"
	"mov 20(%esp), %ebx\n\t"	/* flags */
	"mov 28(%esp), %edx\n\t"	/* ptid */
	"mov 32(%esp), %esi\n\t"	/* tls */
	"mov 36(%esp), %edi\n\t"	/* ctid */
	"mov $120, %eax\n\t"		/* SYS_clone */
	"int $0x80\n\t"
	"test %eax, %eax\n\t"
	"jnz 1f\n\t"
	"pop %ecx\n\t"
	"mov %gs:0, %eax\n\t"
	"mov %eax, (%ecx)\n\t"
	"xor %ebx, %ebx\n\t"
	"mov $1, %eax\n\t"		/* SYS_exit: this thread */
	"int $0x80\n\t"
	"ud2\n"
	"1:\n\t"
	"pop %edi\n\tpop %esi\n\tpop %ebx\n\tpop %ebp\n\t"
	"ret\n");

static long reap(long pid)
{
	int status = -1;

	if (pid < 0)
		return pid;
	return sys_wait4((int)pid, &status, 0) == pid ? status : -ECHILD;
}

static void test_errors(void)
{
	struct user_desc u = desc_for(5, &spare_block);

	ktap_eq(set_area(&u), -EINVAL, "set_thread_area entry 5 (not TLS)");
	u.entry_number = 100;
	ktap_eq(set_area(&u), -EINVAL, "set_thread_area entry 100");
	ktap_eq(set_area((struct user_desc *)0), -EFAULT,
		"set_thread_area NULL pointer");
	ktap_eq(get_area((struct user_desc *)0), -EFAULT,
		"get_thread_area NULL pointer");
	u.entry_number = 100;
	ktap_eq(get_area(&u), -EINVAL, "get_thread_area entry 100");
	if (qemu_skips(2, "descriptor checks"))
		return;
	u = desc_for(-1, &spare_block);
	u.seg_32bit = 0;
	ktap_eq(set_area(&u), -EINVAL, "16-bit segment refused");
	u = desc_for(-1, &spare_block);
	u.contents = 2;
	ktap_eq(set_area(&u), -EINVAL, "code segment refused");
}

/* Entry -1 until the table is full, then -ESRCH; clears the extras. */
static void test_fill(unsigned int first)
{
	unsigned int got[TLS_SLOTS];
	unsigned int n = 0;
	struct user_desc u;
	long r = 0;

	if (qemu_skips(3, "slot allocation"))
		return;
	while (n < TLS_SLOTS - 1) {
		u = desc_for(-1, &spare_block);
		r = set_area(&u);
		if (r)
			break;
		got[n++] = u.entry_number;
	}
	ktap_ok(r == 0 && n == TLS_SLOTS - 1 && got[0] == first + 1 &&
		got[1] == first + 2, "entry -1 picks the free slots in order "
		"(%u more after %u)", n, first);
	u = desc_for(-1, &spare_block);
	ktap_eq(set_area(&u), -ESRCH, "entry -1 with every slot in use");
	for (unsigned int i = 0; i < n; i++) {
		u = desc_empty(got[i]);
		set_area(&u);
	}
	u = desc_for(first + 1, &spare_block);
	u.entry_number = first + 1;
	get_area(&u);
	ktap_ok(u.base_addr == 0 && u.seg_not_present && u.read_exec_only,
		"a cleared slot reads back empty");
}

static void test_roundtrip(unsigned int entry)
{
	struct user_desc u = { .entry_number = entry };
	long r = get_area(&u);

	ktap_ok(r == 0 && u.entry_number == entry &&
		u.base_addr == (unsigned int)&main_block &&
		u.limit == 0xfffff && u.seg_32bit && u.limit_in_pages &&
		u.useable && !u.contents && !u.read_exec_only &&
		!u.seg_not_present,
		"get_thread_area round trip (r %ld base %#x limit %#x)", r,
		u.base_addr, u.limit);
}

/* Each thread gets its own block through CLONE_SETTLS. */
static void test_threads(unsigned int entry)
{
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES |
		CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
		CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	struct user_desc u[NTHREADS];
	unsigned int ok = 0;

	for (int i = 0; i < NTHREADS; i++) {
		thread_blocks[i].self = &thread_blocks[i];
		u[i] = desc_for(entry, &thread_blocks[i]);
		if (tls_clone(flags, thread_stacks[i] + sizeof(thread_stacks[i]),
			      (int *)&thread_ctid[i], &u[i],
			      (int *)&thread_ctid[i], &thread_seen[i]) <= 0)
			thread_ctid[i] = 0;
	}
	for (int i = 0; i < NTHREADS; i++) {
		while (thread_ctid[i])
			sys_sched_yield();
		if (thread_seen[i] == (unsigned long)&thread_blocks[i])
			ok++;
		else
			ktap_diag("thread %d saw %%gs:0 = %#lx, want %p", i,
				  thread_seen[i], (void *)&thread_blocks[i]);
	}
	ktap_eq(ok, NTHREADS, "each CLONE_SETTLS thread sees its own %%gs:0");
	ktap_eq(read_gs0(), (unsigned long)&main_block,
		"the parent's %%gs:0 is unchanged after its threads ran");
}

static int fork_child_tls(void)
{
	struct user_desc u = { .entry_number = 0 };

	if (read_gs0() != (unsigned long)&main_block)
		return 1;
	u.entry_number = main_block.id;
	if (get_area(&u) || u.base_addr != (unsigned int)&main_block)
		return 2;
	return 0;
}

/* Clear the slot %gs names, then enter and leave the kernel. */
static int fork_child_clear(void)
{
	struct user_desc u = desc_empty(main_block.id);

	set_area(&u);
	sys_getpid();
	return (int)read_gs0() ? 3 : 4;	/* not reached: SIGSEGV */
}

static void test_fork(void)
{
	long pid;
	long st;

	if (qemu_skips(2, "fork and cleared slots"))
		return;
	pid = sys_fork();
	if (pid == 0)
		sys_exit_group(fork_child_tls());
	st = reap(pid);
	ktap_eq(st, 0, "a fork child keeps the parent's TLS (wait status)");
	pid = sys_fork();
	if (pid == 0)
		sys_exit_group(fork_child_clear());
	st = reap(pid);
	ktap_ok(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
		"a selector of a cleared slot kills only its process with "
		"SIGSEGV (wait status %#lx)", st);
}

int main(void)
{
	struct user_desc u;
	long r;

	ktap_plan(17);
	under_qemu = getenv("USER_TEST_QEMU") != NULL;
	main_block.self = &main_block;
	u = desc_for(-1, &main_block);
	r = set_area(&u);
	if (!ktap_ok(r == 0 && u.entry_number != (unsigned int)-1,
		     "set_thread_area(-1) picks entry %u (r %ld)",
		     u.entry_number, r))
		ktap_bail("no TLS: set_thread_area returned %ld", r);
	main_block.id = u.entry_number;
	load_gs(u.entry_number);
	ktap_eq(read_gs0(), (unsigned long)&main_block,
		"%%gs:0 is the TLS block's self pointer");
	test_roundtrip(u.entry_number);
	test_errors();
	test_fill(u.entry_number);
	test_threads(u.entry_number);
	test_fork();
	return ktap_finish();
}

#else

int main(void)
{
	ktap_plan(1);
	ktap_skip("GDT TLS entries are i386 only; this arch's thread "
		  "pointer (FS base / TPIDR_EL0) is musl_test's",
		  "set_thread_area");
	return ktap_finish();
}

#endif
