/*
 * ktest runner: KTAP version 1 on the console.
 *
 *   KTAP version 1
 *   1..<matching suites>            <- printed before anything runs
 *       KTAP version 1
 *       # Subtest: <suite>
 *       1..<matching cases>
 *       # <file>:<line>: <failed check>
 *       not ok 1 <case>
 *       ok 2 <case> # SKIP <reason>
 *   not ok 1 <suite>                <- aggregates the cases (prove reads this)
 */
#include <kern/arch.h>
#include <kern/cmdline.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/spinlock.h>
#include <kern/string.h>
#include <ktest/ktest.h>

#define KTEST_PATTERN_MAX	128

CMDLINE_PARAM(ktest_filter, "ktest.filter",
	      "run suites (or suite.case) matching this glob; default *");
CMDLINE_PARAM(ktest_expect_cpus, "ktest.expect_cpus",
	      "suites that count CPUs expect exactly this many online");
CMDLINE_PARAM(ktest_selftest, "ktest.selftest",
	      "harness self-check: panic | trap | fail | hang | lockorder");

extern const struct ktest_suite *__ktest_suites_start[];
extern const struct ktest_suite *__ktest_suites_end[];

struct ktest_filter {
	char suite[KTEST_PATTERN_MAX];
	char kase[KTEST_PATTERN_MAX];
};

enum ktest_result { KTEST_PASS, KTEST_FAIL, KTEST_SKIP };

static void selftest_fails(struct ktest *t)
{
	KEXPECT_EQ(t, 1 + 1, 3);
}

/* Appended by ktest.selftest=fail to prove a failing check reaches prove. */
static const struct ktest_case selftest_cases[] = { KTEST_CASE(selftest_fails) };
static const struct ktest_suite selftest_suite = {
	.name = "ktest_selftest", .cases = selftest_cases, .count = 1,
};

int ktest_strcmp_(const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : (a ? 1 : -1);
	return strcmp(a, b);
}

bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ok)
		return true;
	t->failures++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_printf("    # %s: %s:%d: %s\n", t->name, file, line, msg);
	return false;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skip_reason = reason;
}

void ktest_diag(struct ktest *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_printf("    # %s: %s\n", t->name, msg);
}

/* Insertion sort by name (a few dozen suites); equal names are a bug. */
static void sort_suites(const struct ktest_suite **v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct ktest_suite *s = v[i];
		size_t j = i;

		for (; j > 0 && strcmp(v[j - 1]->name, s->name) > 0; j--)
			v[j] = v[j - 1];
		v[j] = s;
	}
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) == 0)
			panic("ktest: two suites named '%s'", v[i]->name);
}

static void filter_init(struct ktest_filter *f, const char *glob)
{
	char *dot;

	strlcpy(f->suite, glob && *glob ? glob : "*", sizeof(f->suite));
	strlcpy(f->kase, "*", sizeof(f->kase));
	dot = strchr(f->suite, '.');
	if (dot) {
		*dot = '\0';
		strlcpy(f->kase, dot + 1, sizeof(f->kase));
	}
}

static unsigned int count_cases(const struct ktest_suite *s,
				const struct ktest_filter *f)
{
	unsigned int n = 0;

	if (!glob_match(f->suite, s->name))
		return 0;
	for (size_t i = 0; i < s->count; i++)
		n += glob_match(f->kase, s->cases[i].name);
	return n;
}

static enum ktest_result run_case(const struct ktest_suite *s,
				  const struct ktest_case *c, unsigned int num,
				  const char *skip)
{
	struct ktest t = { .suite = s->name, .name = c->name };

	if (skip)
		t.skip_reason = skip;
	else
		c->fn(&t);
	if (t.failures) {
		console_printf("    not ok %u %s\n", num, c->name);
		return KTEST_FAIL;
	}
	if (t.skip_reason) {
		console_printf("    ok %u %s # SKIP %s\n", num, c->name,
			       t.skip_reason);
		return KTEST_SKIP;
	}
	console_printf("    ok %u %s\n", num, c->name);
	return KTEST_PASS;
}

