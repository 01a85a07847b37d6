/*
 * i686 thread-local storage: set_thread_area(2) / get_thread_area(2) and
 * CLONE_SETTLS with a struct user_desc, as Linux i386 defines them
 * (arch/x86/kernel/tls.c). Each thread owns GDT_TLS_ENTRIES descriptors
 * (struct arch_thread.tls); x86_tls_switch() writes them into the CPU's
 * GDT on every switch, and the user's segment registers are reloaded from
 * the GDT by the return to user mode (vectors.asm), so a change takes
 * effect at the next return.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/string.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <kern/uaccess.h>
#include <machine/gdt.h>
#include <machine/x86_trap.h>
#include <machine/x86_desc.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>

/* Linux's struct user_desc (asm/ldt.h), 16 bytes on i386. */
struct user_desc {
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t seg_32bit:1;
	uint32_t contents:2;
	uint32_t read_exec_only:1;
	uint32_t limit_in_pages:1;
	uint32_t seg_not_present:1;
	uint32_t useable:1;
};

#define DESC_TYPE_SHIFT	40
#define DESC_S		(1ULL << 44)
#define DESC_DPL3	(3ULL << 45)
#define DESC_P		(1ULL << 47)
#define DESC_AVL	(1ULL << 52)
#define DESC_DB		(1ULL << 54)
#define DESC_G		(1ULL << 55)

/* Linux's LDT_empty / LDT_zero: both mean "clear the slot". */
static bool desc_clears(const struct user_desc *u)
{
	bool zero = !u->base_addr && !u->limit && !u->contents &&
		    !u->seg_32bit && !u->limit_in_pages && !u->useable;

	return zero && ((u->read_exec_only && u->seg_not_present) ||
			(!u->read_exec_only && !u->seg_not_present));
}

/*
 * Linux's tls_desc_okay: 32-bit, present data segments only (a 16-bit
 * stack segment would need espfix; a code segment has no use here).
 */
static bool desc_ok(const struct user_desc *u)
{
	if (desc_clears(u))
		return true;
	return u->seg_32bit && u->contents <= 1 && !u->seg_not_present;
}

/* The GDT descriptor for @u: DPL 3, accessed bit set (Linux fill_ldt). */
static uint64_t desc_encode(const struct user_desc *u)
{
	uint64_t d = 0;
	uint32_t base = u->base_addr, limit = u->limit;

	if (desc_clears(u))
		return 0;
	d |= limit & 0xffff;
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)(1 | (!u->read_exec_only << 1) | (u->contents << 2))
	     << DESC_TYPE_SHIFT;
	d |= DESC_S | DESC_DPL3 | DESC_P;
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= u->useable ? DESC_AVL : 0;
	d |= u->seg_32bit ? DESC_DB : 0;
	d |= u->limit_in_pages ? DESC_G : 0;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

/* Linux's fill_user_desc: an empty slot reads back as LDT_empty. */
static void desc_decode(uint64_t d, uint32_t idx, struct user_desc *u)
{
	uint32_t type = (d >> DESC_TYPE_SHIFT) & 0xf;

	memset(u, 0, sizeof(*u));
	u->entry_number = idx;
	u->base_addr = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 56) << 24));
	u->limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
	u->seg_32bit = !!(d & DESC_DB);
	u->contents = (type >> 2) & 3;
	u->read_exec_only = !(type & 2);
	u->limit_in_pages = !!(d & DESC_G);
	u->seg_not_present = !(d & DESC_P);
	u->useable = !!(d & DESC_AVL);
}

static void tls_load_gdt(uint64_t *gdt, const struct thread *t)
{
	for (unsigned int i = 0; i < GDT_TLS_ENTRIES; i++)
		gdt[GDT_TLS_MIN + i] = t->arch.tls[i];
}

void x86_tls_switch(const struct thread *prev, const struct thread *next)
{
	(void)prev;
	tls_load_gdt(this_cpu()->arch.gdt, next);
}

void x86_tls_copy(struct thread *child)
{
	memcpy(child->arch.tls, thread_current()->arch.tls,
	       sizeof(child->arch.tls));
}

/*
 * Install @u into slot @idx (a GDT entry number) of @t. If @t is the
 * caller, this CPU's GDT gets it now, with interrupts off so the thread
 * cannot move to another CPU in between (a switch reloads from t->arch).
 */
