/*
 * Suite elf: static-executable validation on ELF32 and ELF64 images built
 * here from a table of program headers, then on every kind of damage.
 * Images are parsed from the very end of a static array, so on the host a
 * read past their size hits ASan's redzone instead of passing silently.
 */
#include <kern/elf.h>
#include <kern/errno.h>
#include <kern/string.h>
#include <ktest/ktest.h>

#define IMG_MAX		2048
#define ALL_PROT	(ELF_PROT_READ | ELF_PROT_WRITE | ELF_PROT_EXEC)
#define MAX_PH		12
#define PT_GNU_STACK	0x6474e551u
#define LIMIT32		0xc0000000u	/* i686's 3G/1G split */
/* x86_64's user half; a 32-bit kernel cannot express more than LIMIT32. */
#define LIMIT64		(sizeof(vaddr_t) == 8 ? 0x800000000000ull : \
			 LIMIT32)

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

/* The image being built: tests edit these, then call parse(). */
static struct {
	unsigned int cls, machine, type, version;
	uint64_t entry, phoff;
	unsigned int phnum, phentsize;	/* phnum may differ from nph */
	struct ph ph[MAX_PH];
	unsigned int nph;
	size_t len;
} spec;

static uint8_t img[IMG_MAX];
static uint8_t tail[IMG_MAX];	/* parsed copies end at its last byte */
static struct elf_image out;

