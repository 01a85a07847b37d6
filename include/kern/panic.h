/* Fatal kernel errors. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include <kern/compiler.h>

/*
 * A kernel bug: print "Bail out! panic: <message>" at column 0 (so prove
 * stops with the reason), then power off with failure status. Never returns.
 * Locking: breaks the console lock; callable from any context.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__,	\
			      __LINE__);				\
	} while (0)

#endif
