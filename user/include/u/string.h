/*
 * Memory and string functions for user programs. The implementation is the
 * kernel's core/string.c, compiled into libu, and so is the declaration:
 * one freestanding copy for both sides. The compiler emits calls to
 * memcpy, memmove, memset and memcmp on its own.
 */
#ifndef U_STRING_H
#define U_STRING_H

#include <kern/string.h>

#endif
