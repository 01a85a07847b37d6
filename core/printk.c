/*
 * Console output. Every call formats into one buffer under the console lock
 * and writes it out whole, so lines from different CPUs never interleave
 * mid-line. printk() prefixes each new line with "[cpuN] "; console_printf()
 * writes raw text for machine-read output (KTAP must start at column 0).
 */
#include <kern/arch.h>
#include <kern/printk.h>
#include <kern/spinlock.h>

#define CONSOLE_BUF_SIZE	1024

static struct spinlock console_lock = SPINLOCK_INIT("console");
static char console_buf[CONSOLE_BUF_SIZE];	/* guarded by console_lock */
static bool console_at_line_start = true;	/* guarded by console_lock */
static bool console_lock_broken;		/* set once by panic */

static unsigned long console_lock_acquire(void)
{
	if (READ_ONCE(console_lock_broken))
		return arch_irq_save();
	return spin_lock_irqsave(&console_lock);
}

static void console_lock_release(unsigned long flags)
{
	if (READ_ONCE(console_lock_broken))
		arch_irq_restore(flags);
	else
		spin_unlock_irqrestore(&console_lock, flags);
}

static void console_emit(const char *s, bool prefix)
{
	char tag[16];

	for (; *s; s++) {
		if (prefix && console_at_line_start) {
			snprintf(tag, sizeof(tag), "[cpu%u] ", arch_cpu_id());
			for (const char *p = tag; *p; p++)
				arch_console_putc(*p);
		}
		arch_console_putc(*s);
		console_at_line_start = (*s == '\n');
	}
}

static void console_vwrite(bool prefix, const char *fmt, va_list ap)
{
	unsigned long flags = console_lock_acquire();
	int n = vsnprintf(console_buf, sizeof(console_buf), fmt, ap);

	console_emit(console_buf, prefix);
	if (n >= (int)sizeof(console_buf))
		console_emit("[...truncated]\n", prefix);
	console_lock_release(flags);
}

void vprintk(const char *fmt, va_list ap)
{
	console_vwrite(true, fmt, ap);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vwrite(true, fmt, ap);
	va_end(ap);
}

void console_vprintf(const char *fmt, va_list ap)
{
	console_vwrite(false, fmt, ap);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vwrite(false, fmt, ap);
	va_end(ap);
}

void console_break_lock(void)
{
	/*
	 * The CPU that holds the lock may be the one panicking, or dead.
	 * From here on output may interleave; losing the panic message
	 * would be worse.
	 */
	WRITE_ONCE(console_lock_broken, true);
	if (!console_at_line_start) {
		arch_console_putc('\n');
		console_at_line_start = true;
	}
}
