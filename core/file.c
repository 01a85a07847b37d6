/*
 * Open files (see <kern/file.h>): reference counts, reading a byte string
 * at a position, seeking, fstat's facts, the console files, path
 * normalisation and the VFS's open.
 */
#include <kern/errno.h>
#include <kern/file.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <kern/uaccess.h>
#include <mm/kheap.h>

/* Bytes per console copy: the console lock is held for one chunk, so lines
 * from several CPUs interleave by chunk, never by character. */
#define WRITE_CHUNK		256

/* Standard input: there is no console input driver, so it is at end of
 * file (a bad buffer still gets -EFAULT, as before files existed). */
static long console_read(struct file *f, uintptr_t ubuf, size_t len,
			 uint64_t *pos)
{
	return user_range_ok(ubuf, len) ? 0 : -EFAULT;
}

/* Copy @len bytes from user @ubuf to the console; returns the bytes
 * written, or -EFAULT if none could be read. */
static long console_write(struct file *f, uintptr_t ubuf, size_t len)
{
	char buf[WRITE_CHUNK];
	size_t done = 0, n;

	while (done < len) {
		n = MIN(len - done, sizeof(buf));
		if (copy_from_user(buf, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_printf("%.*s", (int)n, buf);
		done += n;
	}
	return (long)done;
}

static const struct file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.seekable = false,
};

#define CONSOLE_FILE(acc)						\
	{ .ops = &console_ops, .refs = 1, .is_static = true,		\
	  .flags = (acc), .mode = S_IFCHR | 0620, .fs = FILE_FS_CONSOLE,	\
	  .ino = 1, .lock = SPINLOCK_INIT("console_file") }

/* fd 0 reads (end of file), fds 1 and 2 write: what they did before files
 * existed, so read(1) and write(0) stay -EBADF. */
struct file console_in = CONSOLE_FILE(O_RDONLY);
struct file console_out = CONSOLE_FILE(O_WRONLY);

struct file *file_alloc(const struct file_ops *ops)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->lock = (struct spinlock)SPINLOCK_INIT("file");
	return f;
}

void file_get(struct file *f)
{
	__atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	/* Acq-rel: the freeing CPU sees every other holder's last use. */
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0 ||
	    f->is_static)
		return;
	kfree(f->buf);
	kfree(f->path);
	kfree(f);
}

/*
 * Concurrent reads of one file through threads sharing the descriptor
 * each read from the position they saw and leave the larger end: bytes
 * may be read twice but never lost or out of bounds (Linux serialises
 * them with f_pos_lock; nothing here needs that).
 */
long file_read(struct file *f, uintptr_t ubuf, size_t len)
{
	unsigned long irq;
	uint64_t pos;
	long n;

	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if ((f->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	irq = spin_lock_irqsave(&f->lock);
	pos = f->pos;
	spin_unlock_irqrestore(&f->lock, irq);
	n = f->ops->read(f, ubuf, len, &pos);
	if (n > 0 && f->ops->seekable) {
		irq = spin_lock_irqsave(&f->lock);
		f->pos = MAX(f->pos, pos);
		spin_unlock_irqrestore(&f->lock, irq);
	}
	return n;
}

long file_write(struct file *f, uintptr_t ubuf, size_t len)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write)
		return -EBADF;
	return f->ops->write(f, ubuf, len);
}

long file_read_data(struct file *f, uintptr_t ubuf, size_t len,
		    uint64_t *pos)
{
	size_t n;

	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	if (*pos >= f->size || len == 0)
		return 0;
	n = MIN(len, f->size - (size_t)*pos);
	if (copy_to_user(ubuf, (const char *)f->data + *pos, n))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

int file_seek(struct file *f, int64_t off, int whence, uint64_t *out)
{
	unsigned long irq;
	int64_t base;
	int err = 0;

	if (!f->ops->seekable)
		return -ESPIPE;
	irq = spin_lock_irqsave(&f->lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->st_size;
		break;
	default:
		err = -EINVAL;
		break;
	}
	/* Linux: a resulting offset below 0 (or overflowing) is -EINVAL. */
	if (!err && (off < 0 ? base + off < 0 : base > INT64_MAX - off))
		err = -EINVAL;
	if (!err) {
		f->pos = (uint64_t)(base + off);
		*out = f->pos;
	}
	spin_unlock_irqrestore(&f->lock, irq);
	return err;
}

void file_stat(const struct file *f, struct file_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = f->fs;
	st->ino = f->ino;
	st->mode = f->mode;
	st->nlink = (f->mode & S_IFMT) == S_IFDIR ? 2 : 1;
	st->size = f->st_size;
	st->blksize = 4096;
	st->blocks = (f->st_size + 511) / 512;
	if (f->fs == FILE_FS_CONSOLE)
		st->rdev = (4u << 8) | 64;	/* ttyS0: major 4, minor 64 */
}

uint64_t file_ino(enum file_fs fs, const char *path)
{
	/* FNV-1a: stable across boots and distinct enough for a few
	 * hundred names; 0 is no inode to Linux programs, so avoid it. */
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)fs;

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 0x100000001b3ULL;
	return h ? h : 1;
}

