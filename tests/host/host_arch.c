/*
 * The arch contract (include/kern/arch.h) for a host process, so MI code
 * and its ktest suites run natively under the sanitizers.
 *
 * Traps are simulated the way a real handler behaves: the "instruction"
 * asks trap_expected() and, if nobody expected it, the report-and-panic
 * path runs. CPUs are simulated too: tests switch the CPU the process
 * runs as with host_cpu_set(), and the machine (RAM, MMU, TLBs) is
 * tests/host/sim/. Not built with host_rename.h: this file is the libc side.
 */
#define _GNU_SOURCE	/* pthread_getattr_np */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kern/arch.h>
#include <kern/backtrace.h>
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/panic.h>
#include <kern/printk.h>
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <sim/sim.h>

/* Per thread: ktest-host-smp runs simulated CPUs as threads. */
static __thread unsigned int host_cpu;

void arch_console_putc(char c)
{
	putchar(c);
}

unsigned int arch_cpu_id(void)
{
	return host_cpu;
}

void host_cpu_set(unsigned int cpu)
{
	if (cpu >= SIM_CPUS)
		abort();
	host_cpu = cpu;
}

/* Same exit-code convention as a guest (kern/arch.h): 3 = pass, 5 = fail. */
void arch_poweroff(int status)
{
	fflush(stdout);
	exit((int)(poweroff_exit_value(status ? 1 : 0) << 1) | 1);
}

/* The host thread's stack, as the kernel's walker sees a thread stack. */
unsigned int arch_stack_bounds(struct stack_range *r, unsigned int max)
{
	pthread_attr_t attr;
	void *lo;
	size_t size;

	if (max == 0 || pthread_getattr_np(pthread_self(), &attr) != 0)
		return 0;
	if (pthread_attr_getstack(&attr, &lo, &size) != 0)
		size = 0;
	pthread_attr_destroy(&attr);
	if (size == 0)
		return 0;
	r[0] = (struct stack_range){ (uintptr_t)lo, (uintptr_t)lo + size };
	return 1;
}

void arch_halt(void)
{
	fflush(stdout);
	abort();
}

/* Spinning threads yield: the host may have fewer cores than CPUs. */
void host_cpu_relax(void)
{
	sched_yield();
}

/* <kern/thread_md.h>'s clock (that header needs an arch's thread state). */
uint64_t arch_clock_ns(void);

uint64_t arch_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* mm/page.h's whole-page operations: libc's, on 4 KiB pages. */
void page_zero(void *va);
void page_copy(void *dst, const void *src);

void page_zero(void *va)
{
	memset(va, 0, 4096);
}

void page_copy(void *dst, const void *src)
{
	memcpy(dst, src, 4096);
}

unsigned long arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}

static void simulated_trap(enum trap_kind kind)
{
	if (!trap_expected(kind))
		panic("unhandled %s (simulated)", trap_kind_name(kind));
}

void arch_trap_breakpoint(void)
{
	simulated_trap(TRAP_BREAKPOINT);
}

void arch_trap_undefined(void)
{
	simulated_trap(TRAP_UNDEFINED);
}

/*
 * The host's boot: build the simulated machine (it does what an arch port
 * and mm_init do), then what kmain does that makes sense in a process:
 * command line, the suites, the verdict. There are no secondary CPUs to
 * start; simulated CPUs are threads the suites create themselves.
 */
int main(int argc, char **argv)
{
	static struct boot_info bi = { .boot_path = "host" };
	unsigned int failed;

	bi.cmdline = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	printk("tlbk: arch=host (ASan+UBSan) cmdline '%s'\n", bi.cmdline);
	cmdline_init(bi.cmdline);
	sim_machine_boot(&bi);
	failed = ktest_run_all();
	printk("tlbk: tests done, %u failed\n", failed);
	arch_poweroff(failed ? 1 : 0);
}
