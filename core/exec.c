/*
 * Loading a static ELF program from the initramfs into the calling
 * thread's address space, and the initial stack of the Linux ABI
 * (System V ABI, "Process Initialization"): argc, argv, envp and the
 * auxiliary vector, 16-byte aligned, below the strings they point to.
 *
 * The thread runs on the (empty) address space it loads into, so the
 * segments are written with copy_to_user like any other user memory:
 * mapped writable, filled, then given their final protection.
 */
#include <kern/arch.h>
#include <kern/elf.h>
#include <kern/errno.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/string.h>
#include <kern/thread.h>
#include <kern/uaccess.h>
#include <mm/mmu.h>
#include <mm/page.h>
#include <mm/vm.h>

_Static_assert(ELF_PAGE_SIZE == PAGE_SIZE, "ELF segment rules assume 4 KiB");
_Static_assert(ELF_PROT_READ == VM_READ && ELF_PROT_WRITE == VM_WRITE &&
	       ELF_PROT_EXEC == VM_EXEC, "ELF and VM protections differ");

/* The stack: 8 MiB reserved below one unmapped guard page at the top. */
#define EXEC_STACK_SIZE		(8UL << 20)
#define EXEC_STACK_TOP		(MMU_USER_VA_END - PAGE_SIZE)
/* Arguments plus environment strings a program may get. */
#define EXEC_MAX_STRINGS	64

/* Auxiliary vector types (Linux include/uapi/linux/auxvec.h). */
enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
	AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_EXECFN = 31,
};

/*
 * Fault in the pages of [va, va + len) for writing, so that running out
 * of memory shows as -ENOMEM here rather than as -EFAULT from the copy
 * that follows.
 */
static int prefault(struct vm_space *vs, vaddr_t va, size_t len)
{
	int err = 0;

	for (vaddr_t p = ALIGN_DOWN(va, PAGE_SIZE); err == 0 && p < va + len;
	     p += PAGE_SIZE)
		err = vm_fault(vs, p, VM_WRITE);
	return err;
}

static int load_segment(struct vm_space *vs, const void *file,
			const struct elf_segment *seg)
{
	vaddr_t start = ALIGN_DOWN(seg->vaddr, PAGE_SIZE);
	vaddr_t end = ALIGN_UP(seg->vaddr + seg->memsz, PAGE_SIZE);
	vaddr_t got;
	int err;

	err = vm_map(vs, start, end - start, seg->prot | VM_WRITE,
		     VM_MAP_FIXED | VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, &got);
	if (err == 0)
		err = prefault(vs, seg->vaddr, seg->filesz);
	if (err)
		return err;
	/* The rest of the segment, up to memsz, is demand-zero already. */
	err = copy_to_user(seg->vaddr, (const char *)file + seg->offset,
			   seg->filesz);
	if (err)
		return err;
	if (seg->prot & VM_WRITE)
		return 0;
	return vm_protect(vs, start, end - start, seg->prot);
}

/* Where the stack builder writes: downwards from @sp. */
struct stack_writer {
	uintptr_t sp;
	int err;
};

static uintptr_t push_bytes(struct stack_writer *w, const void *p, size_t n)
{
	w->sp -= n;
	if (!w->err)
		w->err = copy_to_user(w->sp, p, n);
	return w->sp;
}

/* Random bytes for AT_RANDOM (stack protector and pointer guard seeds in
 * static libcs): not cryptographic, but different from boot to boot. */
static void fill_random(uint8_t out[16])
{
	uint64_t x = arch_clock_ns() ^ 0x9e3779b97f4a7c15ULL;

	for (unsigned int i = 0; i < 16; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (uint8_t)x;
	}
}

/* Push the strings of the NULL-terminated @strs; their user addresses go
 * to @out. */
static void push_strings(struct stack_writer *w, const char *const *strs,
			 unsigned long *out)
{
	for (unsigned int i = 0; strs[i]; i++)
		out[i] = push_bytes(w, strs[i], strlen(strs[i]) + 1);
}

static unsigned int count(const char *const *strs)
{
	unsigned int n = 0;

	while (strs[n])
		n++;
	return n;
}

