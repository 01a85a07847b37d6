/*
 * The kernel's only accesses to user memory (<kern/thread_md.h>).
 *
 * arch_copy_user is a byte loop whose two memory instructions are the only
 * ones that may fault on a user address. A faulting instruction has no
 * architectural effect, its post-index writeback included (synchronous
 * aborts are precise: Arm ARM, "Exception entry"), so at either of them x2
 * still counts the byte being copied: the fault exit returns x2, the
 * exact number of bytes not copied. The loads and stores are the
 * privileged LDRB / STRB, not LDTRB / STTRB: either side may be the user
 * one, and with PAN off (as the contract wants) EL1 may access EL0 pages.
 */

#include <machine/trapframe.h>

	.text

/* size_t arch_copy_user(void *dst, const void *src, size_t n) */
	.globl	arch_copy_user
	.type	arch_copy_user, %function
arch_copy_user:
	cbz	x2, 2f
copy_user_load:
1:	ldrb	w3, [x1], #1
copy_user_store:
	strb	w3, [x0], #1
	subs	x2, x2, #1
	b.ne	1b
2:	mov	x0, xzr
	ret
copy_user_fault:
	mov	x0, x2
	ret
	.size	arch_copy_user, . - arch_copy_user

/*
 * bool arch_uaccess_fixup(struct trapframe *tf): if tf's ELR is one of the
 * two instructions above, resume at copy_user_fault instead of retrying.
 */
	.globl	arch_uaccess_fixup
	.type	arch_uaccess_fixup, %function
arch_uaccess_fixup:
	ldr	x1, [x0, #TF_ELR]
	adr	x2, copy_user_load
	cmp	x1, x2
	adr	x2, copy_user_store
	ccmp	x1, x2, #4, ne		/* equal to either: Z set */
	b.ne	3f
	adr	x2, copy_user_fault
	str	x2, [x0, #TF_ELR]
	mov	w0, #1
	ret
3:	mov	w0, #0
	ret
	.size	arch_uaccess_fixup, . - arch_uaccess_fixup
