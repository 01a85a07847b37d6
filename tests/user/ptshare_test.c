/*
 * fork over whole 2 MiB regions: what vm.fork=share (page tables shared
 * copy-on-write) must keep exactly as copying them would. Every check
 * works on one 2 MiB-aligned private region REGION_PAGES long, the span
 * of one last-level table on every supported MMU, with every page
 * holding a value naming its page and who wrote it last:
 *
 *   - parent and child write the same region in turn (a MAP_SHARED turn
 *     word orders them), each seeing only its own writes;
 *   - three generations: a child forks again before anyone writes, so
 *     three processes map one table; each writes the same page in turn;
 *   - munmap / mprotect / MADV_DONTNEED of a few pages in the child, then
 *     in the parent: the other side keeps every page, the changed side
 *     sees exactly its change (an unmapped page kills a toucher with
 *     SIGSEGV, a read-only one kills a writer, a discarded one reads 0).
 *
 * The same binary passes on Linux. Threads writing on other CPUs while
 * their process forks are coherence_test's fork check.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/proc.h>
#include <u/sys.h>

#define REGION		(2UL << 20)
#define REGION_PAGES	(REGION / PAGE_SIZE)
#define WAIT_MS		20000

static volatile unsigned long *region;	/* 2 MiB aligned, private */
static volatile long *turn;		/* MAP_SHARED: whose step it is */

static unsigned long value(unsigned long who, size_t pg)
{
	return who << 16 | pg;
}

static volatile unsigned long *word(size_t pg)
{
	return region + pg * (PAGE_SIZE / sizeof(long));
}

static void fill(unsigned long who, size_t from, size_t to, size_t step)
{
	for (size_t pg = from; pg < to; pg += step)
		*word(pg) = value(who, pg);
}

/* Pages [from, to) by @step hold @who's values: 0, or 1 + the first bad
 * page (capped), for an exit code. */
static int verify(unsigned long who, size_t from, size_t to, size_t step)
{
	for (size_t pg = from; pg < to; pg += step)
		if (*word(pg) != value(who, pg))
			return 1 + (int)(pg < 100 ? pg : 100);
	return 0;
}

/* Wait until *turn == @step; false after WAIT_MS. */
static bool await(long step)
{
	long long end = proc_now_ns() + WAIT_MS * 1000000LL;

	while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != step) {
		if (proc_now_ns() > end)
			return false;
		sys_sched_yield();
	}
	return true;
}

static void pass(long step)
{
	__atomic_store_n(turn, step, __ATOMIC_RELEASE);
}

static void setup(void)
{
	long m = sys_mmap(NULL, 2 * REGION, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long s = sys_mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sys_err(m) || sys_err(s))
		ktap_bail("mmap failed: %ld %ld", m, s);
	region = (volatile unsigned long *)(((unsigned long)m + REGION - 1) &
					    ~(REGION - 1));
	turn = (volatile long *)s;
}

static void reset(void)
{
	fill(0, 0, REGION_PAGES, 1);
	*turn = 0;
}

/* --- Writing the same region in turn ---------------------------------- */

static int in_turn_child(long unused)
{
	int bad;

	(void)unused;
	if ((bad = verify(0, 0, REGION_PAGES, 1)) != 0)
		return bad;
	fill(1, 0, REGION_PAGES, 2);		/* even pages first */
	pass(1);
	if (!await(2))
		return 120;
	if ((bad = verify(1, 0, REGION_PAGES, 2)) ||
	    (bad = verify(0, 1, REGION_PAGES, 2)))
		return bad;
	fill(3, 1, REGION_PAGES, 2);		/* then the odd ones */
	pass(3);
	return verify(3, 1, REGION_PAGES, 2) ? 121 : 0;
}

static void check_in_turn(void)
{
	long pid, st;
	int bad = -1;

	reset();
	pid = proc_spawn(in_turn_child, 0);
	if (await(1) && (bad = verify(0, 0, REGION_PAGES, 1)) == 0) {
		fill(2, 0, REGION_PAGES, 1);
		pass(2);
		if (await(3))
			bad = verify(2, 0, REGION_PAGES, 1);
	}
	st = proc_reap(pid);
	if (!proc_exited_with(st, 0))
		ktap_diag("in turn: child status %#lx", st);
	ktap_ok(pid > 0 && proc_exited_with(st, 0) && bad == 0,
		"parent_and_child_write_one_region_in_turn");
}

/* --- Three generations --------------------------------------------------- */

