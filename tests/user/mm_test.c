/*
 * Memory calls: mmap / munmap / mprotect / madvise / brk round trips, the
 * protections really enforced (a forked child that breaks them must die of
 * SIGSEGV), splitting one mapping in three (munmap or mprotect of the
 * middle), ranges that overlap mapped and unmapped parts, MAP_FIXED over
 * existing mappings, brk grow and shrink, and the Linux error values for
 * bad arguments.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/start.h>
#include <u/string.h>
#include <u/sys.h>

#define PAGES	3
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)

/* Run @touch(@p) in a forked child; returns its wait status, or -errno. */
static long child_status(void (*touch)(volatile char *), volatile char *p)
{
	long pid = sys_fork();
	int status = -1;
	long r;

	if (pid == 0) {
		touch(p);
		sys_exit_group(0);
	}
	if (pid < 0)
		return pid;
	r = sys_wait4((int)pid, &status, 0);
	return r == pid ? status : (r < 0 ? r : -ECHILD);
}

static void write_byte(volatile char *p)
{
	*p = 1;
}

static void read_byte(volatile char *p)
{
	(void)*p;
}

static bool killed_by_segv(long status)
{
	return status >= 0 && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGSEGV;
}

static bool all_bytes(const volatile char *p, size_t n, char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static char *map_pages(size_t n)
{
	long m = sys_mmap(NULL, n * PAGE_SIZE, PROT_READ | PROT_WRITE,
			  ANON, -1, 0);

	if (sys_err(m))
		ktap_bail("mmap of %zu pages failed: %ld", n, m);
	return (char *)m;
}

static void check_round_trip(void)
{
	volatile char *p = map_pages(PAGES);
	long r;

	ktap_ok(((uintptr_t)p & (PAGE_SIZE - 1)) == 0 &&
		all_bytes(p, PAGES * PAGE_SIZE, 0), "mmap_anon_zeroed");
	memset((char *)p, 0x5a, PAGES * PAGE_SIZE);
	ktap_ok(all_bytes(p, PAGES * PAGE_SIZE, 0x5a), "mmap_write_read");
	r = sys_madvise((char *)p + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED);
	ktap_ok(r == 0 && all_bytes(p + PAGE_SIZE, PAGE_SIZE, 0) &&
		all_bytes(p, PAGE_SIZE, 0x5a), "madvise_dontneed_zeroes_page");
	r = sys_munmap((char *)p + PAGE_SIZE, PAGE_SIZE);
	ktap_ok(r == 0 && killed_by_segv(child_status(read_byte, p + PAGE_SIZE))
		&& p[0] == 0x5a, "munmap_then_read_faults");
	r = sys_mmap((char *)p + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ktap_ok(r == (long)(p + PAGE_SIZE) && all_bytes(p + PAGE_SIZE,
		PAGE_SIZE, 0), "mmap_fixed_refills_hole");
	ktap_eq(sys_munmap((char *)p, PAGES * PAGE_SIZE), 0, "munmap_all");
}

static void check_mprotect(void)
{
	volatile char *p = map_pages(1);
	long r;

	p[0] = 7;
	r = sys_mprotect((char *)p, PAGE_SIZE, PROT_READ);
	ktap_ok(r == 0 && killed_by_segv(child_status(write_byte, p)) &&
		p[0] == 7, "mprotect_read_only_write_faults");
	r = sys_mprotect((char *)p, PAGE_SIZE, PROT_NONE);
	ktap_ok(r == 0 && killed_by_segv(child_status(read_byte, p)),
		"mprotect_none_read_faults");
	r = sys_mprotect((char *)p, PAGE_SIZE, PROT_READ | PROT_WRITE);
	if (r == 0)
		p[0] = 8;
	ktap_ok(r == 0 && p[0] == 8 && child_status(write_byte, p) == 0,
		"mprotect_read_write_restores");
	sys_munmap((char *)p, PAGE_SIZE);
}

static void check_errors(void)
{
	char *p = map_pages(2);

	ktap_eq(sys_munmap(p + 1, PAGE_SIZE), -EINVAL, "munmap_unaligned");
	ktap_eq(sys_munmap(p, 0), -EINVAL, "munmap_zero_length");
	ktap_eq(sys_mprotect(p + 1, PAGE_SIZE, PROT_READ), -EINVAL,
		"mprotect_unaligned");
	/* qemu-user answers madvise itself and takes any advice as a hint. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user accepts any advice", "madvise_bad_advice");
	else
		ktap_eq(sys_madvise(p, PAGE_SIZE, 12345), -EINVAL,
			"madvise_bad_advice");
	sys_munmap(p, 2 * PAGE_SIZE);
	/* qemu-i386 keeps the whole guest space mapped in the host. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user may accept it", "mprotect_unmapped");
	else
		ktap_eq(sys_mprotect(p, PAGE_SIZE, PROT_READ), -ENOMEM,
			"mprotect_unmapped");
	ktap_eq(sys_mmap(NULL, 0, PROT_READ, ANON, -1, 0), -EINVAL,
		"mmap_zero_length");
	ktap_eq(sys_mmap(NULL, PAGE_SIZE, PROT_READ, MAP_ANONYMOUS, -1, 0),
		-EINVAL, "mmap_neither_private_nor_shared");
	ktap_eq(sys_mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE, -1, 0),
		-EBADF, "mmap_file_bad_fd");
	ktap_eq(sys_mmap(NULL, PAGE_SIZE, PROT_READ, ANON, -1, 100), -EINVAL,
		"mmap_unaligned_offset");
}

/* Fill page @i of @p with byte 'A' + @i. */
static void fill_pages(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		memset(p + i * PAGE_SIZE, 'A' + (int)i, PAGE_SIZE);
}

static bool page_is(const volatile char *p, size_t i, char v)
{
	return all_bytes(p + i * PAGE_SIZE, PAGE_SIZE, v);
}

static void check_split(void)
{
	char *p = map_pages(3);
	long r;

	fill_pages(p, 3);
	r = sys_munmap(p + PAGE_SIZE, PAGE_SIZE);
	ktap_ok(r == 0 && page_is(p, 0, 'A') && page_is(p, 2, 'C') &&
		killed_by_segv(child_status(read_byte, p + PAGE_SIZE)) &&
		child_status(write_byte, p + 2 * PAGE_SIZE) == 0,
		"munmap_middle_splits_in_three");
	ktap_eq(sys_munmap(p, 3 * PAGE_SIZE), 0, "munmap_across_hole");
	ktap_ok(killed_by_segv(child_status(read_byte, p)) &&
		killed_by_segv(child_status(read_byte, p + 2 * PAGE_SIZE)),
		"munmap_across_hole_unmaps_both");

	p = map_pages(3);
	fill_pages(p, 3);
	r = sys_mprotect(p + PAGE_SIZE, PAGE_SIZE, PROT_READ);
	ktap_ok(r == 0 && child_status(write_byte, p) == 0 &&
		killed_by_segv(child_status(write_byte, p + PAGE_SIZE)) &&
		child_status(write_byte, p + 2 * PAGE_SIZE) == 0 &&
		page_is(p, 0, 'A') && page_is(p, 1, 'B') && page_is(p, 2, 'C'),
		"mprotect_middle_read_only");
	r = sys_mprotect(p, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE);
	if (r == 0)
		memset(p, 'Z', 3 * PAGE_SIZE);
	ktap_ok(r == 0 && all_bytes(p, 3 * PAGE_SIZE, 'Z'),
		"mprotect_across_three_parts");
	sys_munmap(p, 3 * PAGE_SIZE);
}

static void check_overlaps(void)
{
	char *p = map_pages(4);
	long r;

	fill_pages(p, 4);
	/* A known hole: page 3 (nothing else maps meanwhile). */
	sys_munmap(p + 3 * PAGE_SIZE, PAGE_SIZE);
	ktap_eq(sys_munmap(p + 3 * PAGE_SIZE, PAGE_SIZE), 0,
		"munmap_unmapped_range_ok");
	/* qemu-i386 keeps the whole guest space mapped in the host. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user may accept it", "mprotect_over_hole");
	else
		ktap_eq(sys_mprotect(p + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
				     PROT_READ | PROT_WRITE), -ENOMEM,
			"mprotect_over_hole");
	r = sys_munmap(p + 2 * PAGE_SIZE, 2 * PAGE_SIZE);
	ktap_ok(r == 0 && page_is(p, 0, 'A') && page_is(p, 1, 'B') &&
		killed_by_segv(child_status(read_byte, p + 2 * PAGE_SIZE)),
		"munmap_tail_and_hole");
	r = sys_mmap(p + PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     ANON | MAP_FIXED, -1, 0);
	ktap_ok(r == (long)(p + PAGE_SIZE) && page_is(p, 0, 'A') &&
		page_is(p, 1, 0) && page_is(p, 2, 0),
		"mmap_fixed_over_mapping_and_hole");
	r = sys_mmap(p, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, -1, 0);
	ktap_ok(r == (long)p && page_is(p, 0, 0) &&
		killed_by_segv(child_status(write_byte, p)) &&
		child_status(write_byte, p + PAGE_SIZE) == 0,
		"mmap_fixed_replaces_protection");
	ktap_eq(sys_munmap(p, 3 * PAGE_SIZE), 0, "munmap_replaced_range");
}

static void check_more_errors(void)
{
	char *p = map_pages(1);

	ktap_eq(sys_mmap(p + 1, PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, -1, 0),
		-EINVAL, "mmap_fixed_unaligned");
	ktap_eq(sys_mmap(NULL, (size_t)0 - 2 * PAGE_SIZE, PROT_READ, ANON, -1,
			 0), -ENOMEM, "mmap_huge_length");
	ktap_eq(sys_mmap(NULL, (size_t)-1, PROT_READ, ANON, -1, 0), -ENOMEM,
		"mmap_length_wraps");
	ktap_eq(sys_mprotect(p, PAGE_SIZE, 0x40), -EINVAL, "mprotect_bad_prot");
	/* qemu-aarch64 7.2 asserts on it (page_set_flags: start < end). */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user crashes on it", "mprotect_zero_length_ok");
	else
		ktap_eq(sys_mprotect(p, 0, PROT_READ), 0,
			"mprotect_zero_length_ok");
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user crashes on it",
			  "munmap_top_of_address_space");
	else
		ktap_eq(sys_munmap((void *)(0 - PAGE_SIZE), PAGE_SIZE),
			-EINVAL, "munmap_top_of_address_space");
	sys_munmap(p, PAGE_SIZE);
}

static void check_brk(void)
{
	long cur = sys_brk(NULL);
	char *base = (char *)((cur + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	char *top = base + 4 * PAGE_SIZE;
	long grown = sys_brk(top);
	long shrunk;

	if (grown == (long)top)
		memset((char *)cur, 0x33, (size_t)(top - (char *)cur));
	ktap_ok(cur > 0 && grown == (long)top &&
		all_bytes((char *)cur, (size_t)(top - (char *)cur), 0x33),
		"brk_grow_pages");
	shrunk = sys_brk(base + PAGE_SIZE);
	ktap_ok(shrunk == (long)(base + PAGE_SIZE) &&
		all_bytes((char *)cur, (size_t)(base + PAGE_SIZE - (char *)cur),
			  0x33), "brk_shrink_keeps_bottom");
	/* qemu-user emulates brk and keeps what it once mapped. */
	if (getenv("USER_TEST_QEMU"))
		ktap_skip("qemu-user keeps the pages", "brk_shrink_unmaps_top");
	else
		ktap_ok(killed_by_segv(child_status(read_byte,
						    base + 2 * PAGE_SIZE)),
			"brk_shrink_unmaps_top");
	ktap_eq(sys_brk((void *)PAGE_SIZE), (long)(base + PAGE_SIZE),
		"brk_below_start_refused");
	shrunk = sys_brk((void *)cur);
	ktap_eq(shrunk, cur, "brk_shrink_back");
}

int main(void)
{
	ktap_plan(40);
	check_round_trip();
	check_mprotect();
	check_split();
	check_overlaps();
	check_errors();
	check_more_errors();
	check_brk();
	return ktap_finish();
}
