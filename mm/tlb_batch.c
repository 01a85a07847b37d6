/*
 * TLB batches: collect the VAs whose translations a pmap change made
 * stale, flush them once, and free the frames those translations reached
 * only after the flush (unhook, invalidate, free).
 *
 * The deferred list (page->next) holds what the batch frees outright:
 * page tables, callers' frames, and the chunks of frame references. A
 * frame another address space may map is never linked through its own
 * page->next (both spaces may be unmapping it at once, each with its own
 * batch): its reference goes in b->put, then in chunks, pages of
 * pointers that the batch owns. A chunk is told from the other deferred
 * pages by its ->prev pointing at itself (page.h gives a deferred page's
 * ->next and ->prev to the batch); its ->count is the number of
 * references it holds.
 */
#include <kern/arch.h>
#include <kern/compiler.h>
#include <kern/panic.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <mm/tlb_batch.h>
#include <smp/tlb.h>

static struct tlb_batch_stats stats[MAX_CPUS];

static struct tlb_batch_stats *local_stats(void)
{
	unsigned int cpu = arch_cpu_id();

	if (cpu >= MAX_CPUS)
		panic("tlb_batch: cpu%u >= MAX_CPUS", cpu);
	return &stats[cpu];
}

void tlb_batch_begin(struct tlb_batch *b, struct pmap *pm)
{
	b->pmap = pm;
	b->full = false;
	b->freed_tables = false;
	b->nranges = 0;
	b->npages = 0;
	b->deferred = NULL;
	b->put_chunk = NULL;
	b->nput = 0;
}

static unsigned long range_pages(const struct tlb_range *r)
{
	return (unsigned long)((r->last - r->start) >> PAGE_SHIFT) + 1;
}

/* Do page ranges @r and [start, last] overlap or touch? Written without
 * "+ PAGE_SIZE" so the top page of the address space cannot wrap. */
static bool touches(const struct tlb_range *r, vaddr_t start, vaddr_t last)
{
	if (start > r->last)
		return start - r->last == PAGE_SIZE;
	if (r->start > last)
		return r->start - last == PAGE_SIZE;
	return true;
}

void tlb_batch_add(struct tlb_batch *b, vaddr_t va, size_t len)
{
	vaddr_t start = ALIGN_DOWN(va, PAGE_SIZE);
	vaddr_t last = ALIGN_DOWN(va + len - 1, PAGE_SIZE);
	struct tlb_range *r = b->nranges ? &b->ranges[b->nranges - 1] : NULL;

	if (b->full || len == 0)
		return;
	/* pmap walks add pages in ascending order: one range usually grows. */
	if (r && touches(r, start, last)) {
		b->npages -= range_pages(r);
		r->start = MIN(r->start, start);
		r->last = MAX(r->last, last);
	} else if (b->nranges == TLB_BATCH_MAX_RANGES) {
		b->full = true;
		return;
	} else {
		r = &b->ranges[b->nranges++];
		*r = (struct tlb_range){ start, last };
	}
	/* How many pages is too many to flush one by one is the coherence
	 * layer's call (tlb.ceiling), made when the batch is flushed. */
	b->npages += range_pages(r);
}

void tlb_batch_defer_free(struct tlb_batch *b, struct page *pg)
{
	if (pg->flags & PAGE_PTABLE)
		b->freed_tables = true;
	pg->prev = NULL;
	pg->next = b->deferred;
	b->deferred = pg;
}

#define PUTS_PER_CHUNK	(PAGE_SIZE / sizeof(struct page *))
_Static_assert(PUTS_PER_CHUNK <= 0xffff, "a chunk counts in page->count");

static bool is_put_chunk(const struct page *pg)
{
	return pg->prev == pg;
}

static struct page **chunk_slots(struct page *chunk)
{
	return page_to_virt(chunk);
}

/* Drop the @n references in @put; free the frames whose last they were. */
static void drop_puts(struct page **put, unsigned int n,
		      struct tlb_batch_stats *st)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!page_ref_put(put[i]))
			continue;
		st->frames_freed++;
		if (put[i]->flags & PAGE_PTABLE) {
			/* The last share of a shared page table. */
			st->tables_freed++;
			st->frames_freed += pmap_table_release(put[i]);
			continue;
		}
		pmm_free(put[i], 0);
	}
}

/* A new empty chunk on @b's deferred list, or false if the pmm has none. */
static bool new_put_chunk(struct tlb_batch *b)
{
	/* Direct-mapped: the references are written through its kernel VA. */
	struct page *c = pmm_alloc(0, PMM_DIRECT);

	if (!c)
		return false;
	c->prev = c;
	c->count = 0;
	c->next = b->deferred;
	b->deferred = c;
	b->put_chunk = c;
	return true;
}

