/*
 * The kernel heap: power-of-two size classes from 16 to 2048 bytes carved
 * out of single-page slabs, and larger requests served as whole buddy
 * blocks. All memory is direct-mapped. Allocation never panics: NULL means
 * no memory (or fault injection), and the caller handles it.
 */
#ifndef MM_KHEAP_H
#define MM_KHEAP_H

#include <kern/types.h>

#define KHEAP_MIN_SIZE		16
#define KHEAP_MAX_SLAB_SIZE	2048
#define KHEAP_NR_CLASSES	8	/* 16, 32, ..., 2048 */

/*
 * @size bytes aligned to the size class (to the page for large blocks), or
 * NULL for size 0, a size beyond the largest buddy block, or no memory.
 * Locking: a per-class spinlock with interrupts off, then the pmm's.
 */
void *kmalloc(size_t size);

/* kmalloc() and zero the @size bytes. Same failure and locking rules. */
void *kzalloc(size_t size);

/* Free @p from kmalloc (NULL is ignored). Panics on a pointer the heap
 * never handed out. An emptied slab goes back to the pmm at once, so
 * pmm_free_count() sees every leak. Locking: as kmalloc. */
void kfree(void *p);

/* Bytes usable at @p (its size class, or the large block's size). */
size_t kheap_size(const void *p);

struct kheap_stats {
	unsigned long objects;		/* slab objects in use */
	unsigned long slabs;		/* slab pages held */
	unsigned long large_blocks;	/* large allocations in use */
	unsigned long large_pages;	/* pages they hold */
	unsigned long failures;		/* kmalloc calls that returned NULL */
};

/* Totals over every class. Locking: each class lock in turn. */
void kheap_stats(struct kheap_stats *out);

/* Print one line per size class and the large blocks via printk. */
void kheap_dump_stats(void);

/* Make the @n-th kmalloc/kzalloc from now return NULL, once; 0 disarms.
 * See <mm/fault_inject.h>. */
void kheap_fault_inject_nth(unsigned long n);
bool kheap_fault_inject_fired(void);

#endif