static void put(uint8_t *p, uint64_t v, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/*
 * The standard image: headers and text in one R+X page-0-offset segment,
 * data plus bss in a RW segment one page further, a PT_GNU_STACK.
 */
static void standard(unsigned int cls)
{
	uint64_t base = cls == ELFCLASS64 ? 0x400000 : 0x08048000;

	memset(&spec, 0, sizeof(spec));
	spec.cls = cls;
	spec.machine = cls == ELFCLASS64 ? EM_X86_64 : EM_386;
	spec.type = ET_EXEC;
	spec.version = 1;
	spec.entry = base + 0x100;
	spec.phoff = cls == ELFCLASS64 ? 64 : 52;
	spec.phentsize = cls == ELFCLASS64 ? 56 : 32;
	spec.ph[0] = (struct ph){ PT_LOAD, PF_R | PF_X, 0, base, 0x200, 0x200 };
	spec.ph[1] = (struct ph){ PT_LOAD, PF_R | PF_W, 0x200, base + 0x1200,
				  0x40, 0x2000 };
	spec.ph[2] = (struct ph){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0 };
	spec.nph = spec.phnum = 3;
	spec.len = 0x240;
}

static void put_phdr(uint8_t *p, const struct ph *ph)
{
	if (spec.cls == ELFCLASS64) {
		put(p, ph->type, 4);
		put(p + 4, ph->flags, 4);
		put(p + 8, ph->offset, 8);
		put(p + 16, ph->vaddr, 8);
		put(p + 32, ph->filesz, 8);
		put(p + 40, ph->memsz, 8);
		put(p + 48, ELF_PAGE_SIZE, 8);
	} else {
		put(p, ph->type, 4);
		put(p + 4, ph->offset, 4);
		put(p + 8, ph->vaddr, 4);
		put(p + 16, ph->filesz, 4);
		put(p + 20, ph->memsz, 4);
		put(p + 24, ph->flags, 4);
		put(p + 28, ELF_PAGE_SIZE, 4);
	}
}

/* Lay out spec into img[] (the file grows to hold the header table). */
static void build(void)
{
	bool is64 = spec.cls == ELFCLASS64;
	unsigned int w = is64 ? 8 : 4, ent = is64 ? 56 : 32;

	memset(img, 0xcc, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = (uint8_t)spec.cls;
	img[5] = 1;
	img[6] = 1;
	memset(img + 7, 0, 9);
	put(img + 16, spec.type, 2);
	put(img + 18, spec.machine, 2);
	put(img + 20, spec.version, 4);
	put(img + 24, spec.entry, w);
	put(img + 24 + w, spec.phoff, w);
	put(img + 24 + 2 * w, 0, w);		/* no section headers */
	put(img + 24 + 3 * w, 0, 4);
	put(img + 28 + 3 * w, is64 ? 64 : 52, 2);
	put(img + 30 + 3 * w, spec.phentsize, 2);
	put(img + 32 + 3 * w, spec.phnum, 2);
	memset(img + 34 + 3 * w, 0, 6);
	for (unsigned int i = 0; i < spec.nph; i++)
		put_phdr(img + (is64 ? 64 : 52) + i * ent, &spec.ph[i]);
	spec.len = MAX(spec.len, (size_t)(is64 ? 64 : 52) + spec.nph * ent);
}

static const uint8_t *at_tail(size_t n)
{
	uint8_t *p = tail + sizeof(tail) - n;

	memcpy(p, img, n);
	return p;
}

static int parse_limit(uint64_t limit)
{
	unsigned int machine = spec.cls == ELFCLASS64 ? EM_X86_64 : EM_386;

	build();
	return elf_parse(at_tail(spec.len), spec.len, machine, spec.cls,
			 (vaddr_t)limit, &out);
}

static int parse(void)
{
	return parse_limit(spec.cls == ELFCLASS64 ? LIMIT64 : LIMIT32);
}

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; s && *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

/* Expect rejection with a reason containing @word. */
#define EXPECT_REJECTED(t, word)					\
	do {								\
		KEXPECT_EQ(t, parse(), -ENOEXEC);			\
		KEXPECT_TRUE(t, contains(out.error, word));		\
	} while (0)

static void check_standard(struct ktest *t, uint64_t base, unsigned int hdr)
{
	const struct elf_segment *s = out.seg;

	KEXPECT_NULL(t, out.error);
	KEXPECT_EQ(t, out.entry, base + 0x100);
	KASSERT_EQ(t, out.nsegs, 2);
	KEXPECT_EQ(t, s[0].vaddr, base);
	KEXPECT_EQ(t, s[0].memsz, 0x200);
	KEXPECT_EQ(t, s[0].offset, 0);
	KEXPECT_EQ(t, s[0].filesz, 0x200);
	KEXPECT_EQ(t, s[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	KEXPECT_EQ(t, s[1].vaddr, base + 0x1200);
	KEXPECT_EQ(t, s[1].memsz, 0x2000);
	KEXPECT_EQ(t, s[1].offset, 0x200);
	KEXPECT_EQ(t, s[1].filesz, 0x40);
	KEXPECT_EQ(t, s[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	KEXPECT_EQ(t, out.phdr_vaddr, base + hdr);
	KEXPECT_EQ(t, out.phnum, 3);
}

static void valid64(struct ktest *t)
{
	standard(ELFCLASS64);
	KASSERT_EQ(t, parse(), 0);
	check_standard(t, 0x400000, 64);
	KEXPECT_EQ(t, out.phentsize, 56);
}

static void valid32(struct ktest *t)
{
	standard(ELFCLASS32);
	KASSERT_EQ(t, parse(), 0);
	check_standard(t, 0x08048000, 52);
	KEXPECT_EQ(t, out.phentsize, 32);
}

/* Every strict prefix of a valid image is rejected with a reason. */
static void truncated_everywhere(struct ktest *t)
{
	static const unsigned int classes[] = { ELFCLASS32, ELFCLASS64 };
	unsigned int bad = 0;

	for (unsigned int c = 0; c < ARRAY_SIZE(classes); c++) {
		standard(classes[c]);
		KASSERT_EQ(t, parse(), 0);
		for (size_t n = 0; n < spec.len; n++) {
			int err = elf_parse(at_tail(n), n, spec.machine,
					    spec.cls, LIMIT32, &out);

			if (err != -ENOEXEC || !out.error) {
				ktest_diag(t, "class %u length %zu: got %d",
					   spec.cls, n, err);
				bad++;
			}
		}
	}
	KEXPECT_EQ(t, bad, 0);
}

static void bad_ident(struct ktest *t)
{
	standard(ELFCLASS64);
	build();
	img[1] = 'F';
	KEXPECT_EQ(t, elf_parse(img, spec.len, EM_X86_64, ELFCLASS64,
				LIMIT64, &out), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "bad magic"));
	build();
	KEXPECT_EQ(t, elf_parse(img, spec.len, EM_386, ELFCLASS32,
				LIMIT32, &out), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "64-bit ELF"));
	spec.cls = 3;
	KEXPECT_EQ(t, parse_limit(LIMIT64), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "bad ELF class"));
	standard(ELFCLASS32);
	build();
	KEXPECT_EQ(t, elf_parse(img, spec.len, EM_X86_64, ELFCLASS64,
				LIMIT64, &out), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "32-bit ELF"));
	img[5] = 2;	/* big-endian */
	KEXPECT_EQ(t, elf_parse(img, spec.len, EM_386, ELFCLASS32,
				LIMIT32, &out), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "little-endian"));
	build();
	img[6] = 0;
	KEXPECT_EQ(t, elf_parse(img, spec.len, EM_386, ELFCLASS32,
				LIMIT32, &out), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "identification version"));
}