void tlb_batch_defer_put(struct tlb_batch *b, struct page *pg)
{
	struct page *c = b->put_chunk;

	/* A shared table's last share frees it: lazy CPUs' walk caches
	 * must go too (as tlb_batch_defer_free). */
	if (pg->flags & PAGE_PTABLE)
		b->freed_tables = true;
	if (b->nput < TLB_BATCH_INLINE_PUTS) {
		b->put[b->nput++] = pg;
		return;
	}
	if ((!c || c->count == PUTS_PER_CHUNK) && !new_put_chunk(b)) {
		/* Out of memory: make every reference held so far safe to
		 * drop by flushing now (a second round for this batch), and
		 * free the inline slots. @pg's own entry may not be in the
		 * batch yet, so it waits for the next flush. */
		tlb_batch_flush(b);
		drop_puts(b->put, b->nput, local_stats());
		b->nput = 0;
		b->put[b->nput++] = pg;
		return;
	}
	c = b->put_chunk;
	chunk_slots(c)[c->count++] = pg;
}

void tlb_batch_each_page(const struct tlb_batch *b, unsigned int tag,
			 void (*flush)(unsigned int tag, vaddr_t va))
{
	for (unsigned int i = 0; i < b->nranges; i++) {
		const struct tlb_range *r = &b->ranges[i];

		/* last is inclusive: the top page of the VA space has no end. */
		for (vaddr_t va = r->start;; va += PAGE_SIZE) {
			flush(tag, va);
			if (va == r->last)
				break;
		}
	}
}

static void flush_local(const struct tlb_batch *b, unsigned int tag)
{
	struct tlb_batch_stats *st = local_stats();
	bool full = b->full || b->npages > tlb_ceiling();

	if (full && b->pmap->kernel) {
		mmu_tlb_flush_all_local();
		st->full_flushes++;
		return;
	}
	if (full) {
		mmu_tlb_flush_asid_local(tag);
		st->asid_flushes++;
		return;
	}
	tlb_batch_each_page(b, tag, mmu_tlb_flush_page_local);
	st->page_flushes += b->npages;
}

/* Kernel leaves are global, and a by-ASID flush leaves global entries
 * alone: a full kernel flush must drop everything. Interrupts off: the
 * tag is this CPU's name for the space until the next switch here. */
void tlb_batch_flush_local(const struct tlb_batch *b)
{
	unsigned long irq = arch_irq_save();

	flush_local(b, tlb_tag_here(b->pmap));
	arch_irq_restore(irq);
}

static bool batch_pending(const struct tlb_batch *b)
{
	return b->full || b->nranges != 0;
}

void tlb_batch_flush(struct tlb_batch *b)
{
	if (!batch_pending(b))
		return;
	/* The entry stores that made these translations stale must reach
	 * the walkers before the invalidation, or a walk between the two
	 * could refill the TLB with the old entry. */
	mmu_pte_publish();
	tlb_shootdown(b);
	b->full = false;
	b->nranges = 0;
	b->npages = 0;
}

void tlb_batch_end(struct tlb_batch *b)
{
	struct tlb_batch_stats *st = local_stats();
	struct page *pg;

	if (batch_pending(b))
		st->batches++;
	if (!tlb_bug_early_free)
		tlb_batch_flush(b);
	/* Every TLB that could reach these frames is clean: reuse is safe,
	 * and a copy-on-write partner may now see its frame unshared. */
	drop_puts(b->put, b->nput, st);
	b->nput = 0;
	while ((pg = b->deferred) != NULL) {
		b->deferred = pg->next;
		pg->next = NULL;
		if (is_put_chunk(pg)) {
			/* The batch's own bookkeeping: not counted as freed. */
			drop_puts(chunk_slots(pg), pg->count, st);
			pg->prev = NULL;
			pg->count = 0;
			pmm_free(pg, 0);
			continue;
		}
		if (pg->flags & PAGE_PTABLE)
			st->tables_freed++;
		st->frames_freed++;
		pmm_free(pg, pg->order);
	}
	if (tlb_bug_early_free)
		tlb_batch_flush(b);	/* self-check: the frames went first */
	b->put_chunk = NULL;
	b->freed_tables = false;
}

void tlb_batch_stats(unsigned int cpu, struct tlb_batch_stats *out)
{
	*out = cpu < MAX_CPUS ? stats[cpu] : (struct tlb_batch_stats){ 0 };
}
