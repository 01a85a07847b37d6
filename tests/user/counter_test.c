/*
 * The CPU's free-running counter read directly from user mode, as static
 * Linux programs do without a system call:
 *
 *   - aarch64: CNTFRQ_EL0 is nonzero and CNTVCT_EL0 readable at EL0
 *     (Linux sets CNTKCTL_EL1.EL0VCTEN); x86: RDTSC (CR4.TSD clear);
 *   - on every CPU of the affinity mask in turn (pinned with
 *     sched_setaffinity): the count never goes back in a tight loop,
 *     advances across a busy loop and across a 2 ms nanosleep, and
 *     carries on from where the previous CPU left it (one system counter);
 *   - aarch64: the counter's rate matches CLOCK_MONOTONIC;
 *   - aarch64: CNTPCT_EL0 (physical counter) and the CNTV / CNTP timer
 *     registers are not for EL0: a forked child reading one must die of
 *     SIGILL. Required on this kernel; elsewhere (a Linux kernel may
 *     emulate a CNTPCT_EL0 read, qemu-user answers it itself) a child that
 *     survives is reported as what it read, with a SKIP.
 */
#include <u/errno.h>
#include <u/ktap.h>
#include <u/proc.h>
#include <u/string.h>
#include <u/sys.h>

#define MAX_CPUS	64
#define TIGHT_READS	1000
#define BUSY_LOOPS	200000
#define SLEEP_MS	2
#define RATE_SLEEP_MS	50
#define SIGILL		4

static bool on_tlbk;

static void busy_loop(void)
{
	for (volatile unsigned int i = 0; i < BUSY_LOOPS; i++)
		;
}

#if defined(__aarch64__)
#define HAVE_FREQ	1

static inline unsigned long long read_counter(void)
{
	unsigned long long v;

	/* The ISB keeps the read from being performed early (Arm ARM,
	 * "Reading the counter"), as Linux's __arch_get_hw_counter does. */
	__asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
}

