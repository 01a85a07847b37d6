/*
 * TLB batches: the one way page-table changes reach the TLBs.
 *
 *   struct tlb_batch b;
 *   tlb_batch_begin(&b, pm);
 *   pmap_remove(pm, va, len, &b);		   records VAs, defers tables
 *   pmap_remove_release(pm, va, len, &b);  ... and frame references
 *   tlb_batch_defer_free(&b, frame);	   the caller's own frames
 *   tlb_batch_end(&b);			   flush, then free
 *
 * tlb_batch_end invalidates what was recorded, locally (page by page up
 * to tlb_ceiling() pages, else the whole ASID) and on the other CPUs
 * through tlb_shootdown() in smp/, and only then frees the deferred frames: a
 * frame or table is never reused while a TLB or walk cache may still
 * reach it. A batch lives on the caller's stack and belongs to one pmap.
 *
 * Everything deferred hangs off one list, b->deferred: page tables and
 * frames to free (tlb_batch_defer_free), and the chunks holding frame
 * references to drop (tlb_batch_defer_put) beyond the few the batch keeps
 * inline. So one system call is one batch and one tlb_batch_end, however
 * many pages and VMAs it covers. The only exception: when no page can be
 * had for a new chunk, tlb_batch_defer_put flushes early (tlb_batch_flush)
 * and drops the inline references, so that call costs two rounds or more.
 */
#ifndef MM_TLB_BATCH_H
#define MM_TLB_BATCH_H

#include <kern/types.h>

struct page;
struct pmap;

/*
 * Why these sizes. A batch lives on the caller's stack and targets read
 * its ranges while it waits, so it stays small. One vm system call touches
 * one range per VMA it crosses, and 8 disjoint ones cover every call the
 * test programs and benchmarks make; a ninth makes the batch "full" (one
 * tag-wide flush), which is also what tlb.ceiling chooses for more than
 * 33 pages anyway, so the limit rarely changes what is flushed. 16 inline
 * frame references serve a small munmap without allocating a chunk.
 */
#define TLB_BATCH_MAX_RANGES	8	/* disjoint VA ranges remembered */
#define TLB_BATCH_INLINE_PUTS	16	/* frame references kept in the batch */

struct tlb_range {
	vaddr_t start;		/* first page */
	vaddr_t last;		/* last page (inclusive: the top page has no end) */
};

struct tlb_batch {
	struct pmap *pmap;
	bool full;		/* too much to list: flush the whole ASID */
	bool freed_tables;	/* page tables are among the deferred frames */
	unsigned int nranges;
	unsigned long npages;	/* pages covered by @ranges */
	struct tlb_range ranges[TLB_BATCH_MAX_RANGES];
	/* Freed after the flush, linked by ->next: page tables, frames, and
	 * the chunks of frame references of tlb_batch_defer_put. */
	struct page *deferred;
	struct page *put_chunk;	/* the chunk being filled, or NULL */
	unsigned int nput;	/* references in @put */
	struct page *put[TLB_BATCH_INLINE_PUTS];
};

/* Start an empty batch for changes to @pm. Locking: none (caller's stack). */
void tlb_batch_begin(struct tlb_batch *b, struct pmap *pm);

/*
 * Record that translations of [va, va + len) may be stale. Adjacent and
 * overlapping ranges merge; beyond TLB_BATCH_MAX_RANGES disjoint ranges
 * the batch degrades to a whole-ASID flush;
 * above tlb_ceiling() pages (tlb.ceiling) its flush does.
 * Locking: none (caller's stack). TLB: adds to batch.
 */
void tlb_batch_add(struct tlb_batch *b, vaddr_t va, size_t len);

/*
 * Call @flush(@tag, va) for every page @b's ranges cover, range by range
 * (b->npages calls; a full batch has no ranges to visit). For the by-VA
 * invalidations of every policy: mmu_tlb_flush_page_local or _broadcast.
 * Locking: none (reads @b). TLB: whatever @flush does.
 */
void tlb_batch_each_page(const struct tlb_batch *b, unsigned int tag,
			 void (*flush)(unsigned int tag, vaddr_t va));

/*
 * Free the allocation headed by @pg (its pmm order is in pg->order) only
 * after the flush. Page-table pages (PAGE_PTABLE) also mark the batch
 * freed_tables, which the SMP layer needs: CPUs in lazy-TLB mode must then
 * be flushed too, since their walk caches may still point at the table.
 * Locking: none. TLB: adds to batch.
 */
void tlb_batch_defer_free(struct tlb_batch *b, struct page *pg);

/*
 * Drop one reference of the order-0 frame @pg only after the flush, and
 * free it (mapcount 0 by then) if that was the last: for frames other
 * address spaces may map too (copy-on-write), whose page->next the batch
 * must not use. The first TLB_BATCH_INLINE_PUTS references stay in the
 * batch; more go into chunks (a page of pointers each, from the pmm)
 * linked on the deferred list. If no chunk can be had, the batch flushes
 * early (tlb_batch_flush) and drops the references it holds inline: the
 * one case of more than one shootdown round per batch. Cannot fail.
 * @pg may also be a shared page table (PAGE_PTABLE): the reference is
 * one pmap's share, and the last one releases the table
 * (pmap_table_release) and marks the batch freed_tables.
 * Locking: may be called with the pmap lock held, not a pmm zone lock.
 * TLB: adds to batch; flushes locally and remotely when out of memory.
 */
void tlb_batch_defer_put(struct tlb_batch *b, struct page *pg);

/*
 * Invalidate everything recorded so far, locally and remotely, and start
 * recording afresh; deferred frames stay deferred. For break-before-make,
 * where the invalid entry must be flushed before the new one is written.
 * Locking: may be called with the pmap lock held. TLB: tlb_shootdown()
 * (smp/), which flushes locally and remotely under the tlb= policy.
 */
void tlb_batch_flush(struct tlb_batch *b);

/*
 * Flush what was recorded (as tlb_batch_flush), then free the deferred
 * frames and page tables and drop the deferred references (freeing the
 * frames whose last one it was, and the chunks). The batch is empty
 * afterwards.
 * Locking: must not hold a pmm zone lock. TLB: flushes locally and remotely.
 */
void tlb_batch_end(struct tlb_batch *b);

/*
 * Invalidate @b's ranges in this CPU's TLB only (by VA up to
 * tlb_ceiling() pages, else the whole ASID; everything for a full kernel
 * batch). For the coherence layer's policies (smp/tlb_*.c), which call it
 * at the point their protocol needs it.
 * Locking: none. TLB: flushes locally.
 */
void tlb_batch_flush_local(const struct tlb_batch *b);

/* Per-CPU counters of what batches asked of the local TLB. */
struct tlb_batch_stats {
	unsigned long batches;		/* tlb_batch_end calls that flushed */
	unsigned long page_flushes;	/* mmu_tlb_flush_page_local calls */
	unsigned long asid_flushes;	/* mmu_tlb_flush_asid_local calls */
	unsigned long full_flushes;	/* mmu_tlb_flush_all_local calls */
	unsigned long frames_freed;	/* deferred frames freed after a flush
					 * (tables, and frames whose last
					 * deferred reference dropped) */
	unsigned long tables_freed;	/* of which page tables */
};

/* Copy CPU @cpu's counters. Locking: none (a racy snapshot). */
void tlb_batch_stats(unsigned int cpu, struct tlb_batch_stats *out);

#endif
