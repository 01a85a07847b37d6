/*
 * struct arch_thread for both x86 modes (inside the MI struct thread, see
 * <kern/thread_md.h>): the kernel stack pointer saved by a context switch
 * and the thread's user x87/SSE state. The kernel itself never touches
 * FP/SIMD registers (built -mno-sse -mno-80387), so while a thread runs in
 * the kernel its registers still hold its user state, and
 * arch_thread_switch() saves and restores them eagerly.
 * Mirrored as AT_* in thread.inc.
 */
#ifndef MACHINE_THREAD_H
#define MACHINE_THREAD_H

#include <kern/compiler.h>
#include <kern/types.h>

/*
 * The FXSAVE image is 512 bytes and must be 16-byte aligned (SDM vol. 2A
 * "FXSAVE"); without FXSR the same buffer holds the 108-byte FNSAVE image
 * (SDM vol. 1 8.1.10, figure 8-9).
 */
#define X86_FPU_AREA_SIZE	512

struct arch_thread {
	uintptr_t sp;		/* kernel stack pointer while switched away */
	uint8_t fpu[X86_FPU_AREA_SIZE] __aligned(16);
	uintptr_t tls_base;	/* x86_64 user FS base; 0 on i686 */
#ifdef __i386__
	uint64_t tls[3];	/* i686 GDT TLS descriptors (GDT_TLS_MIN..) */
#endif
};

struct thread;

/*
 * Make @next's user thread pointer the CPU's (x86_64: FS base MSR; i686:
 * its TLS descriptors into this CPU's GDT). Interrupts disabled.
 */
void x86_tls_switch(const struct thread *prev, const struct thread *next);

/* Copy the calling thread's TLS state into @child (fork and clone). */
void x86_tls_copy(struct thread *child);

#define AT_SP		0
#define AT_FPU		16

#endif
