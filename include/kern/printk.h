/* Kernel console output and string formatting. */
#ifndef KERN_PRINTK_H
#define KERN_PRINTK_H

#include <kern/compiler.h>
#include <kern/types.h>

/*
 * Format into @buf (at most @size bytes, always NUL-terminated when size > 0).
 * Returns the length the full output would have had, like C99 vsnprintf.
 * Supports %d %i %u %x %X %o %c %s %p %% with flags "-0+ #", width,
 * precision, '*', and the length modifiers hh h l ll z t j.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Print to the console with a "[cpuN] " prefix at the start of every line.
 * Whole calls are atomic with respect to other CPUs.
 * Locking: takes the console lock with interrupts off; safe from any context
 * except while the console lock is held by this CPU (panic breaks it).
 */
void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);

/*
 * Print without the CPU prefix: for machine-read output (KTAP) that must
 * start at column 0. Same locking as printk.
 */
void console_printf(const char *fmt, ...) __printf(1, 2);
void console_vprintf(const char *fmt, va_list ap);

/*
 * Take the console away from whoever holds it, for panic: another CPU may
 * have died holding the lock. Never returns the lock.
 */
void console_break_lock(void);

#endif
