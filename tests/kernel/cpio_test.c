/*
 * Suite cpio: the newc reader on archives built here byte by byte, then on
 * every kind of damage. Damaged archives are copied to the very end of a
 * static array, so on the host any read past their size hits ASan's
 * redzone instead of passing silently.
 */
#include <kern/cpio.h>
#include <kern/errno.h>
#include <kern/string.h>
#include <ktest/ktest.h>

#define ARC_MAX		1024

static uint8_t arc[ARC_MAX];
static size_t arc_len;
static uint8_t tail[ARC_MAX];	/* damaged copies end at its last byte */

/* Offsets of one header's fields, for the corruption cases. */
#define OFF_MODE	(6 + 1 * 8)
#define OFF_FILESIZE	(6 + 6 * 8)
#define OFF_NAMESIZE	(6 + 11 * 8)

static void put_hex(uint8_t *p, uint32_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 4)
		p[i] = (uint8_t)"0123456789abcdef"[v & 15];
}

static void pad4(void)
{
	while (arc_len & 3)
		arc[arc_len++] = 0;
}

/* Append one entry to arc[] (the test's archives are far below ARC_MAX). */
static void put_entry(const char *name, uint32_t mode, const char *data)
{
	size_t n = data ? strlen(data) : 0;
	uint32_t field[13] = { [0] = (uint32_t)arc_len, [1] = mode, [4] = 1,
			       [6] = (uint32_t)n,
			       [11] = (uint32_t)strlen(name) + 1 };

	memcpy(arc + arc_len, CPIO_MAGIC, 6);
	for (int i = 0; i < 13; i++)
		put_hex(arc + arc_len + 6 + 8 * i, field[i]);
	arc_len += CPIO_HEADER_SIZE;
	memcpy(arc + arc_len, name, strlen(name) + 1);
	arc_len += strlen(name) + 1;
	pad4();
	memcpy(arc + arc_len, data ? data : "", n);
	arc_len += n;
	pad4();
}

/* Offsets of the entries of the standard archive, in order. */
static size_t hdr_init, hdr_trailer;

static void build_standard(void)
{
	memset(arc, 0, sizeof(arc));
	arc_len = 0;
	put_entry(".", CPIO_MODE_DIR | 0755, NULL);
	put_entry("./bin", CPIO_MODE_DIR | 0755, NULL);
	hdr_init = arc_len;
	put_entry("./bin/init", CPIO_MODE_REG | 0755, "hello\n");
	put_entry("etc/motd", CPIO_MODE_REG | 0644, "motd");
	put_entry("/abs", CPIO_MODE_REG | 0600, "abc");
	put_entry("empty", CPIO_MODE_REG | 0644, NULL);
	hdr_trailer = arc_len;
	put_entry(CPIO_TRAILER, 0, NULL);
}

/* Copy the first @n bytes of arc[] to the end of tail[]. */
static const uint8_t *at_tail(size_t n)
{
	uint8_t *p = tail + sizeof(tail) - n;

	memcpy(p, arc, n);
	return p;
}

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; s && *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static void find_files(struct ktest *t)
{
	struct cpio_file f;

	build_standard();
	KASSERT_EQ(t, cpio_find(arc, arc_len, "/bin/init", &f), 0);
	KEXPECT_STREQ(t, f.name, "bin/init");
	KEXPECT_EQ(t, f.size, 6);
	KEXPECT_EQ(t, memcmp(f.data, "hello\n", 6), 0);
	KEXPECT_EQ(t, f.mode, CPIO_MODE_REG | 0755);
	KEXPECT_TRUE(t, cpio_is_regular(&f));
	KEXPECT_NULL(t, f.error);
	/* Data is 4-aligned within the archive: padding was honoured. */
	KEXPECT_EQ(t, ((const uint8_t *)f.data - arc) % 4, 0);
	/* 110-byte header + "./bin/init" (11 bytes with NUL) + 3 of padding */
	KEXPECT_PTR_EQ(t, f.data, arc + hdr_init + 124);

	KASSERT_EQ(t, cpio_find(arc, arc_len, "bin/init", &f), 0);
	KEXPECT_EQ(t, memcmp(f.data, "hello\n", 6), 0);
	KASSERT_EQ(t, cpio_find(arc, arc_len, "./etc/motd", &f), 0);
	KEXPECT_EQ(t, f.size, 4);
	KEXPECT_EQ(t, memcmp(f.data, "motd", 4), 0);
	KASSERT_EQ(t, cpio_find(arc, arc_len, "abs", &f), 0);
	KEXPECT_EQ(t, f.mode, CPIO_MODE_REG | 0600);
	KEXPECT_EQ(t, memcmp(f.data, "abc", 3), 0);
	KASSERT_EQ(t, cpio_find(arc, arc_len, "/empty", &f), 0);
	KEXPECT_EQ(t, f.size, 0);
	KASSERT_EQ(t, cpio_find(arc, arc_len, "/bin", &f), 0);
	KEXPECT_FALSE(t, cpio_is_regular(&f));
	KEXPECT_EQ(t, f.mode & CPIO_MODE_TYPE, CPIO_MODE_DIR);

	KEXPECT_EQ(t, cpio_find(arc, arc_len, "missing", &f), -ENOENT);
	KEXPECT_EQ(t, cpio_find(arc, arc_len, "bin/ini", &f), -ENOENT);
	KEXPECT_EQ(t, cpio_find(arc, arc_len, "bin/init/", &f), -ENOENT);
	KEXPECT_EQ(t, cpio_find(arc, arc_len, CPIO_TRAILER, &f), -ENOENT);
}

