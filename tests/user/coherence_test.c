/*
 * TLB coherence seen from user space: a mapping changed by one thread
 * while threads of the same process on other CPUs keep touching it.
 *
 * Each check runs in a forked child. There, the main thread pins itself to
 * the first CPU of its affinity mask and starts one reader per other CPU,
 * pinned there (two time-sharing readers when there is one CPU). Readers
 * spin touching every page of a RANGE_PAGES range (reading, or writing for
 * the mprotect check), publishing progress. Once every reader has touched
 * the range again, the main thread makes the call (munmap, mprotect to
 * read-only, mmap MAP_FIXED over it, madvise DONTNEED), then raises a flag.
 * A reader that sees the flag touches the range once more, last page first:
 *
 *   munmap / mprotect: that touch must fault, which kills the child with
 *     SIGSEGV. If it succeeds, the reader's CPU kept a stale translation:
 *     exit_group(STALE_EXIT).
 *   mmap MAP_FIXED / madvise DONTNEED: the range must read zero (new
 *     pages); reading the old bytes means a stale translation to the old
 *     page: exit_group(STALE_EXIT). Otherwise the child exits 0.
 *
 * A fifth check covers fork: a thread on another CPU keeps incrementing a
 * word in each page of a 2 MiB-aligned private region (the span of one
 * last-level table, which vm.fork=share shares whole) while the main
 * thread forks. fork write-protects the pages (or the table above them)
 * through a TLB shootdown, so the writer's next store faults and goes to
 * a copy; the forked grandchild, which keeps the original frames, must
 * read the same values before and after a 50 ms sleep. A writer CPU that
 * kept a writable entry changes the grandchild's memory: stale.
 *
 * A sixth check reads this kernel's counters (/proc/tlbk/shootdown): a
 * munmap of 64 pages that readers pinned on every other CPU touched, while
 * they spin in the same process, is one shootdown round of the munmapping
 * CPU, with exactly one queued request and one IPI per other CPU (batched,
 * naive), or none and a broadcast TLBI (broadcast). On Linux, which has
 * no such file, it is a SKIP.
 *
 * The parent checks every child's wait status. The same binary behaves
 * identically on Linux. On this kernel, `tlb=none` (no remote TLB
 * invalidation) must make the munmap and mprotect checks fail with "stale
 * translation": the harness's *-user-coherence-tlbnone-* self-checks.
 * Stale accesses in that mode only read freed pages or write the process's
 * own still-mapped page, never a freed one.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/proc.h>
#include <u/string.h>
#include <u/sys.h>
#include <u/thread.h>
#include <u/tlbk.h>

#define MAX_READERS	15
#define RANGE_PAGES	4
#define ROUNDS		3
#define SLOT		64	/* bytes between two readers' words */
#define PATTERN		0xa5
#define WAIT_NS		(20LL * 1000 * 1000 * 1000)

/* Child exit codes other than 0 and death by SIGSEGV. */
enum {
	STALE_EXIT = 42,	/* a touch after the call saw the old mapping */
	NO_FAULT_EXIT = 43,	/* the flag went up, nobody faulted in time */
	SETUP_EXIT = 44,	/* readers could not start or never ran */
	CALL_EXIT = 45,		/* the call itself failed */
	PIN_EXIT = 46,		/* a reader did not run on its CPU */
	COUNT_EXIT = 47,	/* the counters moved by other amounts */
	NO_TLBK_EXIT = 48,	/* no /proc/tlbk/shootdown (not this kernel) */
};

enum mode { M_MUNMAP, M_MPROTECT, M_MMAP_FIXED, M_MADVISE };

struct check {
	enum mode mode;
	const char *name;
	const char *call;
	bool faults;		/* must the touch after the call fault? */
};

