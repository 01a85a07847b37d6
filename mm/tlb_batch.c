/*
 * TLB batches: collect the VAs whose translations a pmap change made
 * stale, flush them once, and free the frames those translations reached
 * only after the flush (unhook, invalidate, free).
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
	pg->next = b->deferred;
	b->deferred = pg;
}

/* Kernel leaves are global, and a by-ASID flush leaves global entries
 * alone: a full kernel flush must drop everything. */
void tlb_batch_flush_local(const struct tlb_batch *b)
{
	struct tlb_batch_stats *st = local_stats();
	unsigned int asid = b->pmap->asid;

	bool full = b->full || b->npages > tlb_ceiling();

	if (full && b->pmap->kernel) {
		mmu_tlb_flush_all_local();
		st->full_flushes++;
		return;
	}
	if (full) {
		mmu_tlb_flush_asid_local(asid);
		st->asid_flushes++;
		return;
	}
	for (unsigned int i = 0; i < b->nranges; i++) {
		const struct tlb_range *r = &b->ranges[i];

		for (vaddr_t va = r->start;; va += PAGE_SIZE) {
			mmu_tlb_flush_page_local(asid, va);
			st->page_flushes++;
			if (va == r->last)
				break;
		}
	}
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
	tlb_batch_flush(b);
	/* Every TLB that could reach these frames is clean: reuse is safe. */
	while ((pg = b->deferred) != NULL) {
		b->deferred = pg->next;
		pg->next = NULL;
		if (pg->flags & PAGE_PTABLE)
			st->tables_freed++;
		st->frames_freed++;
		pmm_free(pg, pg->order);
	}
	b->freed_tables = false;
}

void tlb_batch_stats(unsigned int cpu, struct tlb_batch_stats *out)
{
	*out = cpu < MAX_CPUS ? stats[cpu] : (struct tlb_batch_stats){ 0 };
}