static void bad_header(struct ktest *t)
{
	standard(ELFCLASS64);
	spec.machine = EM_AARCH64;
	EXPECT_REJECTED(t, "machine");
	standard(ELFCLASS64);
	spec.type = ET_DYN;
	EXPECT_REJECTED(t, "no dynamic loader");
	spec.type = 1;	/* ET_REL */
	EXPECT_REJECTED(t, "not an executable");
	standard(ELFCLASS64);
	spec.version = 0;
	EXPECT_REJECTED(t, "bad ELF version");
	standard(ELFCLASS64);
	spec.phentsize = 32;
	EXPECT_REJECTED(t, "e_phentsize");
	standard(ELFCLASS64);
	spec.phnum = 0;
	EXPECT_REJECTED(t, "no program headers");
	spec.phnum = 0xffff;
	EXPECT_REJECTED(t, "PN_XNUM");
	spec.phnum = 11;	/* 64 + 11 * 56 bytes: past the file's 0x240 */
	EXPECT_REJECTED(t, "program header table");
	standard(ELFCLASS32);
	spec.phoff = 0xffffffff;
	EXPECT_REJECTED(t, "program header table");
	standard(ELFCLASS64);
	spec.phoff = ~0ull;
	EXPECT_REJECTED(t, "program header table");
	standard(ELFCLASS64);
	spec.nph = spec.phnum = 1;
	spec.ph[0] = (struct ph){ PT_GNU_STACK, PF_R, 0, 0, 0, 0 };
	EXPECT_REJECTED(t, "no loadable segments");
}

static void dynamic(struct ktest *t)
{
	standard(ELFCLASS64);
	spec.ph[spec.nph++] = (struct ph){ PT_INTERP, PF_R, 0x100, 0x400100,
					   0x1c, 0x1c };
	spec.phnum = spec.nph;
	EXPECT_REJECTED(t, "PT_INTERP");
}

static void bad_segments(struct ktest *t)
{
	standard(ELFCLASS64);
	spec.ph[1].filesz = 0x2001;
	EXPECT_REJECTED(t, "p_filesz > p_memsz");
	standard(ELFCLASS64);
	spec.ph[1].filesz = 0x41;	/* one byte past the file */
	EXPECT_REJECTED(t, "past the end of the file");
	standard(ELFCLASS64);
	spec.ph[1].offset = ~0ull - 0x10;
	EXPECT_REJECTED(t, "past the end of the file");
	standard(ELFCLASS64);
	spec.ph[0].vaddr = 0;
	spec.entry = 0x100;
	EXPECT_REJECTED(t, "page 0");
	standard(ELFCLASS64);
	spec.ph[1].vaddr += 0x10;
	EXPECT_REJECTED(t, "modulo the page size");
	standard(ELFCLASS64);
	spec.ph[1].vaddr = 0x400200;	/* in the text segment's page */
	EXPECT_REJECTED(t, "sharing a page");
	standard(ELFCLASS64);
	spec.ph[1].vaddr = 0x3ff200;	/* below it: out of order */
	EXPECT_REJECTED(t, "out of address order");
	standard(ELFCLASS64);
	spec.ph[1].memsz = ~0ull - 0x1000;	/* vaddr + memsz wraps */
	EXPECT_REJECTED(t, "user address limit");
	standard(ELFCLASS32);
	spec.ph[1].memsz = 0xffffffff;
	EXPECT_REJECTED(t, "user address limit");
	standard(ELFCLASS64);
	spec.ph[1].vaddr = LIMIT64 + 0x200;
	EXPECT_REJECTED(t, "user address limit");
}

/* The last byte of a segment may be the limit's last byte, not more. */
static void limit_boundary(struct ktest *t)
{
	standard(ELFCLASS64);
	spec.ph[1].memsz = 0x800000 - spec.ph[1].vaddr;
	KEXPECT_EQ(t, parse_limit(0x800000), 0);
	KEXPECT_EQ(t, out.seg[1].vaddr + out.seg[1].memsz, 0x800000);
	spec.ph[1].memsz++;
	KEXPECT_EQ(t, parse_limit(0x800000), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "user address limit"));
	KEXPECT_EQ(t, parse_limit(0x800001), -ENOEXEC);
	KEXPECT_TRUE(t, contains(out.error, "not page aligned"));
}

static void entry_point(struct ktest *t)
{
	standard(ELFCLASS64);
	spec.entry = 0x401200;		/* data: not executable */
	EXPECT_REJECTED(t, "entry point");
	spec.entry = 0x500000;
	EXPECT_REJECTED(t, "entry point");
	spec.entry = 0x400200;		/* one past the text */
	EXPECT_REJECTED(t, "entry point");
	spec.entry = 0x4001ff;
	KEXPECT_EQ(t, parse(), 0);
	KEXPECT_EQ(t, out.entry, 0x4001ff);
}

