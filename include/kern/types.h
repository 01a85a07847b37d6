/* Fixed-width and kernel-wide scalar types (freestanding: no libc). */
#ifndef KERN_TYPES_H
#define KERN_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;	/* physical address: 64-bit on every arch (i686 PAE) */
typedef uintptr_t vaddr_t;	/* kernel or user virtual address */
typedef intptr_t ssize_t;

#endif
