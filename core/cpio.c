/*
 * cpio "newc" reader (see include/kern/cpio.h for the format). Offsets are
 * size_t and every step is checked against the bytes that remain before it
 * is taken, so no sum can wrap and no read leaves the archive.
 */
#include <kern/compiler.h>
#include <kern/cpio.h>
#include <kern/errno.h>
#include <kern/string.h>

/* Field order of a newc header after the 6-byte magic, 8 hex digits each. */
enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

#define CPIO_MAGIC_LEN	6
#define CPIO_FIELD_LEN	8

static int cpio_fail(struct cpio_file *out, const char *why)
{
	out->error = why;
	return -EINVAL;
}

/* Decode one 8-digit hex field; returns false on any non-hex character. */
static bool hex_field(const char *hdr, enum cpio_field f, uint32_t *val)
{
	const char *p = hdr + CPIO_MAGIC_LEN + (size_t)f * CPIO_FIELD_LEN;
	uint32_t v = 0;

	for (unsigned int i = 0; i < CPIO_FIELD_LEN; i++) {
		char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*val = v;
	return true;
}

/* Names a wrong magic precisely: the other cpio formats are common mistakes. */
static const char *magic_error(const char *hdr)
{
	if (memcmp(hdr, CPIO_MAGIC, CPIO_MAGIC_LEN) == 0)
		return NULL;
	if (memcmp(hdr, "070707", CPIO_MAGIC_LEN) == 0)
		return "old portable (odc) cpio format: use 'cpio -H newc'";
	if (memcmp(hdr, "070702", CPIO_MAGIC_LEN) == 0)
		return "newc-with-CRC cpio format: use 'cpio -H newc'";
	return "bad cpio magic (expected \"070701\")";
}

/* Drop leading "/" and "./" components, which name the archive's root. */
static const char *strip_root(const char *p)
{
	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else if (p[0] == '.' && p[1] == '\0')
			p++;
		else
			return p;
	}
}

/* Advance *@pos by @n bytes rounded up to 4, if that stays within @size. */
static bool skip_padded(size_t *pos, size_t n, size_t size)
{
	size_t pad;

	if (n > size - *pos)
		return false;
	*pos += n;
	pad = (4 - (*pos & 3)) & 3;
	if (pad > size - *pos)
		return false;
	*pos += pad;
	return true;
}

/*
 * Check the name of the entry whose header is at @pos (namesize bytes
 * including the NUL): it must fit, end in its only NUL and not be empty.
 */
static const char *check_name(const char *base, size_t size, size_t pos,
			      uint32_t namesize)
{
	const char *name = base + pos + CPIO_HEADER_SIZE;

	if (namesize < 2)
		return "empty entry name (namesize < 2)";
	if (namesize > size - pos - CPIO_HEADER_SIZE)
		return "entry name runs past the end of the archive";
	if (strnlen(name, namesize) != namesize - 1)
		return "entry name is not NUL-terminated at namesize";
	return NULL;
}

/* The header at @at: magic, hex fields and name; NULL or the reason. */
static const char *read_header(const char *base, size_t size, size_t at,
			       uint32_t field[F_COUNT])
{
	const char *why;

	if (at > size || size - at < CPIO_HEADER_SIZE)
		return at == size ? "archive ends without a TRAILER!!! entry" :
				    "truncated cpio header";
	if ((why = magic_error(base + at)) != NULL)
		return why;
	for (unsigned int f = 0; f < F_COUNT; f++)
		if (!hex_field(base + at, f, &field[f]))
			return "non-hex digit in a cpio header field";
	return check_name(base, size, at, field[F_NAMESIZE]);
}

int cpio_next(const void *archive, size_t size, size_t *pos,
	      struct cpio_file *out)
{
	const char *base = archive, *name, *why;
	uint32_t field[F_COUNT];
	size_t at = *pos;

	out->error = NULL;
	if ((why = read_header(base, size, at, field)) != NULL)
		return cpio_fail(out, why);
	name = base + at + CPIO_HEADER_SIZE;
	/* The trailer's padding may be cut off: nothing follows it anyway. */
	if (strcmp(name, CPIO_TRAILER) == 0)
		return -ENOENT;
	/* check_name() bounded namesize, so this sum fits in a size_t. */
	if (!skip_padded(&at, CPIO_HEADER_SIZE + (size_t)field[F_NAMESIZE],
			 size))
		return cpio_fail(out, "entry name padding runs past the end");
	out->name = strip_root(name);
	out->data = base + at;
	out->size = field[F_FILESIZE];
	out->mode = field[F_MODE];
	if (out->size > size - at)
		return cpio_fail(out, "entry data runs past the end");
	/* Data padding cut off at the end: the next call reports the end. */
	if (!skip_padded(&at, out->size, size))
		at = size;
	*pos = at;
	return 0;
}

int cpio_find(const void *archive, size_t size, const char *path,
	      struct cpio_file *out)
{
	size_t pos = 0;
	int err;

	path = strip_root(path);
	while ((err = cpio_next(archive, size, &pos, out)) == 0)
		if (strcmp(out->name, path) == 0)
			return 0;
	return err;
}
