/*
 * Frame-pointer backtraces for panics and kernel traps.
 *
 * The kernel is built with -fno-omit-frame-pointer (and, where the
 * compiler has it, -mno-omit-leaf-frame-pointer), so every C function
 * keeps a frame record at its frame pointer. On all three arches the
 * record is two words, lowest address first: the caller's frame pointer,
 * then the return address (x86: push rbp/ebp after the call pushed the
 * return address; aarch64: stp x29, x30 with x29 pointing at the pair).
 *
 * The walker follows saved frame pointers only while they stay inside a
 * known stack (arch_stack_bounds()), word aligned and strictly increasing
 * (stacks grow down, so each caller's record is above its callee's), for
 * at most BACKTRACE_MAX frames: a corrupt or hostile frame pointer ends
 * the trace, it never makes the walker read unmapped memory or loop.
 */
#ifndef KERN_BACKTRACE_H
#define KERN_BACKTRACE_H

#include <kern/types.h>

#define BACKTRACE_MAX	32

/* One stack, [lo, hi): every byte of it is mapped kernel memory. */
struct stack_range {
	uintptr_t lo;
	uintptr_t hi;
};

/* The most ranges arch_stack_bounds() may report. */
#define STACK_RANGES_MAX	8

/*
 * MD: store in @r (room for @max) the stacks the calling CPU may be
 * running on, and return how many: the current thread's kernel stack, the
 * CPU's own stack, the boot stack, exception stacks (x86 IST / double
 * fault). Only ranges that are mapped in full. Locking: none; reads
 * per-CPU state only, callable from panic and trap context.
 */
unsigned int arch_stack_bounds(struct stack_range *r, unsigned int max);

/*
 * Follow the frame-record chain from frame pointer @fp through @ranges
 * (@nranges of them), storing each return address in @pcs (room for @max,
 * at most BACKTRACE_MAX are used). Stops at a NULL fp, a record not wholly
 * inside one range, a misaligned fp, a saved fp not above the current one,
 * a zero return address, or the limit. Returns the number stored.
 * Never dereferences memory outside @ranges. Locking: none.
 */
unsigned int backtrace_walk_ranges(uintptr_t fp,
				   const struct stack_range *ranges,
				   unsigned int nranges, uintptr_t *pcs,
				   unsigned int max);

/* backtrace_walk_ranges() over this CPU's arch_stack_bounds(). */
unsigned int backtrace_walk(uintptr_t fp, uintptr_t *pcs, unsigned int max);

/*
 * Print "Call trace:" and then one line per frame holding only a kernel
 * text address as 0x%lx (what a host symbolizer looks for): @pc first
 * when nonzero (the trapping instruction), then the return addresses of
 * the chain from @fp. Locking: printk's; the panic path breaks the
 * console lock before calling it.
 */
void backtrace_print(uintptr_t pc, uintptr_t fp);

/* The calling function's frame pointer, for backtrace_walk(). */
#define backtrace_current_fp()	((uintptr_t)__builtin_frame_address(0))

#endif
