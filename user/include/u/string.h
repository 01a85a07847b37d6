/*
 * Memory and string functions for user programs. The implementation is the
 * kernel's core/string.c, compiled into libu: one freestanding copy for
 * both sides. The compiler emits calls to the first four on its own.
 */
#ifndef U_STRING_H
#define U_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copy, truncating; NUL-terminated if @size > 0. Returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
