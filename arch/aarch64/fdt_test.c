/*
 * Suite fdt: the DTB reader, the platform probe and the /cpus parser on
 * small synthetic trees, then on broken copies: every truncation, header
 * and structure corruptions and random byte flips must be rejected with a
 * reason or parsed without faulting; malformed CPU nodes are skipped. The copies sit in mapped RAM, so a
 * read slightly out of bounds would go unnoticed here; fdt.c also builds
 * natively, for a fuzzer under AddressSanitizer.
 */

#include <kern/errno.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <machine/cpu_dt.h>
#include <machine/fdt.h>
#include <machine/memlayout.h>
#include <machine/platform.h>

#define BLOB_MAX	1536
#define HDR_SIZE	40
#define RSV_SIZE	16

struct builder {
	uint8_t st[1024];
	uint32_t st_len;
	char strings[512];
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
	uint8_t be[64];
	unsigned int i;

	if (n > sizeof(be) / 4) {
		b->overflow = true;
		return;
	}
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
	PROP_CELLS(&b, "#interrupt-cells", 3);
	emit_u32(&b, 2);
	begin_node(&b, "timer");
	PROP_STR(&b, "compatible", "arm,armv8-timer\0arm,armv7-timer");
	PROP_CELLS(&b, "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4);
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
	KEXPECT_EQ(t, p.timer_intid, 30);
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

/* One /cpus child: "cpu@<name>" with @reg_len cells of @reg. */
static void cpu_node(struct builder *b, const char *name, const uint32_t *reg,
		     unsigned int reg_len, const char *method)
{
	begin_node(b, name);
	PROP_STR(b, "device_type", "cpu");
	prop_cells(b, "reg", reg, reg_len);
	if (method)
		prop(b, "enable-method", method, strlen(method) + 1);
	emit_u32(b, 2);
}

/*
 * /cpus with #address-cells 1: good CPUs 0, 1 and 0x100, then one each
 * of: another enable-method, a 2-cell reg, a duplicate, a disabled node,
 * a reg with a non-affinity bit, and a cpu-map subtree (not a CPU).
 */
static uint32_t build_cpus_tree(uint8_t *out)
{
	static struct builder b;
	static const uint32_t r0 = 0, r1 = 1, r2 = 2, r100 = 0x100, r6 = 6;
	static const uint32_t r_long[2] = { 0, 3 }, r_bit31 = 0x80000007;

	memset(&b, 0, sizeof(b));
	begin_node(&b, "");
	begin_node(&b, "cpus");
	PROP_CELLS(&b, "#address-cells", 1);
	PROP_CELLS(&b, "#size-cells", 0);
	begin_node(&b, "cpu-map");
	begin_node(&b, "core0");
	PROP_STR(&b, "device_type", "cpu");
	PROP_CELLS(&b, "cpu", 1);
	emit_u32(&b, 2);
	emit_u32(&b, 2);
	cpu_node(&b, "cpu@0", &r0, 1, "psci");
	cpu_node(&b, "cpu@1", &r1, 1, "psci");
	cpu_node(&b, "cpu@2", &r2, 1, "spin-table");
	cpu_node(&b, "cpu@3", r_long, 2, "psci");
	cpu_node(&b, "cpu@100", &r100, 1, "psci");
	cpu_node(&b, "cpu@1b", &r1, 1, "psci");
	begin_node(&b, "cpu@6");
	PROP_STR(&b, "device_type", "cpu");
	PROP_CELLS(&b, "reg", r6);
	PROP_STR(&b, "status", "disabled");
	PROP_STR(&b, "enable-method", "psci");
	emit_u32(&b, 2);
	cpu_node(&b, "cpu@7", &r_bit31, 1, "psci");
	emit_u32(&b, 2);
	emit_u32(&b, 2);
	emit_u32(&b, 9);
	return finish(&b, out);
}

static void cpus_parse(struct ktest *t)
{
	uint32_t size = build_cpus_tree(blob);
	uint64_t m[8];
	struct fdt fdt;
	const char *why;

	KASSERT_NE(t, size, 0);
	KASSERT_EQ(t, fdt_open(&fdt, blob, size, &why), 0);
	/* Boot CPU first, then tree order; the bad nodes are skipped. */
	KASSERT_EQ(t, cpu_dt_parse(&fdt, 0x100, m, 8), 3);
	KEXPECT_EQ(t, m[0], 0x100);
	KEXPECT_EQ(t, m[1], 0);
	KEXPECT_EQ(t, m[2], 1);
	/* A boot CPU the tree does not list still comes first. */
	KASSERT_EQ(t, cpu_dt_parse(&fdt, 0x5, m, 8), 4);
	KEXPECT_EQ(t, m[0], 0x5);
	KEXPECT_EQ(t, m[3], 0x100);
	/* The cap: at most @max, never fewer than the boot CPU. */
	KEXPECT_EQ(t, cpu_dt_parse(&fdt, 0, m, 2), 2);
	KEXPECT_EQ(t, cpu_dt_parse(&fdt, 0, m, 1), 1);
}

/* #address-cells 2 puts Aff3 in the first cell; a tree without /cpus
 * still yields the boot CPU. */
static void cpus_two_cells_and_missing(struct ktest *t)
{
	static struct builder b;
	static const uint32_t r0[2] = { 0, 0 }, r_aff3[2] = { 1, 0x10203 };
	uint32_t size;
	uint64_t m[4];
	struct fdt fdt;
	const char *why;

	memset(&b, 0, sizeof(b));
	begin_node(&b, "");
	begin_node(&b, "cpus");
	PROP_CELLS(&b, "#address-cells", 2);
	PROP_CELLS(&b, "#size-cells", 0);
	cpu_node(&b, "cpu@0", r0, 2, "psci");
	cpu_node(&b, "cpu@100010203", r_aff3, 2, "psci");
	emit_u32(&b, 2);
	emit_u32(&b, 2);
	emit_u32(&b, 9);
	size = finish(&b, blob);
	KASSERT_NE(t, size, 0);
	KASSERT_EQ(t, fdt_open(&fdt, blob, size, &why), 0);
	KASSERT_EQ(t, cpu_dt_parse(&fdt, 0, m, 4), 2);
	KEXPECT_EQ(t, m[1], 0x100010203);

	size = build_tree(blob);
	KASSERT_EQ(t, fdt_open(&fdt, blob, size, &why), 0);
	KEXPECT_EQ(t, cpu_dt_parse(&fdt, 0x3, m, 4), 1);
	KEXPECT_EQ(t, m[0], 0x3);
}

KTEST_SUITE(fdt,
	    KTEST_CASE(tree_parses),
	    KTEST_CASE(truncation_rejected),
	    KTEST_CASE(header_rejected),
	    KTEST_CASE(structure_rejected),
	    KTEST_CASE(nesting_bounded),
	    KTEST_CASE(random_corruption_is_safe),
	    KTEST_CASE(platform_falls_back),
	    KTEST_CASE(cpus_parse),
	    KTEST_CASE(cpus_two_cells_and_missing));
