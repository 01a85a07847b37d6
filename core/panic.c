/*
 * panic: the end of the line for a kernel bug. The message goes out as a
 * TAP "Bail out!" at column 0 so prove stops with the reason in view, and
 * the guest powers off with failure status so the harness sees it too.
 */
#include <kern/arch.h>
#include <kern/panic.h>
#include <kern/printk.h>

static int panic_nesting;

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	arch_irq_save();
	/* A panic inside panic (e.g. a fault while printing) must still stop. */
	if (__atomic_fetch_add(&panic_nesting, 1, __ATOMIC_SEQ_CST) > 0)
		arch_poweroff(1);
	console_break_lock();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	console_printf("Bail out! panic on cpu%u: %s\n", arch_cpu_id(), msg);
	arch_poweroff(1);
}
