/* The freestanding subset of <string.h> the kernel uses (core/string.c). */
#ifndef KERN_STRING_H
#define KERN_STRING_H

#include <kern/types.h>

/* The C library's contracts (C11 7.24); none of them can fail. memcpy's
 * regions must not overlap, memmove's may. Locking: none. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Shell-style glob match of @str against @pat: '*' any run, '?' one byte,
 * everything else literal. Used by ktest.filter.
 */
bool glob_match(const char *pat, const char *str);

#endif
