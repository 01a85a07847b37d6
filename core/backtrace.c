/*
 * The machine-independent frame-pointer walker (see <kern/backtrace.h>
 * for the frame record and the rules that keep it from faulting).
 */
#include <kern/backtrace.h>
#include <kern/compiler.h>
#include <kern/printk.h>

#define WORD	sizeof(uintptr_t)

/* Index of the range holding the whole record at @fp, or -1. */
static int record_range(uintptr_t fp, const struct stack_range *ranges,
			unsigned int nranges)
{
	for (unsigned int i = 0; i < nranges; i++)
		/* Subtractions, not fp + 2 * WORD: no overflow near the top of
		 * the address space. */
		if (fp >= ranges[i].lo && fp < ranges[i].hi &&
		    ranges[i].hi - fp >= 2 * WORD)
			return (int)i;
	return -1;
}

unsigned int backtrace_walk_ranges(uintptr_t fp,
				   const struct stack_range *ranges,
				   unsigned int nranges, uintptr_t *pcs,
				   unsigned int max)
{
	unsigned int n = 0;
	uintptr_t next, ret;

	if (max > BACKTRACE_MAX)
		max = BACKTRACE_MAX;
	while (n < max && fp != 0 && fp % WORD == 0 &&
	       record_range(fp, ranges, nranges) >= 0) {
		/* Volatile: another CPU's stack may be changing under a
		 * backtrace of it; read each word once, then check it. */
		next = READ_ONCE(((const uintptr_t *)fp)[0]);
		ret = READ_ONCE(((const uintptr_t *)fp)[1]);
		if (ret == 0)
			break;
		pcs[n++] = ret;
		/* Callers' records lie above: anything else is a loop or
		 * garbage (0 at the outermost frame ends it here too). */
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

unsigned int backtrace_walk(uintptr_t fp, uintptr_t *pcs, unsigned int max)
{
	struct stack_range ranges[STACK_RANGES_MAX];
	unsigned int n = arch_stack_bounds(ranges, STACK_RANGES_MAX);

	return backtrace_walk_ranges(fp, ranges, n, pcs, max);
}

void backtrace_print(uintptr_t pc, uintptr_t fp)
{
	uintptr_t pcs[BACKTRACE_MAX];
	unsigned int n = backtrace_walk(fp, pcs, BACKTRACE_MAX);

	printk("Call trace:\n");
	if (pc)
		printk("  0x%lx\n", (unsigned long)pc);
	for (unsigned int i = 0; i < n; i++)
		printk("  0x%lx\n", (unsigned long)pcs[i]);
	if (n == BACKTRACE_MAX)
		printk("  (stopped after %u frames)\n", BACKTRACE_MAX);
	else if (n == 0 && !pc)
		printk("  (no frame record at fp %#lx)\n", (unsigned long)fp);
}