static void list_entries(struct ktest *t)
{
	static const char *const names[] = {
		"", "bin", "bin/init", "etc/motd", "abs", "empty",
	};
	struct cpio_file f;
	size_t pos = 0;

	build_standard();
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		KASSERT_EQ(t, cpio_next(arc, arc_len, &pos, &f), 0);
		KEXPECT_STREQ(t, f.name, names[i]);
		KEXPECT_EQ(t, pos % 4, 0);
	}
	KEXPECT_EQ(t, pos, hdr_trailer);
	KEXPECT_EQ(t, cpio_next(arc, arc_len, &pos, &f), -ENOENT);
	KEXPECT_EQ(t, cpio_next(arc, arc_len, &pos, &f), -ENOENT);
	KEXPECT_EQ(t, pos, hdr_trailer);
	KEXPECT_NULL(t, f.error);
}

/* Walk a whole archive; returns the final result (-ENOENT = clean end). */
static int walk(const void *a, size_t size, struct cpio_file *f)
{
	size_t pos = 0;
	int err;

	while ((err = cpio_next(a, size, &pos, f)) == 0)
		continue;
	return err;
}

/* Cut at every length: an error each time until the trailer's name fits. */
static void truncated_everywhere(struct ktest *t)
{
	size_t trailer_fits, n;
	struct cpio_file f;
	unsigned int bad = 0;

	build_standard();
	trailer_fits = hdr_trailer + CPIO_HEADER_SIZE + sizeof(CPIO_TRAILER);
	for (n = 0; n <= arc_len; n++) {
		int err = walk(at_tail(n), n, &f);
		int want = n >= trailer_fits ? -ENOENT : -EINVAL;

		if (err != want || (err == -EINVAL && !f.error)) {
			ktest_diag(t, "length %zu: got %d", n, err);
			bad++;
		}
	}
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_EQ(t, walk(at_tail(hdr_trailer), hdr_trailer, &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "without a TRAILER"));
	n = hdr_init + 100;
	KEXPECT_EQ(t, walk(at_tail(n), n, &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "truncated cpio header"));
}

/* Set the standard archive's "bin/init" header field at @off to @text. */
static int damaged(size_t off, const char *text, struct cpio_file *f)
{
	build_standard();
	memcpy(arc + hdr_init + off, text, strlen(text));
	return cpio_find(at_tail(arc_len), arc_len, "bin/init", f);
}

/* The same with one byte, which may be a NUL. */
static int damaged_byte(size_t off, char c, struct cpio_file *f)
{
	build_standard();
	arc[hdr_init + off] = (uint8_t)c;
	return cpio_find(at_tail(arc_len), arc_len, "bin/init", f);
}

static void bad_magic(struct ktest *t)
{
	struct cpio_file f;

	KEXPECT_EQ(t, damaged(0, "170701", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "bad cpio magic"));
	KEXPECT_EQ(t, damaged(0, "070707", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "odc"));
	KEXPECT_EQ(t, damaged(0, "070702", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "CRC"));
	/* An entry found before the damage is still found. */
	KEXPECT_EQ(t, cpio_find(arc, arc_len, "bin", &f), 0);
}

