/*
 * Validation of static ELF executables before anything is mapped.
 *
 * elf_parse() reads an ELF32 or ELF64 little-endian image (every field is
 * decoded byte by byte, so the image needs no alignment: cpio data is only
 * 4-aligned) and either rejects it with a reason or returns a description
 * the loader can apply without further checks: the entry point and the
 * PT_LOAD segments, sorted, each in pages of its own, inside the image and
 * below the user address limit.
 */
#ifndef KERN_ELF_H
#define KERN_ELF_H

#include <kern/types.h>

/* e_ident[EI_CLASS] */
#define ELFCLASS32		1
#define ELFCLASS64		2

/* e_machine values of the supported architectures */
#define EM_386			3
#define EM_X86_64		62
#define EM_AARCH64		183

/* e_type */
#define ET_EXEC			2
#define ET_DYN			3

/* p_type */
#define PT_LOAD			1
#define PT_DYNAMIC		2
#define PT_INTERP		3

/* p_flags */
#define PF_X			0x1u
#define PF_W			0x2u
#define PF_R			0x4u

/*
 * The page size of the segment rules (offset/address congruence, one
 * protection per page): 4 KiB, the page size of every supported arch. The
 * loader should check ELF_PAGE_SIZE == PAGE_SIZE (<mm/page.h> needs
 * <machine/mmu.h>, which MI code outside mm/ does not include).
 */
#define ELF_PAGE_SIZE		4096u

/*
 * Segment protections, with the values of VM_READ, VM_WRITE and VM_EXEC
 * (<mm/mmu.h>) so the loader can pass them on unchanged.
 */
#define ELF_PROT_READ		0x01u
#define ELF_PROT_WRITE		0x02u
#define ELF_PROT_EXEC		0x04u

/* Static executables have 2 to 5 PT_LOADs (R, RX, relro, RW...). */
#define ELF_MAX_SEGMENTS	8

struct elf_segment {
	vaddr_t vaddr;		/* first byte, often not page aligned */
	size_t memsz;		/* bytes mapped from @vaddr, > 0 */
	size_t offset;		/* file offset of @vaddr's contents */
	size_t filesz;		/* from the file; the rest is zero */
	unsigned int prot;	/* ELF_PROT_* */
};

struct elf_image {
	vaddr_t entry;
	unsigned int nsegs;
	/* Sorted by @vaddr; no two segments touch the same page. */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	/*
	 * Where the program headers appear in user memory (AT_PHDR, which
	 * static libcs read to find PT_TLS), or 0 if no segment loads them.
	 */
	vaddr_t phdr_vaddr;
	unsigned int phnum;	/* AT_PHNUM */
	unsigned int phentsize;	/* AT_PHENT */
	/* Why elf_parse() returned -ENOEXEC (a string literal), else NULL. */
	const char *error;
};

/*
 * Check that the @size-byte @image is a static executable for an arch whose
 * ELF e_machine is @machine and class @elf_class (ELFCLASS32/64), every byte
 * of it loaded at user addresses in [ELF_PAGE_SIZE, @va_limit) (page 0
 * stays unmapped; @va_limit is page aligned), and describe it in @out.
 * Rejected: other classes, machines or byte orders, anything but ET_EXEC
 * (ET_DYN needs a relocating loader), PT_INTERP (needs a dynamic loader),
 * PT_LOADs out of the image, out of order, sharing a page, with filesz >
 * memsz or with offset and address not congruent modulo ELF_PAGE_SIZE, an
 * entry outside every executable segment. Empty PT_LOADs are skipped.
 * Returns 0, or -ENOEXEC with @out->error saying why.
 * Locking: none (read-only, allocates nothing). TLB: none.
 */
int elf_parse(const void *image, size_t size, unsigned int machine,
	      unsigned int elf_class, vaddr_t va_limit, struct elf_image *out);

#endif