/* Generation @gen (1 parent, 2 child, 3 grandchild) writes page 0 at its
 * step, then checks that page 0 is its own and the rest untouched. */
static int generation_step(long gen)
{
	if (!await(gen - 1))
		return 110;
	*word(0) = value(10 + gen, 0);
	pass(gen);
	if (!await(3))
		return 111;
	if (*word(0) != value(10 + gen, 0))
		return 112;
	return verify(0, 1, REGION_PAGES, 1);
}

static int grandchild(long unused)
{
	(void)unused;
	return generation_step(3);
}

static int child_forks_again(long unused)
{
	long pid, st;
	int mine;

	(void)unused;
	/* Nobody has written since the first fork: one table, three maps. */
	pid = proc_spawn(grandchild, 0);
	mine = generation_step(2);
	st = proc_reap(pid);
	if (!proc_exited_with(st, 0))
		return 113;
	return mine;
}

static void check_generations(void)
{
	long pid, st;
	int mine;

	reset();
	pid = proc_spawn(child_forks_again, 0);
	mine = generation_step(1);
	st = proc_reap(pid);
	if (!proc_exited_with(st, 0) || mine)
		ktap_diag("generations: parent %d, child status %#lx", mine, st);
	ktap_ok(pid > 0 && proc_exited_with(st, 0) && mine == 0,
		"three_generations_write_one_page_in_turn");
}

/* --- Partial changes --------------------------------------------------- */

static int touch(long pg)
{
	return (int)(*word((size_t)pg) & 1);
}

static int poke(long pg)
{
	*word((size_t)pg) = 1;
	return 0;
}

/* Does running @fn(@pg) in a fork of this process die of SIGSEGV? */
static bool segv(int (*fn)(long), long pg)
{
	return proc_killed_by(proc_reap(proc_spawn(fn, pg)), SIGSEGV);
}

/*
 * Change pages @base.. of the region: munmap base+0..1, mprotect base+2..3
 * read-only, MADV_DONTNEED base+4..7. Returns 0 if this side then sees
 * exactly that: the unmapped pages fault, the read-only ones read their
 * values and fault on a write, the discarded ones read 0.
 */
static int change_part(size_t base)
{
	volatile char *b = (volatile char *)word(base);

	if (sys_munmap((void *)b, 2 * PAGE_SIZE) != 0 ||
	    sys_mprotect((void *)(b + 2 * PAGE_SIZE), 2 * PAGE_SIZE,
			 PROT_READ) != 0 ||
	    sys_madvise((void *)(b + 4 * PAGE_SIZE), 4 * PAGE_SIZE,
			MADV_DONTNEED) != 0)
		return 100;
	if (!segv(touch, (long)base) || !segv(touch, (long)base + 1))
		return 101;
	if (verify(0, base + 2, base + 4, 1) || !segv(poke, (long)base + 2))
		return 102;
	for (size_t pg = base + 4; pg < base + 8; pg++)
		if (*word(pg) != 0)
			return 103;
	return 0;
}

/* Every page but the 8 from @skip (if any) holds generation 0's value. */
static int verify_except(size_t skip)
{
	for (size_t pg = 0; pg < REGION_PAGES; pg++)
		if ((pg < skip || pg >= skip + 8) && *word(pg) != value(0, pg))
			return 1 + (int)(pg < 100 ? pg : 100);
	return 0;
}

static int partial_child(long unused)
{
	int bad;

	(void)unused;
	if ((bad = change_part(16)) != 0)
		return bad;
	pass(1);
	if (!await(2))
		return 104;
	/* The parent's changes to its own pages 64.. are not seen here. */
	return verify_except(16) ? 105 : 0;
}

static void check_partial(void)
{
	long pid, st;
	int bad = -1;

	reset();
	pid = proc_spawn(partial_child, 0);
	if (await(1)) {
		bad = verify_except(REGION_PAGES);
		/* Pages the child made read-only are writable here. */
		*word(18) = value(0, 18);
		if (!bad)
			bad = change_part(64);
		if (!bad)
			bad = verify_except(64) ? 106 : 0;
		pass(2);
	}
	st = proc_reap(pid);
	if (!proc_exited_with(st, 0) || bad)
		ktap_diag("partial: parent %d, child status %#lx", bad, st);
	ktap_ok(pid > 0 && proc_exited_with(st, 0) && bad == 0,
		"munmap_mprotect_madvise_part_of_a_forked_region");
}

int main(void)
{
	ktap_plan(3);
	setup();
	check_in_turn();
	check_generations();
	check_partial();
	return ktap_finish();
}
