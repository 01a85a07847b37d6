/* Suite printk: the formatter behind printk, checked against C99 results. */
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>

/*
 * Some cases feed an int to %hhd or use an unknown conversion, to check
 * what the formatter does with them: call snprintf through a pointer,
 * whose type carries no format attribute, so the compiler lets them pass.
 */
static int (*const format_unchecked)(char *, size_t, const char *, ...) =
	snprintf;

#define FMT_EXPECT(t, want, ...)					\
	do {								\
		char b_[96];						\
		int n_ = format_unchecked(b_, sizeof(b_), __VA_ARGS__);	\
		KEXPECT_STREQ(t, b_, want);				\
		KEXPECT_EQ(t, n_, (int)strlen(want));			\
	} while (0)

static void integers(struct ktest *t)
{
	FMT_EXPECT(t, "0", "%d", 0);
	FMT_EXPECT(t, "-42", "%d", -42);
	FMT_EXPECT(t, "-2147483648", "%d", (int)INT32_MIN);
	FMT_EXPECT(t, "4294967295", "%u", 4294967295U);
	FMT_EXPECT(t, "-9223372036854775808", "%lld", (long long)INT64_MIN);
	FMT_EXPECT(t, "18446744073709551615", "%llu", ~0ULL);
	FMT_EXPECT(t, "255 ff FF 377", "%u %x %X %o", 255, 255, 255, 255);
	FMT_EXPECT(t, "-1 65535 255", "%hhd %hu %hhu", 255, 0x1ffff, 0x1ff);
	FMT_EXPECT(t, "12345678", "%zu", (size_t)12345678);
}

static void width_and_flags(struct ktest *t)
{
	FMT_EXPECT(t, "   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
	FMT_EXPECT(t, "+7 -7  7", "%+d %+d % d", 7, -7, 7);
	FMT_EXPECT(t, "-0042", "%05d", -42);
	FMT_EXPECT(t, "0x1f 0X1F 0 017", "%#x %#X %#x %#o", 31, 31, 0, 15);
	FMT_EXPECT(t, "0x00ff", "%#06x", 255);
	FMT_EXPECT(t, "  007", "%5.3d", 7);
	FMT_EXPECT(t, "", "%.0d", 0);
	FMT_EXPECT(t, "    9", "%*d", 5, 9);
	FMT_EXPECT(t, "9    |", "%*d|", -5, 9);
}

static void strings_and_chars(struct ktest *t)
{
	FMT_EXPECT(t, "abc", "%s", "abc");
	FMT_EXPECT(t, "  abc|abc  |ab", "%5s|%-5s|%.2s", "abc", "abc", "abc");
	FMT_EXPECT(t, "(null)", "%s", (const char *)NULL);
	FMT_EXPECT(t, "x y%", "%c %c%%", 'x', 'y');
	FMT_EXPECT(t, "%q", "%q");
}

static void pointers(struct ktest *t)
{
	FMT_EXPECT(t, "0x1234", "%p", (void *)0x1234);
	FMT_EXPECT(t, "0", "%p", (void *)0);
}

static void truncation(struct ktest *t)
{
	char buf[8];
	int n;

	memset(buf, 'Z', sizeof(buf));
	n = snprintf(buf, sizeof(buf), "hello, world");
	KEXPECT_EQ(t, n, 12);
	KEXPECT_STREQ(t, buf, "hello, ");
	n = snprintf(buf, 1, "abc");
	KEXPECT_EQ(t, n, 3);
	KEXPECT_EQ(t, buf[0], '\0');
	/* size 0 must not write at all, only measure. */
	buf[0] = 'Q';
	n = snprintf(buf, 0, "%d", 12345);
	KEXPECT_EQ(t, n, 5);
	KEXPECT_EQ(t, buf[0], 'Q');
}

KTEST_SUITE(printk,
	    KTEST_CASE(integers),
	    KTEST_CASE(width_and_flags),
	    KTEST_CASE(strings_and_chars),
	    KTEST_CASE(pointers),
	    KTEST_CASE(truncation));