/* Add @n empty-file PT_LOADs, one page each, above the standard ones. */
static void add_loads(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		spec.ph[spec.nph++] = (struct ph){ PT_LOAD, PF_R, 0,
			0x410000 + i * 0x1000ull, 0, 0x100 };
	spec.phnum = spec.nph;
}

static void segment_count(struct ktest *t)
{
	standard(ELFCLASS64);
	add_loads(ELF_MAX_SEGMENTS - 2);
	KASSERT_EQ(t, parse(), 0);
	KEXPECT_EQ(t, out.nsegs, ELF_MAX_SEGMENTS);
	KEXPECT_EQ(t, out.seg[ELF_MAX_SEGMENTS - 1].vaddr,
		   0x410000 + (ELF_MAX_SEGMENTS - 3) * 0x1000);
	/* The table (64 + 9 * 56 bytes) outgrew the text segment's 0x200. */
	KEXPECT_EQ(t, out.phdr_vaddr, 0);
	standard(ELFCLASS64);
	add_loads(ELF_MAX_SEGMENTS - 1);
	EXPECT_REJECTED(t, "too many PT_LOAD");
	/* Empty PT_LOADs are skipped and do not count. */
	standard(ELFCLASS64);
	spec.ph[2] = (struct ph){ PT_LOAD, PF_R, 0, 0x300000, 0, 0 };
	KASSERT_EQ(t, parse(), 0);
	KEXPECT_EQ(t, out.nsegs, 2);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* What elf_parse promises about an accepted image of @len bytes. */
static bool image_sane(size_t len, uint64_t limit)
{
	uint64_t prev_end = 0;
	bool entry_found = false;

	if (out.nsegs == 0 || out.nsegs > ELF_MAX_SEGMENTS || out.error)
		return false;
	for (unsigned int i = 0; i < out.nsegs; i++) {
		const struct elf_segment *s = &out.seg[i];
		uint64_t end = (uint64_t)s->vaddr + s->memsz;

		if (s->memsz == 0 || s->filesz > s->memsz ||
		    s->offset > len || s->filesz > len - s->offset ||
		    s->vaddr < ELF_PAGE_SIZE || end > limit ||
		    (s->vaddr - s->offset) % ELF_PAGE_SIZE != 0 ||
		    s->vaddr / ELF_PAGE_SIZE * ELF_PAGE_SIZE < prev_end ||
		    (s->prot & ~ALL_PROT))
			return false;
		prev_end = ALIGN_UP(end, (uint64_t)ELF_PAGE_SIZE);
		if ((s->prot & ELF_PROT_EXEC) && out.entry >= s->vaddr &&
		    out.entry < end)
			entry_found = true;
	}
	return entry_found;
}

/* 2000 single-byte mutations per class: a sane image or a reason. */
static void mutations(struct ktest *t)
{
	static const unsigned int classes[] = { ELFCLASS32, ELFCLASS64 };
	uint32_t seed = 0xe1f;
	unsigned int ok = 0, rejected = 0, bad = 0;

	for (unsigned int c = 0; c < ARRAY_SIZE(classes); c++) {
		uint64_t limit = classes[c] == ELFCLASS64 ? LIMIT64 : LIMIT32;

		standard(classes[c]);
		build();
		for (unsigned int i = 0; i < 2000; i++) {
			uint8_t *p = tail + sizeof(tail) - spec.len;
			int err;

			memcpy(p, img, spec.len);
			p[lcg(&seed) % spec.len] = (uint8_t)lcg(&seed);
			err = elf_parse(p, spec.len, spec.machine, spec.cls,
					(vaddr_t)limit, &out);
			if (err == 0 && image_sane(spec.len, limit))
				ok++;
			else if (err == -ENOEXEC && out.error)
				rejected++;
			else
				bad++;
		}
	}
	ktest_diag(t, "%u images accepted, %u rejected", ok, rejected);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_GT(t, ok, 0);
	KEXPECT_GT(t, rejected, 0);
}

KTEST_SUITE(elf,
	KTEST_CASE(valid64),
	KTEST_CASE(valid32),
	KTEST_CASE(truncated_everywhere),
	KTEST_CASE(bad_ident),
	KTEST_CASE(bad_header),
	KTEST_CASE(dynamic),
	KTEST_CASE(bad_segments),
	KTEST_CASE(limit_boundary),
	KTEST_CASE(entry_point),
	KTEST_CASE(segment_count),
	KTEST_CASE(mutations));
