/*
 * Formatted output for user programs. The formatter is the kernel's
 * core/vsnprintf.c (C99 subset: flags - 0 + space #, width, precision,
 * hh h l ll z t j, d i u x X o c s p %; no floating point), compiled into
 * libu. printf and dprintf format into a stack buffer and issue a single
 * write(2), so lines from concurrent threads do not interleave.
 */
#ifndef U_PRINTF_H
#define U_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Longer output is cut to this many bytes minus one. */
#define PRINTF_BUF	1024

/* C99 semantics: returns the full length, writes at most @size - 1 + NUL. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Format and write to @fd (printf: fd 1). Returns the bytes written, or
 * -errno from write(2). Locking: none; one write per call.
 */
int vdprintf(int fd, const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write all @len bytes of @buf to @fd; returns @len or -errno. */
long write_all(int fd, const void *buf, size_t len);

#endif
