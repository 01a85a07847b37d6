/*
 * Memory calls: mmap / munmap / mprotect / madvise / brk round trips, the
 * protections really enforced (a forked child that breaks them must die of
 * SIGSEGV), and the Linux error values for bad arguments.
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

static void check_brk(void)
{
	long cur = sys_brk(NULL);
	char *top = (char *)cur + PAGE_SIZE;
	long grown = sys_brk(top);
	long shrunk;

	if (grown == (long)top)
		memset((char *)cur, 0x33, PAGE_SIZE);
	ktap_ok(cur > 0 && grown == (long)top &&
		all_bytes((char *)cur, PAGE_SIZE, 0x33), "brk_grow_one_page");
	shrunk = sys_brk((void *)cur);
	ktap_eq(shrunk, cur, "brk_shrink_back");
}

int main(void)
{
	ktap_plan(20);
	check_round_trip();
	check_mprotect();
	check_errors();
	check_brk();
	return ktap_finish();
}
