/*
 * Suite fdt: the DTB reader and the platform probe on a small synthetic
 * tree, then on broken copies of it: every truncation, header and
 * structure corruptions and random byte flips must be rejected with a
 * reason or parsed without faulting. The copies sit in mapped RAM, so a
 * read slightly out of bounds would go unnoticed here; fdt.c also builds
 * natively, for a fuzzer under AddressSanitizer.
 */

#include <kern/errno.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <machine/fdt.h>
#include <machine/memlayout.h>
#include <machine/platform.h>

#define BLOB_MAX	1024
#define HDR_SIZE	40
#define RSV_SIZE	16

struct builder {
	uint8_t st[640];
	uint32_t st_len;
	char strings[256];
	uint32_t strings_len;
	bool overflow;
};

static uint8_t blob[BLOB_MAX] __aligned(8);
static uint8_t copy[BLOB_MAX] __aligned(8);

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void emit(struct builder *b, const void *data, uint32_t len)
{
	if (b->st_len + ALIGN_UP(len, 4) > sizeof(b->st)) {
		b->overflow = true;
		return;
	}
	memset(b->st + b->st_len, 0, ALIGN_UP(len, 4));
	memcpy(b->st + b->st_len, data, len);
	b->st_len += ALIGN_UP(len, 4);
}

static void emit_u32(struct builder *b, uint32_t v)
{
	uint8_t be[4];

	put_be32(be, v);
	emit(b, be, 4);
}

static void begin_node(struct builder *b, const char *name)
{
	emit_u32(b, 1);
	emit(b, name, strlen(name) + 1);
}

static void prop(struct builder *b, const char *name, const void *val, uint32_t len)
{
	uint32_t n = strlen(name) + 1;

	if (b->strings_len + n > sizeof(b->strings)) {
		b->overflow = true;
		return;
	}
	emit_u32(b, 3);
	emit_u32(b, len);
	emit_u32(b, b->strings_len);
	memcpy(b->strings + b->strings_len, name, n);
	b->strings_len += n;
	emit(b, val, len);
}

static void prop_cells(struct builder *b, const char *name, const uint32_t *cells,
		       unsigned int n)
{
	uint8_t be[32];
	unsigned int i;

	for (i = 0; i < n; i++)
		put_be32(be + 4 * i, cells[i]);
	prop(b, name, be, 4 * n);
}

#define PROP_STR(b, n, s)	prop((b), (n), (s), sizeof(s))
#define PROP_CELLS(b, n, ...)						\
	do {								\
		static const uint32_t c_[] = { __VA_ARGS__ };		\
		prop_cells((b), (n), c_, ARRAY_SIZE(c_));		\
	} while (0)

/* Header, empty reservation map, structure, strings: returns totalsize. */
static uint32_t finish(const struct builder *b, uint8_t *out)
{
	uint32_t st_off = HDR_SIZE + RSV_SIZE;
	uint32_t str_off = st_off + b->st_len;
	uint32_t total = str_off + b->strings_len;
	static const uint32_t hdr_fixed[] = { FDT_MAGIC, 0, 0, 0, HDR_SIZE, 17, 16, 0 };
	unsigned int i;

	if (b->overflow || total > BLOB_MAX)
		return 0;
	memset(out, 0, BLOB_MAX);
	for (i = 0; i < ARRAY_SIZE(hdr_fixed); i++)
		put_be32(out + 4 * i, hdr_fixed[i]);
	put_be32(out + 4, total);
	put_be32(out + 8, st_off);
	put_be32(out + 12, str_off);
	put_be32(out + 32, b->strings_len);
	put_be32(out + 36, b->st_len);
	memcpy(out + st_off, b->st, b->st_len);
	memcpy(out + str_off, b->strings, b->strings_len);
	return total;
}