static int tls_install(struct thread *t, uint32_t idx,
		       const struct user_desc *u)
{
	unsigned long irq;

	if (idx < GDT_TLS_MIN || idx >= GDT_TLS_MIN + GDT_TLS_ENTRIES ||
	    !desc_ok(u))
		return -EINVAL;
	t->arch.tls[idx - GDT_TLS_MIN] = desc_encode(u);
	if (t == thread_current()) {
		irq = arch_irq_save();
		tls_load_gdt(this_cpu()->arch.gdt, t);
		arch_irq_restore(irq);
	}
	return 0;
}

/*
 * CLONE_SETTLS on i686: @base is the caller's struct user_desc *, whose
 * entry_number must name a TLS slot (-1 is refused, as on Linux).
 * Returns 0, -EFAULT, -EINVAL. Locking: @t is not running yet.
 */
int arch_thread_set_tls(struct thread *t, uintptr_t base)
{
	struct user_desc u;

	if (copy_from_user(&u, base, sizeof(u)))
		return -EFAULT;
	return tls_install(t, u.entry_number, &u);
}

/* First empty slot of @t as a GDT entry number, or -ESRCH. */
static int tls_free_entry(const struct thread *t)
{
	for (unsigned int i = 0; i < GDT_TLS_ENTRIES; i++)
		if (!t->arch.tls[i])
			return (int)(GDT_TLS_MIN + i);
	return -ESRCH;
}

/*
 * set_thread_area(struct user_desc *u): entry_number -1 picks the first
 * empty slot and writes its number back. Returns 0, -EFAULT (bad
 * pointer), -EINVAL (bad entry or descriptor), -ESRCH (no empty slot).
 */
long sys_set_thread_area(const struct syscall_args *args)
{
	struct thread *t = thread_current();
	uintptr_t uptr = args->a[0];
	struct user_desc u;
	int idx;

	if (copy_from_user(&u, uptr, sizeof(u)))
		return -EFAULT;
	if (u.entry_number == (uint32_t)-1) {
		idx = tls_free_entry(t);
		if (idx < 0)
			return idx;
		u.entry_number = (uint32_t)idx;
		if (copy_to_user(uptr, &u.entry_number,
				 sizeof(u.entry_number)))
			return -EFAULT;
	}
	return tls_install(t, u.entry_number, &u);
}

/* get_thread_area(struct user_desc *u): read back slot u->entry_number. */
long sys_get_thread_area(const struct syscall_args *args)
{
	struct thread *t = thread_current();
	uintptr_t uptr = args->a[0];
	struct user_desc u;
	uint32_t idx;

	if (copy_from_user(&idx, uptr, sizeof(idx)))
		return -EFAULT;
	if (idx < GDT_TLS_MIN || idx >= GDT_TLS_MIN + GDT_TLS_ENTRIES)
		return -EINVAL;
	desc_decode(t->arch.tls[idx - GDT_TLS_MIN], idx, &u);
	if (copy_to_user(uptr, &u, sizeof(u)))
		return -EFAULT;
	return 0;
}

extern const char x86_trap_return_seg[], x86_trap_return_iret[];

/* Vectors a segment reload or IRET can raise (SDM vol. 2B "POP", "IRET"). */
static bool segment_fault(uint32_t vector)
{
	return vector == 10 || vector == 11 || vector == 12 || vector == T_GP;
}

/*
 * A kernel-mode fault in the last steps of a return to user mode
 * (vectors.asm x86_trap_return_seg..iret): a data segment selector the
 * user loaded names a TLS slot it cleared since. The user frame at the top
 * of the kernel stack is the one being restored; kill the process with
 * SIGSEGV and end the thread. Should the thread go on (it does not: the
 * kill makes user_return exit it), null the selectors so the retry
 * cannot fault again. Interrupts disabled on entry and return.
 */
bool i686_return_fault(struct trapframe *tf)
{
	struct trapframe *utf;

	if (!segment_fault(tf->vector) ||
	    tf->eip < (uintptr_t)x86_trap_return_seg ||
	    tf->eip > (uintptr_t)x86_trap_return_iret)
		return false;
	utf = arch_thread_trapframe(thread_current());
	if (!trapframe_from_user(utf))
		return false;
	arch_irq_enable();
	user_exception(utf, "bad segment selector on return to user",
		       utf->eip);
	arch_irq_disable();
	user_return(utf);
	utf->gs = utf->fs = 0;
	utf->ds = utf->es = GDT_USER_DS | 3;
	return true;
}
