/*
 * The printf family as user programs get it: the shared formatter compiled
 * for this arch (64-bit values on i686 go through div64.c) and the write(2)
 * side of printf/dprintf.
 */
#include <stdint.h>
#include <u/errno.h>
#include <u/ktap.h>
#include <u/printf.h>
#include <u/string.h>

static void expect(const char *want, int n, const char *got, const char *name)
{
	if (strcmp(got, want) != 0)
		ktap_diag("got \"%s\", want \"%s\"", got, want);
	ktap_ok(strcmp(got, want) == 0 && n == (int)strlen(want), "%s", name);
}

static void check_integers(void)
{
	char b[96];
	int n;

	n = snprintf(b, sizeof(b), "%d %u %x %c %s", -42, 42u, 0xbeefu, 'q',
		     "s");
	expect("-42 42 beef q s", n, b, "int_conversions");
	n = snprintf(b, sizeof(b), "%ld %lu %lx", -1234567L, 4000000000UL,
		     0xdeadUL);
	expect("-1234567 4000000000 dead", n, b, "long_conversions");
	n = snprintf(b, sizeof(b), "%llu %zu", 18446744073709551615ULL,
		     (size_t)4096);
	expect("18446744073709551615 4096", n, b, "llu_zu");
	n = snprintf(b, sizeof(b), "[%5d|%-4u|%08x|%3s]", 7, 9u, 0xabcu, "ab");
	expect("[    7|9   |00000abc| ab]", n, b, "width_zero_pad");
	n = snprintf(b, sizeof(b), "%p", (void *)(uintptr_t)0x1000);
	expect("0x1000", n, b, "pointer");
}

static void check_bounds(void)
{
	char b[8];
	int n;

	memset(b, 'x', sizeof(b));
	n = snprintf(b, 4, "%s", "truncated");
	ktap_ok(n == 9 && strcmp(b, "tru") == 0 && b[4] == 'x',
		"truncation_bounded");
	n = snprintf(b, sizeof(b), "%s", (char *)NULL);
	expect("(null)", n, b, "null_string");
}

static void check_output(void)
{
	ktap_eq(printf("# printf to stdout\n"), 19, "printf_returns_written");
	ktap_eq(dprintf(-1, "lost\n"), -EBADF, "dprintf_bad_fd");
}

int main(void)
{
	ktap_plan(9);
	check_integers();
	check_bounds();
	check_output();
	return ktap_finish();
}
