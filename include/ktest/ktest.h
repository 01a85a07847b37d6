/*
 * ktest: in-kernel unit tests reporting KTAP version 1.
 *
 * A suite is a named array of cases, registered with KTEST_SUITE() into the
 * .ktest_suites linker section. ktest_run_all() sorts suites by name, prints
 * the top-level plan before running anything, and prints each suite as a
 * 4-space-indented subtest whose parent line aggregates its cases (prove
 * only reads the top level).
 *
 *   static void adds(struct ktest *t) { KEXPECT_EQ(t, 1 + 1, 2); }
 *   KTEST_SUITE(arith, KTEST_CASE(adds));
 *
 * KEXPECT_* records a failure and continues; KASSERT_* records it and ends
 * the case (it returns from the case function, so use it there only).
 */
#ifndef KTEST_KTEST_H
#define KTEST_KTEST_H

#include <kern/compiler.h>
#include <kern/types.h>

struct ktest {
	const char *suite;
	const char *name;
	unsigned int failures;
	const char *skip_reason;	/* non-NULL once ktest_skip() was called */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t count;
	/* Optional: return a reason to skip the whole suite, or NULL to run. */
	const char *(*skip_if)(void);
};

#define KTEST_CASE(fn)	{ #fn, fn }

/*
 * Define and register suite @sname. The suite object is a global symbol, so
 * two suites of one name fail at link time; ktest_run_all() checks again.
 */
#define KTEST_SUITE_SKIP_IF(sname, skipfn, ...)				\
	static const struct ktest_case ktest_cases_##sname[] = {	\
		__VA_ARGS__						\
	};								\
	const struct ktest_suite ktest_suite_##sname = {		\
		.name = #sname,						\
		.cases = ktest_cases_##sname,				\
		.count = ARRAY_SIZE(ktest_cases_##sname),		\
		.skip_if = (skipfn),					\
	};								\
	static const struct ktest_suite *ktest_suite_ptr_##sname	\
	__section_entry(".ktest_suites") __aligned(sizeof(void *)) =	\
		&ktest_suite_##sname

#define KTEST_SUITE(sname, ...) KTEST_SUITE_SKIP_IF(sname, NULL, __VA_ARGS__)

/*
 * Run every registered suite that matches the boot parameter ktest.filter
 * (a glob over "suite" or "suite.case"). Returns the number of failed
 * top-level results (0 = all passed or skipped).
 * Locking: boot CPU only, before other CPUs run tests of their own.
 */
unsigned int ktest_run_all(void);

/* Mark the running case skipped with @reason (a string literal). */
void ktest_skip(struct ktest *t, const char *reason);

/* Print a "# ..." diagnostic line at the current case's indentation. */
void ktest_diag(struct ktest *t, const char *fmt, ...) __printf(2, 3);

/* Record the outcome of a check; returns @ok. Used by the macros below. */
bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 const char *fmt, ...) __printf(5, 6);

#define KTEST_CHECK_(t, fatal, cond, ...)				\
	do {								\
		if (!ktest_check((t), (cond), __FILE__, __LINE__,	\
				 __VA_ARGS__) && (fatal))		\
			return;						\
	} while (0)

#define KTEST_BOOL_(t, fatal, cond)					\
	KTEST_CHECK_(t, fatal, !!(cond), "expected %s", #cond)

/* Integer comparison: both sides are evaluated once, shown in dec and hex. */
#define KTEST_CMP_(t, fatal, a, op, b)					\
	do {								\
		long long ka_ = (long long)(a);				\
		long long kb_ = (long long)(b);				\
		KTEST_CHECK_(t, fatal, ka_ op kb_,			\
			"expected %s %s %s, got %lld (%#llx) vs %lld (%#llx)", \
			#a, #op, #b, ka_, (unsigned long long)ka_,	\
			kb_, (unsigned long long)kb_);			\
	} while (0)

#define KTEST_PTR_(t, fatal, a, op, b)					\
	do {								\
		const void *ka_ = (a);					\
		const void *kb_ = (b);					\
		KTEST_CHECK_(t, fatal, ka_ op kb_,			\
			"expected %s %s %s, got %p vs %p",		\
			#a, #op, #b, ka_, kb_);				\
	} while (0)

#define KTEST_STR_(t, fatal, a, op, b)					\
	do {								\
		const char *ka_ = (a);					\
		const char *kb_ = (b);					\
		KTEST_CHECK_(t, fatal, ktest_strcmp_(ka_, kb_) op 0,	\
			"expected %s %s %s, got \"%s\" vs \"%s\"",	\
			#a, #op, #b, ka_ ? ka_ : "(null)",		\
			kb_ ? kb_ : "(null)");				\
	} while (0)

int ktest_strcmp_(const char *a, const char *b);	/* NULL-safe */

#define KEXPECT_TRUE(t, c)	KTEST_BOOL_(t, false, c)
#define KEXPECT_FALSE(t, c)	KTEST_BOOL_(t, false, !(c))
#define KEXPECT_EQ(t, a, b)	KTEST_CMP_(t, false, a, ==, b)
#define KEXPECT_NE(t, a, b)	KTEST_CMP_(t, false, a, !=, b)
#define KEXPECT_LT(t, a, b)	KTEST_CMP_(t, false, a, <, b)
#define KEXPECT_LE(t, a, b)	KTEST_CMP_(t, false, a, <=, b)
#define KEXPECT_GT(t, a, b)	KTEST_CMP_(t, false, a, >, b)
#define KEXPECT_GE(t, a, b)	KTEST_CMP_(t, false, a, >=, b)
#define KEXPECT_PTR_EQ(t, a, b)	KTEST_PTR_(t, false, a, ==, b)
#define KEXPECT_NULL(t, p)	KTEST_PTR_(t, false, p, ==, NULL)
#define KEXPECT_NOT_NULL(t, p)	KTEST_PTR_(t, false, p, !=, NULL)
#define KEXPECT_STREQ(t, a, b)	KTEST_STR_(t, false, a, ==, b)
#define KEXPECT_STRNE(t, a, b)	KTEST_STR_(t, false, a, !=, b)

#define KASSERT_TRUE(t, c)	KTEST_BOOL_(t, true, c)
#define KASSERT_FALSE(t, c)	KTEST_BOOL_(t, true, !(c))
#define KASSERT_EQ(t, a, b)	KTEST_CMP_(t, true, a, ==, b)
#define KASSERT_NE(t, a, b)	KTEST_CMP_(t, true, a, !=, b)
#define KASSERT_LT(t, a, b)	KTEST_CMP_(t, true, a, <, b)
#define KASSERT_LE(t, a, b)	KTEST_CMP_(t, true, a, <=, b)
#define KASSERT_GT(t, a, b)	KTEST_CMP_(t, true, a, >, b)
#define KASSERT_GE(t, a, b)	KTEST_CMP_(t, true, a, >=, b)
#define KASSERT_PTR_EQ(t, a, b)	KTEST_PTR_(t, true, a, ==, b)
#define KASSERT_NULL(t, p)	KTEST_PTR_(t, true, p, ==, NULL)
#define KASSERT_NOT_NULL(t, p)	KTEST_PTR_(t, true, p, !=, NULL)
#define KASSERT_STREQ(t, a, b)	KTEST_STR_(t, true, a, ==, b)

#endif
