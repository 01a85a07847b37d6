/*
 * Static ELF executable validation (include/kern/elf.h). The two layouts
 * differ only in field widths and offsets, so each header is decoded once
 * through a layout table into 64-bit values and checked by one code path.
 * All arithmetic is on uint64_t and every sum is bounded before it is
 * formed, so neither a 32-bit nor a 64-bit image can wrap a check.
 */
#include <kern/compiler.h>
#include <kern/elf.h>
#include <kern/errno.h>
#include <kern/string.h>

#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define PN_XNUM		0xffffu

/* Byte offsets of the fields elf_parse reads, and the widths that vary. */
struct elf_layout {
	uint8_t ehsize, phentsize, addr_len;
	uint8_t e_type, e_machine, e_version, e_entry, e_phoff;
	uint8_t e_phentsize, e_phnum;
	uint8_t p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz;
};

static const struct elf_layout elf32_layout = {
	.ehsize = 52, .phentsize = 32, .addr_len = 4,
	.e_type = 16, .e_machine = 18, .e_version = 20, .e_entry = 24,
	.e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
	.p_type = 0, .p_flags = 24, .p_offset = 4, .p_vaddr = 8,
	.p_filesz = 16, .p_memsz = 20,
};

static const struct elf_layout elf64_layout = {
	.ehsize = 64, .phentsize = 56, .addr_len = 8,
	.e_type = 16, .e_machine = 18, .e_version = 20, .e_entry = 24,
	.e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
	.p_type = 0, .p_flags = 4, .p_offset = 8, .p_vaddr = 16,
	.p_filesz = 32, .p_memsz = 40,
};

/* One program header, widened. */
struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

/* Little-endian field of @len bytes at @p (no alignment needed). */
static uint64_t le(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | p[len];
	return v;
}

static int elf_fail(struct elf_image *out, const char *why)
{
	out->error = why;
	return -ENOEXEC;
}

/* The identification bytes; picks the layout of @elf_class. */
static const char *check_ident(const uint8_t *img, size_t size,
			       unsigned int elf_class,
			       const struct elf_layout **lp)
{
	if (size < EI_NIDENT || memcmp(img, "\177ELF", 4) != 0)
		return "not an ELF file (bad magic)";
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return "bad ELF class";
	if (img[EI_CLASS] != elf_class)
		return elf_class == ELFCLASS32 ?
			"64-bit ELF, but this kernel runs 32-bit programs" :
			"32-bit ELF, but this kernel runs 64-bit programs";
	if (img[EI_DATA] != ELFDATA2LSB)
		return "not a little-endian ELF file";
	if (img[EI_VERSION] != EV_CURRENT)
		return "bad ELF identification version";
	*lp = elf_class == ELFCLASS32 ? &elf32_layout : &elf64_layout;
	if (size < (*lp)->ehsize)
		return "truncated ELF header";
	return NULL;
}

/* The file header: type, machine and a program header table in bounds. */
static const char *check_ehdr(const uint8_t *img, size_t size,
			      const struct elf_layout *l, unsigned int machine,
			      uint64_t *phoff)
{
	uint64_t type = le(img + l->e_type, 2);
	uint64_t phnum = le(img + l->e_phnum, 2);

	if (type == ET_DYN)
		return "ET_DYN (PIE or shared object): no dynamic loader, "
		       "link with -static -no-pie";
	if (type != ET_EXEC)
		return "not an executable (e_type is not ET_EXEC)";
	if (le(img + l->e_machine, 2) != machine)
		return "ELF machine is not this kernel's architecture";
	if (le(img + l->e_version, 4) != EV_CURRENT)
		return "bad ELF version";
	if (le(img + l->e_phentsize, 2) != l->phentsize)
		return "bad program header size (e_phentsize)";
	if (phnum == 0)
		return "no program headers";
	if (phnum == PN_XNUM)
		return "extended program header count (PN_XNUM) unsupported";
	*phoff = le(img + l->e_phoff, l->addr_len);
	/* phnum * phentsize < 2^22: no overflow, even in a 32-bit size_t. */
	if (*phoff > size || phnum * l->phentsize > size - *phoff)
		return "program header table runs past the end of the file";
	return NULL;
}

static void read_phdr(const uint8_t *ph, const struct elf_layout *l,
		      struct elf_phdr *p)
{
	unsigned int w = l->addr_len;

	p->type = (uint32_t)le(ph + l->p_type, 4);
	p->flags = (uint32_t)le(ph + l->p_flags, 4);
	p->offset = le(ph + l->p_offset, w);
	p->vaddr = le(ph + l->p_vaddr, w);
	p->filesz = le(ph + l->p_filesz, w);
	p->memsz = le(ph + l->p_memsz, w);
}

/*
 * One non-empty PT_LOAD against the file, the address limit and the pages
 * of the previous segment (it must start at or above @prev_end).
 */