int file_make_dir(struct file *f, const char *path, enum file_fs fs)
{
	size_t n = strlen(path) + 1;

	f->path = kmalloc(n);
	if (!f->path)
		return -ENOMEM;
	memcpy(f->path, path, n);
	f->mode = S_IFDIR | 0555;
	f->fs = fs;
	f->ino = file_ino(fs, path);
	return 0;
}

/* Append component @c (@n bytes) to @out (length *@len, @outsz bytes). */
static int path_push(char *out, size_t outsz, size_t *len, const char *c,
		     size_t n)
{
	size_t need = *len + (*len ? 1 : 0) + n;

	if (need + 1 > outsz)
		return -ENAMETOOLONG;
	if (*len)
		out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

/* Drop the last component of @out (".."); the root stays the root. */
static void path_pop(char *out, size_t *len)
{
	while (*len && out[*len - 1] != '/')
		(*len)--;
	if (*len)
		(*len)--;
	out[*len] = '\0';
}

/* Append every component of @p to @out, resolving "." and "..". */
static int path_walk(char *out, size_t outsz, size_t *len, const char *p)
{
	const char *end;
	int err;

	while (*p) {
		while (*p == '/')
			p++;
		for (end = p; *end && *end != '/'; end++)
			;
		if (end - p == 1 && p[0] == '.')
			;
		else if (end - p == 2 && p[0] == '.' && p[1] == '.')
			path_pop(out, len);
		else if (end > p && (err = path_push(out, outsz, len, p,
						     (size_t)(end - p))))
			return err;
		p = end;
	}
	return 0;
}

int file_path_normalise(const char *base, const char *in, char *out,
			size_t outsz)
{
	size_t len = 0;
	int err;

	if (!*in)
		return -ENOENT;
	if (outsz == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (*in != '/' && (err = path_walk(out, outsz, &len, base)))
		return err;
	return path_walk(out, outsz, &len, in);
}

/* Would this open change anything? Then a read-only tree refuses it. */
static bool wants_write(unsigned int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static int lookup(const char *path, struct file **out)
{
	int err = fs_synth_open(path, out);

	if (err == -ENOENT)
		err = fs_initramfs_open(path, out);
	return err;
}

/*
 * Why normalised @path was not found, as Linux would say: -ENOTDIR if a
 * leading component is a file, -ENOENT if one is missing. With
 * @creating, a missing last component in an existing directory is
 * -EROFS (Linux: creating on a read-only file system).
 */
static int missing_why(const char *path, bool creating)
{
	size_t n = strlen(path);
	char *prefix = kmalloc(n + 1);
	struct file *f;
	int err = 0;

	if (!prefix)
		return -ENOMEM;
	for (size_t i = 0; i <= n && !err; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		if (i == n) {
			err = creating ? -EROFS : -ENOENT;
			break;
		}
		/* A missing directory (-ENOENT) or no memory is the answer. */
		err = lookup(prefix, &f);
		if (!err) {
			if ((f->mode & S_IFMT) != S_IFDIR)
				err = -ENOTDIR;
			file_put(f);
		}
	}
	kfree(prefix);
	return err;
}

int file_open(const char *path, unsigned int flags, struct file **out)
{
	struct file *f;
	bool dir;
	int err = lookup(path, &f);

	if (err == -ENOENT)
		return missing_why(path, flags & O_CREAT);
	if (err)
		return err;
	dir = (f->mode & S_IFMT) == S_IFDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		err = -EEXIST;
	else if (dir && (flags & O_ACCMODE) != O_RDONLY)
		err = -EISDIR;
	else if (wants_write(flags))
		err = -EROFS;
	else if (!dir && (flags & O_DIRECTORY))
		err = -ENOTDIR;
	if (err) {
		file_put(f);
		return err;
	}
	f->flags = flags;
	*out = f;
	return 0;
}