static const struct check checks[] = {
	{ M_MUNMAP, "munmap_remote_readers_fault", "munmap", true },
	{ M_MPROTECT, "mprotect_ro_remote_writers_fault", "mprotect", true },
	{ M_MMAP_FIXED, "mmap_fixed_remote_readers_see_new_pages",
	  "mmap MAP_FIXED", false },
	{ M_MADVISE, "madvise_dontneed_remote_readers_see_zero",
	  "madvise", false },
};

#define NCHECKS	(sizeof(checks) / sizeof(checks[0]))
#define NTESTS	(NCHECKS + 2)	/* the checks, fork, the counters */
#define COUNT_PAGES	64	/* above the 33-page ceiling */

/* The child's state; each child gets its own copy of .bss from fork. */
static unsigned int cpus[MAX_READERS + 1];
static unsigned int ncpus;
static unsigned int nreaders;
static unsigned int reader_cpu[MAX_READERS];
static volatile char *range;
static enum mode mode;
static int flag;				/* 1: the call has returned */
static unsigned long progress[MAX_READERS];
static int done[MAX_READERS];
static int wrong_cpu;				/* readers not on their CPU */

/* One touch of each page of the range, last page first. */
static long touch_range(volatile char *r, unsigned int slot, bool write,
			unsigned long v)
{
	long seen = 0;

	for (int p = RANGE_PAGES - 1; p >= 0; p--) {
		volatile unsigned long *w =
			(volatile unsigned long *)(r + p * PAGE_SIZE +
						   slot * SLOT);

		if (write)
			*w = v;
		else
			seen |= (long)*w;
	}
	return seen;
}

static int reader(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;
	bool write = mode == M_MPROTECT;
	unsigned long n = 0;
	long seen;

	if (proc_pin(reader_cpu[i]) != 0 || proc_cpu() != (long)reader_cpu[i])
		__atomic_add_fetch(&wrong_cpu, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&flag, __ATOMIC_ACQUIRE)) {
		touch_range(range, i, write, ++n);
		__atomic_store_n(&progress[i], n, __ATOMIC_RELEASE);
	}
	/* The call returned before the flag rose: the old mapping is gone. */
	seen = touch_range(range, i, write, ++n);
	/* enum mode indexes checks[]. */
	if (checks[mode].faults || seen != 0)
		sys_exit_group(STALE_EXIT);
	__atomic_store_n(&done[i], 1, __ATOMIC_RELEASE);
	return 0;
}

/* Wait until every reader has made progress past @since (or time out). */
static bool readers_progressed(const unsigned long *since)
{
	long long end = proc_now_ns() + WAIT_NS;

	for (unsigned int i = 0; i < nreaders; i++) {
		while (__atomic_load_n(&progress[i], __ATOMIC_ACQUIRE) <=
		       since[i] + 1) {
			if (proc_now_ns() > end)
				return false;
			sys_sched_yield();
		}
	}
	return true;
}

static bool make_call(void)
{
	size_t len = RANGE_PAGES * PAGE_SIZE;

	switch (mode) {
	case M_MUNMAP:
		return sys_munmap((void *)range, len) == 0;
	case M_MPROTECT:
		return sys_mprotect((void *)range, len, PROT_READ) == 0;
	case M_MMAP_FIXED:
		return sys_mmap((void *)range, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				0) == (long)range;
	case M_MADVISE:
		return sys_madvise((void *)range, len, MADV_DONTNEED) == 0;
	}
	return false;
}

/* After the flag: wait for the readers' verdict (or their death). */
static int await_readers(void)
{
	long long end = proc_now_ns() + WAIT_NS;

	for (unsigned int i = 0; i < nreaders; i++) {
		while (!__atomic_load_n(&done[i], __ATOMIC_ACQUIRE)) {
			if (proc_now_ns() > end)
				return NO_FAULT_EXIT;
			sys_sched_yield();
		}
	}
	/* Only the non-faulting checks get here. */
	return __atomic_load_n(&wrong_cpu, __ATOMIC_RELAXED) ? PIN_EXIT : 0;
}