static const char *check_load(const struct elf_phdr *p, size_t size,
			      uint64_t va_limit, uint64_t prev_end)
{
	if (p->filesz > p->memsz)
		return "PT_LOAD with p_filesz > p_memsz";
	if (p->offset > size || p->filesz > size - p->offset)
		return "PT_LOAD contents run past the end of the file";
	if (p->vaddr < ELF_PAGE_SIZE)
		return "PT_LOAD maps page 0";
	if (p->vaddr >= va_limit || p->memsz > va_limit - p->vaddr)
		return "PT_LOAD reaches above the user address limit";
	if ((p->vaddr - p->offset) % ELF_PAGE_SIZE != 0)
		return "PT_LOAD p_vaddr and p_offset differ modulo "
		       "the page size";
	if (ALIGN_DOWN(p->vaddr, (uint64_t)ELF_PAGE_SIZE) < prev_end)
		return "PT_LOADs out of address order or sharing a page";
	return NULL;
}

static unsigned int prot_of(uint32_t flags)
{
	return ((flags & PF_R) ? ELF_PROT_READ : 0) |
	       ((flags & PF_W) ? ELF_PROT_WRITE : 0) |
	       ((flags & PF_X) ? ELF_PROT_EXEC : 0);
}

/* Check and record one program header. */
static const char *take_phdr(const struct elf_phdr *p, size_t size,
			     uint64_t va_limit, struct elf_image *out)
{
	struct elf_segment *s, *prev;
	uint64_t prev_end = 0;
	const char *why;

	if (p->type == PT_INTERP)
		return "PT_INTERP: dynamically linked, no dynamic loader";
	if (p->type != PT_LOAD || p->memsz == 0)
		return NULL;
	if (out->nsegs > 0) {
		prev = &out->seg[out->nsegs - 1];
		/* Below va_limit, which is page aligned: cannot wrap. */
		prev_end = ALIGN_UP((uint64_t)prev->vaddr + prev->memsz,
				    (uint64_t)ELF_PAGE_SIZE);
	}
	if ((why = check_load(p, size, va_limit, prev_end)) != NULL)
		return why;
	if (out->nsegs == ELF_MAX_SEGMENTS)
		return "too many PT_LOAD segments";
	s = &out->seg[out->nsegs++];
	/* Checked against va_limit and size above: each fits its type. */
	s->vaddr = (vaddr_t)p->vaddr;
	s->memsz = (size_t)p->memsz;
	s->offset = (size_t)p->offset;
	s->filesz = (size_t)p->filesz;
	s->prot = prot_of(p->flags);
	return NULL;
}

/* The entry must be an address an executable segment maps. */
static bool entry_ok(const struct elf_image *out, uint64_t entry)
{
	for (unsigned int i = 0; i < out->nsegs; i++) {
		const struct elf_segment *s = &out->seg[i];

		if ((s->prot & ELF_PROT_EXEC) && entry >= s->vaddr &&
		    entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* AT_PHDR: the address of the table if a segment loads it from the file. */
static vaddr_t phdr_address(const struct elf_image *out, uint64_t phoff)
{
	uint64_t len = (uint64_t)out->phnum * out->phentsize;

	for (unsigned int i = 0; i < out->nsegs; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (phoff >= s->offset && phoff - s->offset <= s->filesz &&
		    len <= s->filesz - (phoff - s->offset))
			return s->vaddr + (vaddr_t)(phoff - s->offset);
	}
	return 0;
}

int elf_parse(const void *image, size_t size, unsigned int machine,
	      unsigned int elf_class, vaddr_t va_limit, struct elf_image *out)
{
	const uint8_t *img = image;
	const struct elf_layout *l = NULL;
	struct elf_phdr ph;
	const char *why;
	uint64_t phoff;

	memset(out, 0, sizeof(*out));
	if (va_limit % ELF_PAGE_SIZE != 0)
		return elf_fail(out, "elf_parse: va_limit is not page aligned");
	if ((why = check_ident(img, size, elf_class, &l)) != NULL ||
	    (why = check_ehdr(img, size, l, machine, &phoff)) != NULL)
		return elf_fail(out, why);
	out->phnum = (unsigned int)le(img + l->e_phnum, 2);
	out->phentsize = l->phentsize;
	for (unsigned int i = 0; i < out->phnum; i++) {
		read_phdr(img + phoff + (size_t)i * l->phentsize, l, &ph);
		if ((why = take_phdr(&ph, size, va_limit, out)) != NULL)
			return elf_fail(out, why);
	}
	if (out->nsegs == 0)
		return elf_fail(out, "no loadable segments");
	if (!entry_ok(out, le(img + l->e_entry, l->addr_len)))
		return elf_fail(out,
				"entry point outside every executable segment");
	out->entry = (vaddr_t)le(img + l->e_entry, l->addr_len);
	out->phdr_vaddr = phdr_address(out, phoff);
	return 0;
}
