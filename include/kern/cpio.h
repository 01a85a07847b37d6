/*
 * Reader of cpio "newc" archives, the Linux initramfs format: each entry is
 * a 110-byte header of ASCII fields ("070701", then thirteen 8-digit hex
 * numbers), the NUL-terminated name padded so the data starts 4-aligned,
 * the data padded to 4 bytes; the entry named "TRAILER!!!" ends the archive.
 *
 * The archive is only read, never copied or modified: names and data point
 * into it. Every field is checked against the archive's size before use,
 * so a malformed archive yields -EINVAL and a reason, never a stray read.
 * Nothing allocates and nothing locks; the archive must stay mapped and
 * unchanged while the results are in use.
 */
#ifndef KERN_CPIO_H
#define KERN_CPIO_H

#include <kern/types.h>

#define CPIO_HEADER_SIZE	110
#define CPIO_MAGIC		"070701"
#define CPIO_TRAILER		"TRAILER!!!"

/* st_mode file types (the same values as Linux's S_IF*). */
#define CPIO_MODE_TYPE		0170000u
#define CPIO_MODE_REG		0100000u
#define CPIO_MODE_DIR		0040000u
#define CPIO_MODE_LNK		0120000u

struct cpio_file {
	/*
	 * The entry's name without leading "/" and "./" components ("" for
	 * the archive's "." entry); NUL-terminated, inside the archive.
	 */
	const char *name;
	const void *data;	/* @size bytes inside the archive */
	size_t size;
	uint32_t mode;		/* st_mode: CPIO_MODE_* type, rights */
	/* Why the last call returned -EINVAL (a string literal), else NULL. */
	const char *error;
};

static inline bool cpio_is_regular(const struct cpio_file *f)
{
	return (f->mode & CPIO_MODE_TYPE) == CPIO_MODE_REG;
}

/*
 * Read the entry at byte offset *@pos of the @size-byte @archive into @out
 * and advance *@pos to the next entry (start with *@pos = 0). Returns 0 for
 * an entry, -ENOENT once the trailer is reached (*@pos is then left on it,
 * so further calls keep returning -ENOENT), or -EINVAL for a malformed or
 * truncated entry, with @out->error saying why.
 * Locking: none (read-only). TLB: none.
 */
int cpio_next(const void *archive, size_t size, size_t *pos,
	      struct cpio_file *out);

/*
 * Find @path in @archive. @path may start with "/" and the archive's names
 * with "./" or "/"; both are stripped before an exact byte comparison (no
 * other normalisation: "a//b" does not match "a/b"). The entry may be of
 * any type: check cpio_is_regular() before reading it as a file. Entries
 * are checked up to and including the match only. Returns 0 with @out
 * filled, -ENOENT if the archive ends without a match, or -EINVAL if a
 * malformed entry comes first (@out->error says why).
 * Locking: none (read-only). TLB: none.
 */
int cpio_find(const void *archive, size_t size, const char *path,
	      struct cpio_file *out);

#endif
