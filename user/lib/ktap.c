/*
 * KTAP version 1 output for user test programs (see <u/ktap.h>).
 */
#include <u/ktap.h>
#include <u/printf.h>
#include <u/sys.h>

/* Room for a result's description; longer ones are cut, never overrun. */
#define KTAP_DESC	200

static unsigned int ktap_planned;
static unsigned int ktap_next;		/* results reported so far */
static unsigned int ktap_failed;

void ktap_plan(unsigned int n)
{
	ktap_planned = n;
	printf("KTAP version 1\n1..%u\n", n);
}

/* Number the result and print it: one write, so threads cannot split it. */
static void ktap_result(bool ok, const char *skip, const char *fmt,
			va_list ap)
{
	char desc[KTAP_DESC];
	unsigned int num = __atomic_add_fetch(&ktap_next, 1, __ATOMIC_RELAXED);

	vsnprintf(desc, sizeof(desc), fmt, ap);
	if (!ok)
		__atomic_add_fetch(&ktap_failed, 1, __ATOMIC_RELAXED);
	printf("%sok %u %s%s%s\n", ok ? "" : "not ", num, desc,
	       skip ? " # SKIP " : "", skip ? skip : "");
}

bool ktap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_result(cond, NULL, fmt, ap);
	va_end(ap);
	return cond;
}

bool ktap_eq(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	if (got != want)
		printf("# got %lld (%#llx), want %lld\n", got,
		       (unsigned long long)got, want);
	va_start(ap, fmt);
	ktap_result(got == want, NULL, fmt, ap);
	va_end(ap);
	return got == want;
}

void ktap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_result(true, reason, fmt, ap);
	va_end(ap);
}

void ktap_diag(const char *fmt, ...)
{
	char line[PRINTF_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("# %s\n", line);
}

_Noreturn void ktap_bail(const char *fmt, ...)
{
	char line[PRINTF_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("Bail out! %s\n", line);
	sys_exit_group(2);
}

int ktap_finish(void)
{
	unsigned int ran = __atomic_load_n(&ktap_next, __ATOMIC_RELAXED);
	unsigned int failed = __atomic_load_n(&ktap_failed, __ATOMIC_RELAXED);

	if (ran != ktap_planned) {
		ktap_diag("planned %u results, reported %u", ktap_planned, ran);
		return 1;
	}
	if (failed) {
		ktap_diag("%u of %u failed", failed, ran);
		return 1;
	}
	return 0;
}
