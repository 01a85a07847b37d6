/*
 * Demand-zero memory: fresh anonymous pages read as zero (a kernel may
 * back them all with one shared zero page until written), writes stay
 * private to the page and the process written, and madvise(MADV_DONTNEED)
 * and brk shrink-then-grow give zero pages back. A kernel that wrote
 * through its shared zero page would show the bytes in every later fresh
 * page: each check maps again and looks.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/proc.h>
#include <u/start.h>
#include <u/string.h>
#include <u/sys.h>

#define PAGES	64
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)

static char *map(size_t pages, int prot)
{
	long m = sys_mmap(NULL, pages * PAGE_SIZE, prot, ANON, -1, 0);

	if (sys_err(m))
		ktap_bail("mmap of %zu pages failed: %ld", pages, m);
	return (char *)m;
}

/* Pages in [p, p + n pages) that are not entirely @v. */
static size_t pages_not(const volatile char *p, size_t n, char v)
{
	size_t bad = 0;

	for (size_t pg = 0; pg < n; pg++) {
		for (size_t i = 0; i < PAGE_SIZE; i++) {
			if (p[pg * PAGE_SIZE + i] != v) {
				bad++;
				break;
			}
		}
	}
	return bad;
}

/* A fresh mapping of @n pages reads zero everywhere (then unmapped). */
static bool fresh_reads_zero(size_t n)
{
	char *p = map(n, PROT_READ | PROT_WRITE);
	size_t bad = pages_not(p, n, 0);

	sys_munmap(p, n * PAGE_SIZE);
	return bad == 0;
}

static int child_writes_then_checks(long addr)
{
	volatile char *p = (volatile char *)addr;

	for (size_t pg = 0; pg < PAGES; pg++)
		p[pg * PAGE_SIZE + 7] = 0x77;
	for (size_t pg = 0; pg < PAGES; pg++)
		if (p[pg * PAGE_SIZE + 7] != 0x77)
			return 1;
	return fresh_reads_zero(PAGES) ? 0 : 2;
}

static int write_first_byte(long addr)
{
	*(volatile char *)addr = 1;
	return 0;
}

static void check_reads(void)
{
	char *p = map(PAGES, PROT_READ | PROT_WRITE);
	char *ro = map(PAGES, PROT_READ);

	ktap_eq(pages_not(p, PAGES, 0), 0, "fresh_%d_pages_read_zero", PAGES);
	ktap_eq(pages_not(ro, PAGES, 0), 0, "read_only_pages_read_zero");
	ktap_ok(proc_killed_by(proc_reap(proc_spawn(write_first_byte,
						    (long)ro)), SIGSEGV),
		"read_only_zero_page_write_faults");
	/* Every page was read (and may map the zero page); now write some. */
	for (size_t pg = 0; pg < PAGES; pg += 2)
		memset(p + pg * PAGE_SIZE, (int)(pg + 1), PAGE_SIZE);
	{
		size_t bad = 0;

		for (size_t pg = 0; pg < PAGES; pg++)
			bad += pages_not(p + pg * PAGE_SIZE, 1,
					 pg % 2 ? 0 : (char)(pg + 1));
		ktap_eq(bad, 0, "writes_private_to_their_page");
	}
	ktap_ok(fresh_reads_zero(PAGES), "zero_page_unchanged_after_writes");
	sys_munmap(p, PAGES * PAGE_SIZE);
	sys_munmap(ro, PAGES * PAGE_SIZE);
}

static void check_fork(void)
{
	char *p = map(PAGES, PROT_READ | PROT_WRITE);
	long st;

	/* Read (zero-page mappings, if any, are what fork copies). */
	pages_not(p, PAGES, 0);
	st = proc_reap(proc_spawn(child_writes_then_checks, (long)p));
	ktap_ok(proc_exited_with(st, 0), "child_writes_zero_pages");
	ktap_eq(pages_not(p, PAGES, 0), 0, "parent_still_reads_zero");
	sys_munmap(p, PAGES * PAGE_SIZE);
}

static void check_dontneed(void)
{
	char *p = map(PAGES, PROT_READ | PROT_WRITE);
	long r;

	memset(p, 0x3c, PAGES * PAGE_SIZE);
	r = sys_madvise(p + 8 * PAGE_SIZE, 16 * PAGE_SIZE, MADV_DONTNEED);
	ktap_ok(r == 0 && pages_not(p + 8 * PAGE_SIZE, 16, 0) == 0 &&
		pages_not(p, 8, 0x3c) == 0 &&
		pages_not(p + 24 * PAGE_SIZE, PAGES - 24, 0x3c) == 0,
		"dontneed_middle_reads_zero_rest_kept");
	memset(p + 8 * PAGE_SIZE, 0x5e, 16 * PAGE_SIZE);
	ktap_eq(pages_not(p + 8 * PAGE_SIZE, 16, 0x5e), 0,
		"dontneed_pages_writable_again");
	r = sys_madvise(p, PAGES * PAGE_SIZE, MADV_DONTNEED);
	ktap_ok(r == 0 && pages_not(p, PAGES, 0) == 0,
		"dontneed_all_reads_zero");
	ktap_eq(sys_madvise(p + 1, PAGE_SIZE, MADV_DONTNEED), -EINVAL,
		"dontneed_unaligned");
	sys_munmap(p, PAGES * PAGE_SIZE);
	/* qemu-user answers madvise itself. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user answers madvise itself",
			  "dontneed_unmapped");
	else
		ktap_eq(sys_madvise(p, PAGE_SIZE, MADV_DONTNEED), -ENOMEM,
			"dontneed_unmapped");
}

/* From a page boundary at or above the initial break. */
static void check_brk(void)
{
	long base = sys_brk(NULL), top, r;
	char *b = (char *)((base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));

	top = sys_brk(b + 8 * PAGE_SIZE);
	if (top != (long)(b + 8 * PAGE_SIZE))
		ktap_bail("brk grow failed: %ld", top);
	ktap_eq(pages_not(b, 8, 0), 0, "brk_grown_pages_read_zero");
	memset(b, 0x21, 8 * PAGE_SIZE);
	r = sys_brk(b + 2 * PAGE_SIZE);
	top = sys_brk(b + 8 * PAGE_SIZE);
	ktap_ok(r == (long)(b + 2 * PAGE_SIZE) &&
		top == (long)(b + 8 * PAGE_SIZE) &&
		pages_not(b, 2, 0x21) == 0 &&
		pages_not(b + 2 * PAGE_SIZE, 6, 0) == 0,
		"brk_shrink_regrow_reads_zero");
	ktap_eq(sys_brk((void *)base), base, "brk_back_to_start");
}

int main(void)
{
	ktap_plan(15);
	check_reads();
	check_fork();
	check_dontneed();
	check_brk();
	return ktap_finish();
}