/*
 * Build argc, @argv, @envp and the auxiliary vector on the new stack and
 * return the initial stack pointer, or 0 with *@err set. The pointer
 * block (argc, argv, NULL, envp, NULL, auxv) goes in one piece from a
 * 16-byte aligned sp, as the ABI requires at the entry point.
 */
static uintptr_t build_stack(const char *const *argv, const char *const *envp,
			     const struct elf_image *img, int *err)
{
	struct stack_writer w = { .sp = EXEC_STACK_TOP };
	unsigned int argc = count(argv), envc = count(envp);
	unsigned long block[3 + 2 * EXEC_MAX_STRINGS + 32] = { 0 };
	unsigned long *a = block + 1, *e = a + argc + 1, *aux = e + envc + 1;
	unsigned int naux = 0;
	uint8_t rnd[16];
	size_t size;

	block[0] = argc;
	push_strings(&w, argv, a);
	push_strings(&w, envp, e);
	fill_random(rnd);
#define AUX(type, val)	(aux[naux++] = (type), aux[naux++] = (val))
	AUX(AT_PHDR, img->phdr_vaddr);
	AUX(AT_PHENT, img->phentsize);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_ENTRY, img->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_HWCAP, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, push_bytes(&w, rnd, sizeof(rnd)));
	AUX(AT_EXECFN, a[0]);
	AUX(AT_NULL, 0);
#undef AUX
	size = (size_t)((aux + naux) - block) * sizeof(block[0]);
	w.sp = ALIGN_DOWN(w.sp - size, 16) + size;
	push_bytes(&w, block, size);
	*err = w.err;
	return w.err ? 0 : w.sp;
}

/* The stack, with its top pages (where build_stack writes: at most
 * CMDLINE_MAX_LEN bytes of strings and EXEC_MAX_STRINGS pointers) present. */
static int map_stack(struct vm_space *vs)
{
	const size_t top = 2 * PAGE_SIZE;
	vaddr_t got;
	int err;

	err = vm_map(vs, EXEC_STACK_TOP - EXEC_STACK_SIZE, EXEC_STACK_SIZE,
		     VM_READ | VM_WRITE,
		     VM_MAP_FIXED | VM_MAP_PRIVATE | VM_MAP_ANONYMOUS, &got);
	return err ? err : prefault(vs, EXEC_STACK_TOP - top, top);
}

/* Load every segment of @img; the heap starts after the highest. */
static int load_image(struct proc *p, const struct cpio_file *f,
		      const struct elf_image *img)
{
	const struct elf_segment *last = &img->seg[img->nsegs - 1];
	int err;

	for (unsigned int i = 0; i < img->nsegs; i++) {
		err = load_segment(p->vm, f->data, &img->seg[i]);
		if (err)
			return err;
	}
	p->brk_base = ALIGN_UP(last->vaddr + last->memsz, PAGE_SIZE);
	p->brk = p->brk_base;
	return 0;
}

int exec_load(const char *const *argv, const char *const *envp,
	      struct trapframe *tf)
{
	const char *path = argv[0];
	struct proc *p = proc_current();
	struct elf_image img;
	struct cpio_file f;
	const char *why = NULL, *base;
	uintptr_t sp;
	int err;

	err = initramfs_check_exec(path, &img, &why);
	if (err == 0)
		err = initramfs_find(path, &f);
	if (err) {
		printk("exec: %s: %s\n", path, why ? why : "not found");
		return err;
	}
	base = strrchr(path, '/');
	strlcpy(p->name, base ? base + 1 : path, sizeof(p->name));
	err = load_image(p, &f, &img);
	if (err == 0)
		err = map_stack(p->vm);
	if (count(argv) + count(envp) > EXEC_MAX_STRINGS)
		err = -E2BIG;
	sp = err ? 0 : build_stack(argv, envp, &img, &err);
	if (err) {
		printk("exec: %s: cannot load: error %d\n", path, err);
		return err;
	}
	arch_tf_init_user(tf, img.entry, sp);
	return 0;
}