/* The child: one round of check @m. Returns the child's exit status. */
static int run_round(long m)
{
	struct thread *t[MAX_READERS];
	unsigned long since[MAX_READERS] = { 0 };
	long map;
	int r;

	mode = (enum mode)m;
	if (proc_pin(cpus[0]) != 0)
		return SETUP_EXIT;
	map = sys_mmap(NULL, RANGE_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_err(map))
		return SETUP_EXIT;
	range = (volatile char *)map;
	memset((void *)map, PATTERN, RANGE_PAGES * PAGE_SIZE);
	for (unsigned int i = 0; i < nreaders; i++)
		if (thread_create(&t[i], 0, reader, (void *)(long)i) != 0)
			return SETUP_EXIT;
	/* Everyone ran once, then everyone touched the range again since. */
	if (!readers_progressed(since))
		return SETUP_EXIT;
	for (unsigned int i = 0; i < nreaders; i++)
		since[i] = __atomic_load_n(&progress[i], __ATOMIC_ACQUIRE);
	if (!readers_progressed(since))
		return SETUP_EXIT;
	if (!make_call())
		return CALL_EXIT;
	__atomic_store_n(&flag, 1, __ATOMIC_RELEASE);
	r = await_readers();
	if (r == 0)
		for (unsigned int i = 0; i < nreaders; i++)
			thread_join(t[i], NULL);
	return r;
}

static const char *explain(long st, const struct check *c)
{
	if (proc_exited_with(st, STALE_EXIT))
		return c->faults ?
		       "stale translation: a reader touched the range after "
		       "the call returned without faulting" :
		       "stale translation: a reader saw the old bytes after "
		       "the call returned";
	if (proc_exited_with(st, NO_FAULT_EXIT))
		return c->faults ? "no reader faulted within 20 s of the call" :
		       "readers did not finish within 20 s of the call";
	if (proc_exited_with(st, SETUP_EXIT))
		return "setup failed: pinning, mmap or readers never ran";
	if (proc_exited_with(st, CALL_EXIT))
		return "the call itself failed";
	if (proc_exited_with(st, PIN_EXIT))
		return "a reader was not on the CPU it was pinned to";
	if (proc_killed_by(st, SIGSEGV))
		return "a reader faulted on a range that must stay mapped";
	return "unexpected wait status";
}

/* --- fork while another CPU writes -------------------------------------- */

#define COW_REGION	(2UL << 20)	/* one last-level table's span */
#define COW_PAGES	(COW_REGION / PAGE_SIZE)

static volatile unsigned long *cow_region;	/* private, 2 MiB aligned */
static int cow_stop;

static volatile unsigned long *cow_word(size_t pg)
{
	return cow_region + pg * (PAGE_SIZE / sizeof(long));
}

static int cow_writer(void *arg)
{
	(void)arg;
	if (proc_pin(reader_cpu[0]) != 0)
		__atomic_add_fetch(&wrong_cpu, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&cow_stop, __ATOMIC_ACQUIRE))
		for (size_t pg = 0; pg < COW_PAGES; pg++)
			(*cow_word(pg))++;
	return 0;
}

/* In the forked grandchild: no page may change under it. */
static int cow_observe(long unused)
{
	static unsigned long before[COW_PAGES];

	(void)unused;
	for (size_t pg = 0; pg < COW_PAGES; pg++)
		before[pg] = *cow_word(pg);
	proc_sleep_ms(50);
	for (size_t pg = 0; pg < COW_PAGES; pg++)
		if (*cow_word(pg) != before[pg])
			return STALE_EXIT;
	return 0;
}

