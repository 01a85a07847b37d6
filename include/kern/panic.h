/* Fatal kernel errors. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include <kern/compiler.h>
#include <kern/types.h>

/*
 * A kernel bug: print "panic: <message>", a frame-pointer backtrace of the
 * caller ("Call trace:", <kern/backtrace.h>), then "Bail out! panic on
 * cpuN: <message>" at column 0 (so prove stops with the reason), then power
 * off with failure status. Never returns.
 * Locking: breaks the console lock; callable from any context.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/*
 * As panic(), for an unhandled kernel trap: the backtrace starts at the
 * trapped instruction @pc and the trapped code's frame pointer @fp (from
 * the trap frame), not in the trap handler.
 */
__noreturn void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...)
	__printf(3, 4);

#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__,	\
			      __LINE__);				\
	} while (0)

#endif
