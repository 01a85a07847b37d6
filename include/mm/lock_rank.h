/*
 * Spinlock ranks of the memory layer (<kern/spinlock.h>): a CPU may only
 * take a ranked lock above every ranked lock it holds. An address space's
 * lock is held across pmap changes, a pmap lock while page tables are
 * allocated, and the heap allocates slabs from the pmm, so the pmm's zone
 * locks are innermost.
 */
#ifndef MM_LOCK_RANK_H
#define MM_LOCK_RANK_H

#define MM_LOCK_RANK_VM		90
#define MM_LOCK_RANK_PMAP	100
#define MM_LOCK_RANK_KHEAP	110
#define MM_LOCK_RANK_PMM	120

#endif
