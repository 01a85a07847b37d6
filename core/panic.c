/*
 * panic: the end of the line for a kernel bug. The message and a
 * frame-pointer backtrace go to the console, then the message again as a
 * TAP "Bail out!" at column 0, last, so prove stops with the reason in
 * view after everything else is out; the guest powers off with failure
 * status so the harness sees it too.
 */
#include <kern/arch.h>
#include <kern/backtrace.h>
#include <kern/panic.h>
#include <kern/printk.h>

static int panic_nesting;

/* Trace from @pc / @fp (pc 0: the chain from @fp only), then bail out. */
static __noreturn void vpanic(uintptr_t pc, uintptr_t fp, const char *fmt,
			      va_list ap)
{
	char msg[256];

	arch_irq_save();
	/* A panic inside panic (e.g. a fault while printing or walking the
	 * stack) must still stop. */
	if (__atomic_fetch_add(&panic_nesting, 1, __ATOMIC_SEQ_CST) > 0)
		arch_poweroff(1);
	console_break_lock();

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("panic: %s\n", msg);
	backtrace_print(pc, fp);
	console_printf("Bail out! panic on cpu%u: %s\n", arch_cpu_id(), msg);
	arch_poweroff(1);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* From panic's own frame record: its return address, in the
	 * caller, is the first line. */
	vpanic(0, backtrace_current_fp(), fmt, ap);
}

void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(pc, fp, fmt, ap);
}
