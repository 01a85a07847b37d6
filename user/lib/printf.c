/*
 * printf family on write(2). Formatting is core/vsnprintf.c, shared with
 * the kernel; this file only adds the buffer and the output side.
 */
#include <u/errno.h>
#include <u/printf.h>
#include <u/sys.h>

long write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

	while (left) {
		long r = sys_write(fd, p, left);

		if (r < 0)
			return r;
		/* A console that accepts nothing would loop forever. */
		if (r == 0)
			return -EIO;
		p += r;
		left -= (size_t)r;
	}
	return (long)len;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[PRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	return (int)write_all(fd, buf, len);
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}