static unsigned long long read_freq(void)
{
	unsigned long long v;

	__asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* Children that touch one register EL0 may not: exit 0 if they survive. */
static int read_cntpct(long unused)
{
	unsigned long long v;

	__asm__ __volatile__("mrs %0, cntpct_el0" : "=r"(v) :: "memory");
	ktap_diag("child read cntpct_el0 = %llu", v);
	return 0;
}

static int read_cntv_ctl(long unused)
{
	unsigned long long v;

	__asm__ __volatile__("mrs %0, cntv_ctl_el0" : "=r"(v) :: "memory");
	ktap_diag("child read cntv_ctl_el0 = %#llx", v);
	return 0;
}

static int read_cntp_ctl(long unused)
{
	unsigned long long v;

	__asm__ __volatile__("mrs %0, cntp_ctl_el0" : "=r"(v) :: "memory");
	ktap_diag("child read cntp_ctl_el0 = %#llx", v);
	return 0;
}
#elif defined(__x86_64__) || defined(__i386__)
#define HAVE_FREQ	0

static inline unsigned long long read_counter(void)
{
	unsigned int lo, hi;

	/* LFENCE: RDTSC is not ordered with earlier instructions. */
	__asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (unsigned long long)hi << 32 | lo;
}

static unsigned long long read_freq(void)
{
	return 0;
}
#else
#error "counter_test: unknown architecture"
#endif

/* Is the counter non-decreasing over TIGHT_READS reads, starting >= @from? */
static bool tight_monotonic(unsigned long long from, unsigned long long *last)
{
	unsigned long long prev = from, v;

	for (int i = 0; i < TIGHT_READS; i++) {
		v = read_counter();
		if (v < prev) {
			ktap_diag("counter went back: %llu after %llu", v, prev);
			return false;
		}
		prev = v;
	}
	*last = prev;
	return true;
}

/*
 * On @cpu: reads never go back and start at or after @*carry (the last
 * value read on the previous CPU); a busy loop and a short sleep each
 * advance the count. Leaves the last value read in @*carry.
 */
static bool check_cpu(unsigned int cpu, unsigned long long *carry)
{
	unsigned long long a, b, c;

	if (proc_pin(cpu) != 0 || proc_cpu() != (long)cpu) {
		ktap_diag("cpu%u: could not run there (getcpu %ld)", cpu,
			  proc_cpu());
		return false;
	}
	if (!tight_monotonic(*carry, &a))
		return false;
	busy_loop();
	b = read_counter();
	proc_sleep_ms(SLEEP_MS);
	c = read_counter();
	*carry = c;
	if (b <= a || c <= b) {
		ktap_diag("cpu%u: counter %llu, after a busy loop %llu, "
			  "after %d ms asleep %llu", cpu, a, b, SLEEP_MS, c);
		return false;
	}
	return true;
}

/* The counter's ticks over a sleep, in ns, against CLOCK_MONOTONIC's. */
static void check_rate(unsigned long long freq)
{
	long long t0, t1, clock_ns, counter_ns;
	unsigned long long c0, c1;

	if (!HAVE_FREQ || freq == 0) {
		ktap_skip("x86 has no architectural TSC frequency register",
			  "counter_rate_matches_clock");
		return;
	}
	t0 = proc_now_ns();
	c0 = read_counter();
	proc_sleep_ms(RATE_SLEEP_MS);
	c1 = read_counter();
	t1 = proc_now_ns();
	clock_ns = t1 - t0;
	counter_ns = (long long)((c1 - c0) / freq * 1000000000ULL +
				 (c1 - c0) % freq * 1000000000ULL / freq);
	ktap_diag("over a %d ms sleep: counter %lld ns, CLOCK_MONOTONIC %lld ns",
		  RATE_SLEEP_MS, counter_ns, clock_ns);
	/* The counter ran inside the clock's interval; both saw the sleep. */
	ktap_ok(counter_ns >= RATE_SLEEP_MS * 1000000LL &&
		counter_ns <= clock_ns + 1000000LL,
		"counter_rate_matches_clock");
}

#if defined(__aarch64__)
/* A child touching @what must die of SIGILL (on this kernel: required). */
static void check_trap(int (*fn)(long), const char *what, const char *name)
{
	long st = proc_reap(proc_spawn(fn, 0));

	if (proc_killed_by(st, SIGILL)) {
		ktap_ok(true, "%s", name);
		return;
	}
	ktap_diag("%s from EL0: wait status %#lx", what, st);
	if (!on_tlbk && proc_exited_with(st, 0)) {
		ktap_skip("this Linux (or qemu-user) lets EL0 read it", "%s",
			  name);
		return;
	}
	ktap_ok(false, "%s", name);
}

static void check_traps(void)
{
	check_trap(read_cntpct, "cntpct_el0", "physical_counter_traps");
	check_trap(read_cntv_ctl, "cntv_ctl_el0", "virtual_timer_traps");
	check_trap(read_cntp_ctl, "cntp_ctl_el0", "physical_timer_traps");
}
#else
static void check_traps(void)
{
	static const char *const names[] = { "physical_counter_traps",
		"virtual_timer_traps", "physical_timer_traps" };

	for (unsigned int i = 0; i < 3; i++)
		ktap_skip("x86: no EL0 counter/timer register split", "%s",
			  names[i]);
}
#endif

int main(void)
{
	unsigned int cpus[MAX_CPUS];
	unsigned long long freq, carry = 0;
	struct utsname u;
	int n;

	on_tlbk = sys_uname(&u) == 0 && strcmp(u.sysname, "tlbk") == 0;
	n = proc_cpus(cpus, MAX_CPUS);
	if (n <= 0)
		ktap_bail("sched_getaffinity: %d", n);
	ktap_plan(5 + (unsigned int)n);
	freq = read_freq();
	if (HAVE_FREQ) {
		ktap_diag("counter frequency %llu Hz", freq);
		ktap_ok(freq != 0, "frequency_nonzero");
	} else {
		ktap_skip("x86 has no architectural TSC frequency register",
			  "frequency_nonzero");
	}
	for (int i = 0; i < n; i++)
		ktap_ok(check_cpu(cpus[i], &carry), "counter_advances_cpu%u",
			cpus[i]);
	/* Back to every CPU, for the children that follow. */
	check_rate(freq);
	check_traps();
	return ktap_finish();
}