/* A QEMU-virt-like tree with a GICv3, an initrd and an alias stdout-path. */
static uint32_t build_tree(uint8_t *out)
{
	static struct builder b;

	memset(&b, 0, sizeof(b));
	begin_node(&b, "");
	PROP_CELLS(&b, "#address-cells", 2);
	PROP_CELLS(&b, "#size-cells", 2);
	begin_node(&b, "memory@40000000");
	PROP_STR(&b, "device_type", "memory");
	PROP_CELLS(&b, "reg", 0, 0x40000000, 0, 0x10000000, 1, 0, 0, 0x200000);
	emit_u32(&b, 2);
	begin_node(&b, "aliases");
	PROP_STR(&b, "serial0", "/pl011@9000000");
	emit_u32(&b, 2);
	begin_node(&b, "chosen");
	PROP_STR(&b, "bootargs", "ktest.filter=x a=\"b c\"");
	PROP_STR(&b, "stdout-path", "serial0:115200n8");
	PROP_CELLS(&b, "linux,initrd-start", 0x48000000);
	PROP_CELLS(&b, "linux,initrd-end", 0, 0x48001000);
	emit_u32(&b, 2);
	begin_node(&b, "psci");
	PROP_STR(&b, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	PROP_STR(&b, "method", "smc");
	emit_u32(&b, 2);
	begin_node(&b, "pl011@9000000");
	PROP_STR(&b, "compatible", "arm,pl011\0arm,primecell");
	PROP_CELLS(&b, "reg", 0, 0x9000000, 0, 0x1000);
	emit_u32(&b, 2);
	begin_node(&b, "intc@8000000");
	PROP_STR(&b, "compatible", "arm,gic-v3");
	PROP_CELLS(&b, "reg", 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	emit_u32(&b, 2);
	emit_u32(&b, 2);
	emit_u32(&b, 9);
	return finish(&b, out);
}

static void tree_parses(struct ktest *t)
{
	uint32_t size = build_tree(blob);
	struct platform p;

	KASSERT_NE(t, size, 0);
	KASSERT_EQ(t, platform_probe(&p, virt_to_phys(blob), size), 0);
	KEXPECT_EQ(t, p.mem_count, 2);
	KEXPECT_EQ(t, p.mem[0].base, 0x40000000);
	KEXPECT_EQ(t, p.mem[0].size, 0x10000000);
	KEXPECT_EQ(t, p.mem[1].base, 0x100000000);
	KEXPECT_STREQ(t, p.bootargs, "ktest.filter=x a=\"b c\"");
	KEXPECT_EQ(t, p.initrd_start, 0x48000000);
	KEXPECT_EQ(t, p.initrd_end, 0x48001000);
	KEXPECT_TRUE(t, p.uart_from_dtb);
	KEXPECT_EQ(t, p.uart_base, 0x9000000);
	KEXPECT_STREQ(t, p.psci_method, "smc");
	KEXPECT_EQ(t, p.gic_version, 3);
	KEXPECT_EQ(t, p.gic_dist, 0x8000000);
	KEXPECT_EQ(t, p.gic_cpu, 0x80a0000);
	KEXPECT_NULL(t, p.uboot_version);
}

/* fdt_open() on @copy (of @size bytes available) must fail with a reason. */
static bool rejected(uint32_t size)
{
	struct fdt fdt;
	const char *why = NULL;

	return fdt_open(&fdt, copy, size, &why) == -EINVAL && why;
}

static void truncation_rejected(struct ktest *t)
{
	uint32_t size = build_tree(blob);
	uint32_t n, accepted = 0;

	for (n = 0; n < size; n++) {
		memcpy(copy, blob, size);
		accepted += !rejected(n);		/* header says more */
		put_be32(copy + 4, n);
		accepted += !rejected(n);		/* header agrees */
	}
	KEXPECT_EQ(t, accepted, 0);
}

/* Overwrite the 32-bit word at @off of a fresh copy; expect rejection. */
static bool word_rejected(uint32_t size, uint32_t off, uint32_t val)
{
	memcpy(copy, blob, size);
	put_be32(copy + off, val);
	return rejected(size);
}

static void header_rejected(struct ktest *t)
{
	uint32_t size = build_tree(blob);

	KEXPECT_TRUE(t, word_rejected(size, 0, 0xd00dfeee));	/* magic */
	KEXPECT_TRUE(t, word_rejected(size, 4, size + 4));	/* totalsize */
	KEXPECT_TRUE(t, word_rejected(size, 8, 0xfffffffc));	/* struct offset */
	KEXPECT_TRUE(t, word_rejected(size, 8, HDR_SIZE + RSV_SIZE + 2));
	KEXPECT_TRUE(t, word_rejected(size, 12, size));		/* strings offset */
	KEXPECT_TRUE(t, word_rejected(size, 16, 12));		/* rsvmap in header */
	KEXPECT_TRUE(t, word_rejected(size, 20, 15));		/* version */
	KEXPECT_TRUE(t, word_rejected(size, 24, 18));		/* last_comp_version */
	KEXPECT_TRUE(t, word_rejected(size, 32, 0xffffff00));	/* strings size */
	KEXPECT_TRUE(t, word_rejected(size, 36, 0x7ffffff0));	/* struct size */
	KEXPECT_TRUE(t, word_rejected(size, HDR_SIZE + 4, 1));	/* rsvmap unterminated */
}

static void structure_rejected(struct ktest *t)
{
	uint32_t size = build_tree(blob);
	uint32_t st = HDR_SIZE + RSV_SIZE;
	uint32_t st_end = st + (uint32_t)fdt_read_cells(blob + 36, 1);
	KEXPECT_TRUE(t, word_rejected(size, st, 3));		/* root is a PROP */
	KEXPECT_TRUE(t, word_rejected(size, st, 7));		/* unknown tag */
	/* The root's first property: length, then name offset, out of bounds. */
	KEXPECT_TRUE(t, word_rejected(size, st + 8, 0x7fffffff));
	KEXPECT_TRUE(t, word_rejected(size, st + 12, 0x10000));
	/* FDT_END -> NOP: the walk runs off the end of the block. */
	KEXPECT_TRUE(t, word_rejected(size, st_end - 4, 4));
	/* FDT_END -> END_NODE: unbalanced nesting. */
	KEXPECT_TRUE(t, word_rejected(size, st_end - 4, 2));
	/* The root's END_NODE -> NOP: the tree ends inside a node. */
	KEXPECT_TRUE(t, word_rejected(size, st_end - 8, 4));
	/* The last property name loses its NUL terminator. */
	memcpy(copy, blob, size);
	copy[size - 1] = 'x';
	KEXPECT_TRUE(t, rejected(size));
}

static void nesting_bounded(struct ktest *t)
{
	static struct builder b;
	unsigned int i;
	uint32_t size;

	memset(&b, 0, sizeof(b));
	for (i = 0; i <= FDT_MAX_DEPTH; i++)
		begin_node(&b, i ? "n" : "");
	for (i = 0; i <= FDT_MAX_DEPTH; i++)
		emit_u32(&b, 2);
	emit_u32(&b, 9);
	size = finish(&b, copy);
	KASSERT_NE(t, size, 0);
	KEXPECT_TRUE(t, rejected(size));
}

/* Use every accessor on an accepted (possibly odd) tree. */
static unsigned long exercise(const struct fdt *fdt)
{
	unsigned long sum = 0;
	uint64_t base, size;
	uint32_t len;
	int depth = 0;
	int n;

	for (n = fdt_next_node(fdt, -1, &depth); n >= 0;
	     n = fdt_next_node(fdt, n, &depth)) {
		const char *s = fdt_prop_string(fdt, n, "stdout-path");

		sum += strlen(fdt_node_name(fdt, n)) + fdt_is_enabled(fdt, n);
		sum += fdt_is_compatible(fdt, n, "arm,pl011");
		sum += fdt_prop(fdt, n, "compatible", &len) ? len : 0;
		if (fdt_reg(fdt, n, 1, &base, &size) == 0)
			sum += base + size;
		if (s)
			sum += (unsigned long)fdt_path(fdt, s);
		sum += (unsigned long)fdt_parent(fdt, n);
	}
	return sum + (unsigned long)fdt_path(fdt, "/chosen");
}

static void random_corruption_is_safe(struct ktest *t)
{
	uint32_t size = build_tree(blob);
	uint32_t seed = 12345, accepted = 0, refused = 0;
	volatile unsigned long sink = 0;
	struct fdt fdt;
	const char *why;
	unsigned int i, j;

	for (i = 0; i < 3000; i++) {
		memcpy(copy, blob, size);
		for (j = 0; j <= i % 3; j++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % size] ^= (uint8_t)(1 + (seed >> 24) % 255);
		}
		if (fdt_open(&fdt, copy, size, &why) != 0) {
			refused++;
			continue;
		}
		accepted++;
		sink += exercise(&fdt);
	}
	ktest_diag(t, "%u corrupted trees refused, %u parsed", refused, accepted);
	KEXPECT_GT(t, refused, 0);
	KEXPECT_GT(t, accepted, 0);
	(void)sink;
}

static void platform_falls_back(struct ktest *t)
{
	struct platform p;

	memset(copy, 0xa5, sizeof(copy));
	KEXPECT_EQ(t, platform_probe(&p, virt_to_phys(copy), sizeof(copy)), -EINVAL);
	KEXPECT_FALSE(t, p.dtb_valid);
	KEXPECT_EQ(t, p.uart_base, VIRT_UART_BASE);
	KEXPECT_FALSE(t, p.uart_from_dtb);
	KEXPECT_EQ(t, p.mem_count, 1);
	KEXPECT_EQ(t, p.mem[0].base, VIRT_RAM_BASE);
}

KTEST_SUITE(fdt,
	    KTEST_CASE(tree_parses),
	    KTEST_CASE(truncation_rejected),
	    KTEST_CASE(header_rejected),
	    KTEST_CASE(structure_rejected),
	    KTEST_CASE(nesting_bounded),
	    KTEST_CASE(random_corruption_is_safe),
	    KTEST_CASE(platform_falls_back));