/* The child: fork while the writer runs; the grandchild's verdict. */
static int run_fork_round(long unused)
{
	struct thread *writer;
	unsigned long start;
	long map, st;

	(void)unused;
	if (proc_pin(cpus[0]) != 0)
		return SETUP_EXIT;
	map = sys_mmap(NULL, 2 * COW_REGION, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_err(map))
		return SETUP_EXIT;
	cow_region = (volatile unsigned long *)
		(((unsigned long)map + COW_REGION - 1) & ~(COW_REGION - 1));
	*cow_word(COW_PAGES - 1) = 1;
	if (thread_create(&writer, 0, cow_writer, NULL) != 0)
		return SETUP_EXIT;
	/* The writer has been round the region since it started: its TLB
	 * holds writable entries for its pages. */
	start = *cow_word(COW_PAGES - 1);
	while (*cow_word(COW_PAGES - 1) < start + 3)
		sys_sched_yield();
	st = proc_reap(proc_spawn(cow_observe, 0));
	__atomic_store_n(&cow_stop, 1, __ATOMIC_RELEASE);
	thread_join(writer, NULL);
	if (proc_exited_with(st, STALE_EXIT))
		return STALE_EXIT;
	return proc_exited_with(st, 0) ? 0 : SETUP_EXIT;
}

static void run_fork_check(void)
{
	const char *name = "fork_cow_remote_writer_misses_child";
	unsigned int bad = 0;

	for (int round = 1; round <= ROUNDS; round++) {
		long st = proc_reap(proc_spawn(run_fork_round, 0));

		if (proc_exited_with(st, 0))
			continue;
		bad++;
		ktap_diag("%s: round %d: %s (wait status %#lx)", name, round,
			  proc_exited_with(st, STALE_EXIT) ?
			  "stale translation: a writer on another CPU changed "
			  "the child's page after fork returned" :
			  "setup failed", st);
	}
	ktap_ok(bad == 0, "%s", name);
}

/* --- the counters of one munmap ------------------------------------------ */

static volatile char *count_range;
static int count_stop;
static unsigned long count_touched;

static int count_reader(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;
	volatile int spin = 0;

	if (proc_pin(reader_cpu[i]) != 0 || proc_cpu() != (long)reader_cpu[i])
		__atomic_add_fetch(&wrong_cpu, 1, __ATOMIC_RELAXED);
	for (unsigned int p = 0; p < COUNT_PAGES; p++)
		(void)count_range[p * PAGE_SIZE + i * SLOT];
	__atomic_add_fetch(&count_touched, 1, __ATOMIC_RELEASE);
	/* In user mode on this CPU, in this process: an active target. */
	while (!__atomic_load_n(&count_stop, __ATOMIC_ACQUIRE))
		spin++;
	return 0;
}

enum { C_ROUNDS, C_QUEUED, C_IPIS, C_BROADCAST, C_N };
static const char *const count_rows[C_N] = {
	"shootdowns", "queued", "ipi_sent", "broadcast_tlbi",
};

/* This CPU's counters of count_rows; false off this kernel. */
static bool read_counts(unsigned long *v)
{
	for (unsigned int k = 0; k < C_N; k++)
		if (tlbk_counter(count_rows[k], cpus[0], &v[k]) != 0)
			return false;
	return true;
}

/* The child: readers touch the range on every other CPU, then the munmap
 * between two reads of this CPU's counters. */
