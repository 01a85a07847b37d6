/* Suite cmdline: parsing of the kernel command line and its number syntax. */
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/string.h>
#include <ktest/ktest.h>

/* Big: keep it off the small boot stack. */
static struct cmdline cl;

static void words_and_values(struct ktest *t)
{
	KASSERT_EQ(t, cmdline_parse(&cl, "  a=1 flag\tb=two  a=3 "), 0);
	KEXPECT_EQ(t, cl.count, 4);
	KEXPECT_STREQ(t, cmdline_find(&cl, "a"), "3");	/* last one wins */
	KEXPECT_STREQ(t, cmdline_find(&cl, "b"), "two");
	KEXPECT_STREQ(t, cmdline_find(&cl, "flag"), "");
	KEXPECT_NULL(t, cmdline_find(&cl, "missing"));
	KEXPECT_NULL(t, cmdline_find(&cl, "fla"));
}

static void empty_and_blank(struct ktest *t)
{
	KEXPECT_EQ(t, cmdline_parse(&cl, ""), 0);
	KEXPECT_EQ(t, cl.count, 0);
	KEXPECT_EQ(t, cmdline_parse(&cl, " \t \n"), 0);
	KEXPECT_EQ(t, cl.count, 0);
	KEXPECT_EQ(t, cmdline_parse(&cl, NULL), 0);
	KEXPECT_EQ(t, cl.count, 0);
}

static void quotes(struct ktest *t)
{
	KASSERT_EQ(t, cmdline_parse(&cl, "init=/bin/sh msg=\"hello  world\" x"), 0);
	KEXPECT_EQ(t, cl.count, 3);
	KEXPECT_STREQ(t, cmdline_find(&cl, "msg"), "hello  world");
	KEXPECT_STREQ(t, cmdline_find(&cl, "x"), "");
	KEXPECT_EQ(t, cmdline_parse(&cl, "a=1 b=\"open"), -EINVAL);
	KEXPECT_EQ(t, cl.count, 1);
	KEXPECT_STREQ(t, cmdline_find(&cl, "a"), "1");
}

static void values_with_equals(struct ktest *t)
{
	KASSERT_EQ(t, cmdline_parse(&cl, "ktest.filter=a.b=c key="), 0);
	KEXPECT_STREQ(t, cmdline_find(&cl, "ktest.filter"), "a.b=c");
	KEXPECT_STREQ(t, cmdline_find(&cl, "key"), "");
}

static void too_many_words(struct ktest *t)
{
	static char text[CMDLINE_MAX_ARGS * 3 + 8];
	char *p = text;

	for (unsigned int i = 0; i < CMDLINE_MAX_ARGS + 2; i++) {
		*p++ = 'w';
		*p++ = ' ';
	}
	*p = '\0';
	KEXPECT_EQ(t, cmdline_parse(&cl, text), -E2BIG);
	KEXPECT_EQ(t, cl.count, CMDLINE_MAX_ARGS);
}

static void too_long(struct ktest *t)
{
	static char text[CMDLINE_MAX_LEN + 64];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	text[3] = ' ';
	KEXPECT_EQ(t, cmdline_parse(&cl, text), -E2BIG);
	KEXPECT_EQ(t, cl.count, 2);
	KEXPECT_EQ(t, strlen(cl.args[1].key), CMDLINE_MAX_LEN - 1 - 4);
}

static void numbers(struct ktest *t)
{
	unsigned long v = 0;

	KEXPECT_EQ(t, parse_ulong("0", &v), 0);
	KEXPECT_EQ(t, v, 0);
	KEXPECT_EQ(t, parse_ulong("1234", &v), 0);
	KEXPECT_EQ(t, v, 1234);
	KEXPECT_EQ(t, parse_ulong("0x1F", &v), 0);
	KEXPECT_EQ(t, v, 31);
	KEXPECT_EQ(t, parse_ulong("017", &v), 0);
	KEXPECT_EQ(t, v, 15);
	KEXPECT_EQ(t, parse_ulong("4K", &v), 0);
	KEXPECT_EQ(t, v, 4096);
	KEXPECT_EQ(t, parse_ulong("2m", &v), 0);
	KEXPECT_EQ(t, v, 2UL << 20);
	v = 77;
	KEXPECT_EQ(t, parse_ulong("", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("0x", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("12abc", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("4KB", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("-1", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("089", &v), -EINVAL);
	KEXPECT_EQ(t, parse_ulong("99999999999999999999999", &v), -ERANGE);
	KEXPECT_EQ(t, v, 77);	/* untouched on every error */
}

/* After "--" the words are the first program's, whole and unparsed. */
static void words_for_init(struct ktest *t)
{
	KASSERT_EQ(t, cmdline_parse(&cl, "a=1 -- x=2 \"two words\" -- a=3"),
		   0);
	KEXPECT_EQ(t, cl.nkernel, 1);
	KEXPECT_EQ(t, cl.count, 5);
	KEXPECT_STREQ(t, cmdline_find(&cl, "a"), "1");
	KEXPECT_NULL(t, cmdline_find(&cl, "x"));
	KEXPECT_STREQ(t, cl.args[1].key, "x=2");
	KEXPECT_NULL(t, cl.args[1].value);
	KEXPECT_STREQ(t, cl.args[2].key, "two words");
	KEXPECT_STREQ(t, cl.args[3].key, "--");
	KEXPECT_STREQ(t, cl.args[4].key, "a=3");
	KASSERT_EQ(t, cmdline_parse(&cl, "a=1 --"), 0);
	KEXPECT_EQ(t, cl.nkernel, 1);
	KEXPECT_EQ(t, cl.count, 1);
}

KTEST_SUITE(cmdline,
	    KTEST_CASE(words_and_values),
	    KTEST_CASE(empty_and_blank),
	    KTEST_CASE(quotes),
	    KTEST_CASE(values_with_equals),
	    KTEST_CASE(too_many_words),
	    KTEST_CASE(too_long),
	    KTEST_CASE(numbers),
	    KTEST_CASE(words_for_init));