static enum ktest_result run_suite(const struct ktest_suite *s,
				   const struct ktest_filter *f,
				   unsigned int num)
{
	const char *skip = s->skip_if ? s->skip_if() : NULL;
	unsigned int n = 0, failed = 0, skipped = 0;

	console_printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n",
		       s->name, count_cases(s, f));
	for (size_t i = 0; i < s->count; i++) {
		enum ktest_result r;

		if (!glob_match(f->kase, s->cases[i].name))
			continue;
		r = run_case(s, &s->cases[i], ++n, skip);
		failed += r == KTEST_FAIL;
		skipped += r == KTEST_SKIP;
	}
	if (failed) {
		console_printf("    # %s: %u of %u failed\n", s->name, failed, n);
		console_printf("not ok %u %s\n", num, s->name);
		return KTEST_FAIL;
	}
	if (skipped == n) {
		console_printf("ok %u %s # SKIP %s\n", num, s->name,
			       skip ? skip : "every case skipped");
		return KTEST_SKIP;
	}
	console_printf("ok %u %s\n", num, s->name);
	return KTEST_PASS;
}

/*
 * Deliberate breakage for the harness's own tests: each must turn into a
 * visible failure. Runs after the plan, as a real crash would.
 */
static void selftest_break(const char *mode)
{
	if (!strcmp(mode, "panic"))
		panic("ktest.selftest=panic: deliberate panic");
	if (!strcmp(mode, "trap")) {
		printk("ktest.selftest=trap: undefined instruction, unexpected\n");
		arch_trap_undefined();
		panic("ktest.selftest=trap: the trap returned");
	}
	if (!strcmp(mode, "lockorder")) {
		static struct spinlock a = SPINLOCK_INIT_ORDERED("selftest.a", 1);
		static struct spinlock b = SPINLOCK_INIT_ORDERED("selftest.b", 2);

		spin_lock(&b);
		spin_lock(&a);	/* debug builds panic here */
		spin_unlock(&a);
		spin_unlock(&b);
		printk("ktest.selftest=lockorder: order not checked "
		       "(DEBUG=0 build)\n");
		return;
	}
	if (!strcmp(mode, "hang")) {
		printk("ktest.selftest=hang: spinning with interrupts off\n");
		arch_irq_save();
		for (;;)
			arch_cpu_relax();
	}
}

/* ktest.filter=nothing: a deliberate empty run (boot checks only). */
static bool filter_is_nothing(const char *glob)
{
	return glob && !strcmp(glob, "nothing");
}

/*
 * A filter that selects nothing is almost always a typo: an empty plan
 * would read as a pass, so report one failed result that names it.
 */
static unsigned int report_no_match(const char *glob)
{
	console_printf("KTAP version 1\n1..1\n");
	console_printf("# ktest: no suite matches '%s' (ktest.filter=nothing "
		       "runs none on purpose)\n", glob);
	console_printf("not ok 1 ktest_filter\n");
	return 1;
}

unsigned int ktest_run_all(void)
{
	const struct ktest_suite **v = __ktest_suites_start;
	size_t n = (size_t)(__ktest_suites_end - __ktest_suites_start);
	const char *mode = cmdline_get("ktest.selftest");
	const char *glob = cmdline_get("ktest.filter");
	bool add_failing = mode && !strcmp(mode, "fail");
	struct ktest_filter f;
	unsigned int plan = 0, num = 0, failed = 0;

	sort_suites(v, n);
	filter_init(&f, glob);
	for (size_t i = 0; i < n; i++)
		plan += count_cases(v[i], &f) > 0;
	if (plan == 0 && !filter_is_nothing(glob))
		return report_no_match(glob);
	console_printf("KTAP version 1\n1..%u\n", plan + add_failing);
	if (mode && !add_failing)
		selftest_break(mode);
	for (size_t i = 0; i < n; i++)
		if (count_cases(v[i], &f) > 0)
			failed += run_suite(v[i], &f, ++num) == KTEST_FAIL;
	if (add_failing) {
		struct ktest_filter all;

		filter_init(&all, "*");
		failed += run_suite(&selftest_suite, &all, ++num) == KTEST_FAIL;
	}
	return failed;
}