static int run_count_round(long unused)
{
	struct thread *t[MAX_READERS];
	unsigned long before[C_N], after[C_N], d[C_N];
	unsigned int others = nreaders;
	long long end;
	long map;
	bool ok;

	(void)unused;
	if (proc_pin(cpus[0]) != 0)
		return SETUP_EXIT;
	if (!read_counts(before))
		return NO_TLBK_EXIT;
	map = sys_mmap(NULL, COUNT_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sys_err(map))
		return SETUP_EXIT;
	count_range = (volatile char *)map;
	memset((void *)map, PATTERN, COUNT_PAGES * PAGE_SIZE);
	for (unsigned int i = 0; i < nreaders; i++)
		if (thread_create(&t[i], 0, count_reader, (void *)(long)i) != 0)
			return SETUP_EXIT;
	end = proc_now_ns() + WAIT_NS;
	while (__atomic_load_n(&count_touched, __ATOMIC_ACQUIRE) < nreaders)
		if (proc_now_ns() > end)
			return SETUP_EXIT;
	read_counts(before);
	if (sys_munmap((void *)map, COUNT_PAGES * PAGE_SIZE) != 0)
		return CALL_EXIT;
	read_counts(after);
	__atomic_store_n(&count_stop, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < nreaders; i++)
		thread_join(t[i], NULL);
	for (unsigned int k = 0; k < C_N; k++)
		d[k] = after[k] - before[k];
	ok = d[C_ROUNDS] == 1 &&
	     ((d[C_QUEUED] == others && d[C_IPIS] == others &&
	       d[C_BROADCAST] == 0) ||
	      (d[C_QUEUED] == 0 && d[C_IPIS] == 0 && d[C_BROADCAST] >= 1));
	if (!ok)
		ktap_diag("munmap of %u pages, %u other CPUs: shootdowns +%lu, "
			  "queued +%lu, ipi_sent +%lu, broadcast_tlbi +%lu; "
			  "want 1, then %u, %u, 0 (or 0, 0, >= 1)",
			  COUNT_PAGES, others, d[C_ROUNDS], d[C_QUEUED],
			  d[C_IPIS], d[C_BROADCAST], others, others);
	if (__atomic_load_n(&wrong_cpu, __ATOMIC_RELAXED))
		return PIN_EXIT;
	return ok ? 0 : COUNT_EXIT;
}

static void run_count_check(void)
{
	const char *name = "munmap_64_pages_one_ipi_per_other_cpu";
	unsigned int bad = 0;

	if (ncpus == 1) {
		ktap_skip("needs 2 CPUs", "%s", name);
		return;
	}
	for (int round = 1; round <= ROUNDS; round++) {
		long st = proc_reap(proc_spawn(run_count_round, 0));

		if (proc_exited_with(st, NO_TLBK_EXIT)) {
			ktap_skip("no /proc/tlbk/shootdown (not tlbk)", "%s",
				  name);
			return;
		}
		if (proc_exited_with(st, 0))
			continue;
		bad++;
		ktap_diag("%s: round %d: %s (wait status %#lx)", name, round,
			  proc_exited_with(st, COUNT_EXIT) ?
			  "the counters moved by other amounts" :
			  proc_exited_with(st, PIN_EXIT) ?
			  "a reader was not on the CPU it was pinned to" :
			  "setup failed", st);
	}
	ktap_ok(bad == 0, "%s", name);
}

static void run_check(const struct check *c)
{
	unsigned int bad = 0;

	for (int round = 1; round <= ROUNDS; round++) {
		long st = proc_reap(proc_spawn(run_round, c->mode));
		bool ok = c->faults ? proc_killed_by(st, SIGSEGV) :
				      proc_exited_with(st, 0);

		if (!ok) {
			bad++;
			ktap_diag("%s: round %d: %s (wait status %#lx)",
				  c->name, round, explain(st, c), st);
		}
	}
	ktap_ok(bad == 0, "%s", c->name);
}

int main(void)
{
	int n = proc_cpus(cpus, MAX_READERS + 1);

	ktap_plan(NTESTS);
	if (n < 1)
		ktap_bail("sched_getaffinity failed: %d", n);
	ncpus = (unsigned int)n;
	nreaders = ncpus > 1 ? ncpus - 1 : 2;
	for (unsigned int i = 0; i < nreaders; i++)
		reader_cpu[i] = ncpus > 1 ? cpus[i + 1] : cpus[0];
	if (ncpus == 1)
		ktap_diag("1 CPU: %u readers time-share with the main thread "
			  "(only the local flush is tested)", nreaders);
	else
		ktap_diag("%u CPUs: main thread on cpu %u, %u pinned readers",
			  ncpus, cpus[0], nreaders);
	for (unsigned int i = 0; i < NCHECKS; i++)
		run_check(&checks[i]);
	run_fork_check();
	run_count_check();
	return ktap_finish();
}