static void bad_hex(struct ktest *t)
{
	struct cpio_file f;

	KEXPECT_EQ(t, damaged(OFF_FILESIZE + 3, "g", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "non-hex"));
	KEXPECT_EQ(t, damaged(OFF_MODE, " ", &f), -EINVAL);
	KEXPECT_EQ(t, damaged_byte(6 + 12 * 8 + 7, '\0', &f), -EINVAL);
	/* Upper-case digits are hex too. */
	KEXPECT_EQ(t, damaged(OFF_MODE, "000081ED", &f), 0);
	KEXPECT_EQ(t, f.mode, CPIO_MODE_REG | 0755);
}

static void huge_sizes(struct ktest *t)
{
	struct cpio_file f;

	KEXPECT_EQ(t, damaged(OFF_FILESIZE, "ffffffff", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "data runs past"));
	KEXPECT_EQ(t, damaged(OFF_FILESIZE, "00000400", &f), -EINVAL);
	KEXPECT_EQ(t, damaged(OFF_NAMESIZE, "ffffffff", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "name runs past"));
	KEXPECT_EQ(t, damaged(OFF_NAMESIZE, "fffffff0", &f), -EINVAL);
	KEXPECT_EQ(t, damaged(OFF_NAMESIZE, "00000000", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "empty entry name"));
	KEXPECT_EQ(t, damaged(OFF_NAMESIZE, "00000001", &f), -EINVAL);
}

static void bad_names(struct ktest *t)
{
	struct cpio_file f;

	/* "./bin/init" is 11 bytes with its NUL; claim 10: no NUL at 10. */
	KEXPECT_EQ(t, damaged(OFF_NAMESIZE, "0000000a", &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "not NUL-terminated"));
	KEXPECT_EQ(t, damaged_byte(CPIO_HEADER_SIZE + 10, 'x', &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "not NUL-terminated"));
	KEXPECT_EQ(t, damaged_byte(CPIO_HEADER_SIZE + 3, '\0', &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "not NUL-terminated"));
}

/* A name in the final bytes, with no room for its padding or its NUL. */
static void name_at_the_end(struct ktest *t)
{
	struct cpio_file f;
	size_t n = hdr_init + CPIO_HEADER_SIZE + 10;

	build_standard();
	KEXPECT_EQ(t, walk(at_tail(n), n, &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "name runs past"));
	KEXPECT_EQ(t, walk(at_tail(n + 1), n + 1, &f), -EINVAL);
	KEXPECT_TRUE(t, contains(f.error, "padding"));
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* An entry must lie inside the archive and hold a proper C string. */
static bool entry_sane(const uint8_t *a, size_t size, const struct cpio_file *f)
{
	const uint8_t *d = f->data, *nm = (const uint8_t *)f->name;
	size_t room;

	if (nm < a || nm >= a + size)
		return false;
	room = (size_t)(a + size - nm);
	return strnlen(f->name, room) < room &&
	       d >= a && d <= a + size && f->size <= (size_t)(a + size - d);
}

/* 2000 single-byte mutations: each walk ends cleanly or with a reason. */
static void mutations(struct ktest *t)
{
	uint32_t seed = 0x5eed;
	unsigned int ok = 0, failed = 0, bad = 0;

	for (unsigned int i = 0; i < 2000; i++) {
		const uint8_t *a;
		struct cpio_file f;
		size_t pos = 0;
		int err;

		build_standard();
		arc[lcg(&seed) % arc_len] = (uint8_t)lcg(&seed);
		a = at_tail(arc_len);
		while ((err = cpio_next(a, arc_len, &pos, &f)) == 0)
			if (!entry_sane(a, arc_len, &f))
				bad++;
		if (err == -ENOENT)
			ok++;
		else if (err == -EINVAL && f.error)
			failed++;
		else
			bad++;
	}
	ktest_diag(t, "%u walks ended cleanly, %u with an error", ok, failed);
	KEXPECT_EQ(t, bad, 0);
	KEXPECT_GT(t, ok, 0);
	KEXPECT_GT(t, failed, 0);
}

KTEST_SUITE(cpio,
	KTEST_CASE(find_files),
	KTEST_CASE(list_entries),
	KTEST_CASE(truncated_everywhere),
	KTEST_CASE(bad_magic),
	KTEST_CASE(bad_hex),
	KTEST_CASE(huge_sizes),
	KTEST_CASE(bad_names),
	KTEST_CASE(name_at_the_end),
	KTEST_CASE(mutations));
