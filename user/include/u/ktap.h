/*
 * KTAP version 1 for user test programs, the format the in-kernel suites
 * print, read by prove as TAP:
 *
 *   KTAP version 1
 *   1..3
 *   ok 1 getpid_positive
 *   # got -22, want -14
 *   not ok 2 write_bad_pointer
 *   ok 3 getcpu # SKIP no second CPU
 *
 *   int main(void)
 *   {
 *           ktap_plan(2);
 *           ktap_ok(sys_getpid() > 0, "getpid_positive");
 *           ktap_eq(sys_munmap((void *)1, 4096), -EINVAL, "munmap_unaligned");
 *           return ktap_finish();
 *   }
 *
 * Each line is one write(2). Locking: results may come from any thread
 * (numbers are taken atomically), but a test's lines are only in order if
 * one thread reports.
 */
#ifndef U_KTAP_H
#define U_KTAP_H

#include <stdbool.h>

#define KTAP_FMT(f, a)	__attribute__((format(printf, f, a)))

/* Print the header and the plan: @n results will follow. */
void ktap_plan(unsigned int n);

/* Report the next result, passed iff @cond; returns @cond. */
bool ktap_ok(bool cond, const char *fmt, ...) KTAP_FMT(2, 3);

/* As ktap_ok(got == want), printing both values as a diagnostic on failure. */
bool ktap_eq(long long got, long long want, const char *fmt, ...)
	KTAP_FMT(3, 4);

/* Report the next result as skipped for @reason. */
void ktap_skip(const char *reason, const char *fmt, ...) KTAP_FMT(2, 3);

/* Print a "# ..." diagnostic line. */
void ktap_diag(const char *fmt, ...) KTAP_FMT(1, 2);

/* Print "Bail out! ..." and exit the process with status 2. */
_Noreturn void ktap_bail(const char *fmt, ...) KTAP_FMT(1, 2);

/*
 * The exit status for main: 0 if exactly the planned number of results
 * were reported and none failed, else 1 (with a diagnostic saying why).
 */
int ktap_finish(void);

#endif
