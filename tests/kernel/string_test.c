/* Suite string: the freestanding string functions and glob matching. */
#include <kern/string.h>
#include <ktest/ktest.h>

static void mem_functions(struct ktest *t)
{
	char a[16] = "abcdefghij";

	memmove(a + 2, a, 5);
	KEXPECT_EQ(t, memcmp(a, "ababcdehij", 10), 0);
	memmove(a, a + 2, 5);
	KEXPECT_EQ(t, memcmp(a, "abcdedehij", 10), 0);
	memset(a, 'z', 3);
	KEXPECT_EQ(t, memcmp(a, "zzz", 3), 0);
	KEXPECT_LT(t, memcmp("a\x01", "a\xff", 2), 0);
}

static void str_functions(struct ktest *t)
{
	char buf[6];

	KEXPECT_EQ(t, strlen(""), 0);
	KEXPECT_EQ(t, strnlen("abcdef", 3), 3);
	KEXPECT_EQ(t, strcmp("abc", "abc"), 0);
	KEXPECT_LT(t, strcmp("abc", "abd"), 0);
	KEXPECT_GT(t, strcmp("abcd", "abc"), 0);
	KEXPECT_EQ(t, strncmp("abcX", "abcY", 3), 0);
	KEXPECT_STREQ(t, strchr("a.b.c", '.'), ".b.c");
	KEXPECT_NULL(t, strchr("abc", 'z'));
	KEXPECT_EQ(t, strlcpy(buf, "truncated", sizeof(buf)), 9);
	KEXPECT_STREQ(t, buf, "trunc");
}

static void globs(struct ktest *t)
{
	KEXPECT_TRUE(t, glob_match("*", ""));
	KEXPECT_TRUE(t, glob_match("*", "anything"));
	KEXPECT_TRUE(t, glob_match("pmap*", "pmap_remove"));
	KEXPECT_TRUE(t, glob_match("*_test", "printk_test"));
	KEXPECT_TRUE(t, glob_match("a*b*c", "aXXbYYbc"));
	KEXPECT_TRUE(t, glob_match("t?ap", "trap"));
	KEXPECT_FALSE(t, glob_match("nothing", "printk"));
	KEXPECT_FALSE(t, glob_match("a*b", "aXXc"));
	KEXPECT_FALSE(t, glob_match("?", ""));
	KEXPECT_FALSE(t, glob_match("abc", "abcd"));
}

KTEST_SUITE(string,
	    KTEST_CASE(mem_functions),
	    KTEST_CASE(str_functions),
	    KTEST_CASE(globs));
