/*
 * Open files and the small read-only VFS behind them.
 *
 * A struct file is what a file descriptor refers to: the console (fds 0-2
 * of every process, reads at end of file, writes to the serial console),
 * or a read-only byte string with a position: an initramfs file, read in
 * place in the archive, or a synthetic file (/proc, /sys) whose contents
 * are generated once, at open, into a buffer the file owns (a snapshot,
 * as Linux's seq_file takes at the first read). Directories open too (for
 * openat's dirfd and fstat) but cannot be read.
 *
 * Names: one tree rooted at "/", the process's working directory too.
 * Paths are normalised ("//", "." and ".." resolved, ".." of "/" is "/")
 * before lookup; the synthetic tree is searched first, then the archive.
 *
 * Lifetime: files are reference counted (each fd slot holds one, as does
 * a reader in the middle of a call); the last file_put frees the file and
 * the buffer it owns. The console file is static and never freed.
 *
 * Locking: a file's position is protected by its own lock (innermost,
 * never held across a user copy); everything else in it is immutable
 * after file_open.
 */
#ifndef KERN_FILE_H
#define KERN_FILE_H

#include <kern/spinlock.h>
#include <kern/types.h>

/* Linux's open flags (the same on x86 and the generic ABI, except
 * O_DIRECTORY, which arm64 moved). */
#define O_ACCMODE	0003
#define O_RDONLY	00
#define O_WRONLY	01
#define O_RDWR		02
#define O_CREAT		0100
#define O_EXCL		0200
#define O_TRUNC		01000
#define O_APPEND	02000
#if defined(__aarch64__)
#define O_DIRECTORY	040000
#else
#define O_DIRECTORY	0200000
#endif

/* st_mode types and rights (Linux's S_IF* values). */
#define S_IFMT		0170000u
#define S_IFDIR		0040000u
#define S_IFCHR		0020000u
#define S_IFREG		0100000u

#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

/* Longest path accepted, NUL included (Linux's PATH_MAX). */
#define FILE_PATH_MAX	4096

/* Which file system a file lives on: its st_dev. */
enum file_fs {
	FILE_FS_CONSOLE = 1,
	FILE_FS_INITRAMFS,
	FILE_FS_PROC,
	FILE_FS_SYS,
};

struct file;

struct file_ops {
	/* Copy up to @len bytes at *@pos to user @ubuf, advancing *@pos;
	 * returns the bytes copied (0 at end of file) or -errno. */
	long (*read)(struct file *f, uintptr_t ubuf, size_t len,
		     uint64_t *pos);
	/* Write @len bytes from user @ubuf; the bytes written or -errno. */
	long (*write)(struct file *f, uintptr_t ubuf, size_t len);
	bool seekable;
};

struct file {
	const struct file_ops *ops;
	unsigned int refs;		/* atomic */
	bool is_static;			/* never freed (the console) */
	unsigned int flags;		/* O_* flags it was opened with */
	uint32_t mode;			/* st_mode */
	enum file_fs fs;
	uint64_t ino;
	const void *data;		/* contents: @size bytes */
	size_t size;
	size_t st_size;			/* size fstat reports */
	void *buf;			/* owned buffer behind @data, or NULL */
	char *path;			/* directories: normalised path, no
					 * leading "/" ("" is the root) */
	struct spinlock lock;		/* @pos */
	uint64_t pos;
};

/* What fstat reports about a file, before each arch's layout. */
struct file_stat {
	uint64_t dev, ino, rdev;
	uint32_t mode, nlink, uid, gid;
	uint64_t size, blocks;
	uint32_t blksize;
};

/* The console: fd 0 of every process starts as console_in (reads at end
 * of file), fds 1 and 2 as console_out (writes to the serial console). */
extern struct file console_in, console_out;

/*
 * A new file of @ops, reference count 1, everything else zero.
 * NULL when memory runs out. Locking: none.
 */
struct file *file_alloc(const struct file_ops *ops);

/* Take / drop a reference; the last file_put frees @f, its buffer and
 * path. Locking: none (atomic count). */
void file_get(struct file *f);
void file_put(struct file *f);

/* Read from the position and advance it: the bytes read, 0 at the end,
 * -EBADF if opened write-only, -EISDIR, -EFAULT. Locking: takes @f's lock
 * around the position only (never across the user copy). TLB: none. */
long file_read(struct file *f, uintptr_t ubuf, size_t len);

/* Write: the bytes written, -EBADF if not opened for writing, -EFAULT.
 * Locking: none of @f's (the console takes its own). */
long file_write(struct file *f, uintptr_t ubuf, size_t len);

/* lseek: the new position in *@out, or -ESPIPE (console), -EINVAL (bad
 * @whence, negative result). Locking: takes @f's lock. */
int file_seek(struct file *f, int64_t off, int whence, uint64_t *out);

/* fstat's facts about @f. Locking: none (immutable fields). */
void file_stat(const struct file *f, struct file_stat *st);

/* The read op of files that are byte strings (@data, @size): copies from
 * *@pos, advances it. Locking: none (the contents never change). */
long file_read_data(struct file *f, uintptr_t ubuf, size_t len,
		    uint64_t *pos);

/*
 * Normalise path @in, relative to directory @base (no leading "/"; "" for
 * the root) unless it is absolute, into @out (@outsz bytes): no leading
 * or trailing "/", no "." or ".." components, no empty ones.
 * Returns 0, -ENOENT for an empty @in, -ENAMETOOLONG. Locking: none.
 */
int file_path_normalise(const char *base, const char *in, char *out,
			size_t outsz);

/*
 * Open the normalised @path with O_* @flags: the VFS entry point. Returns
 * 0 with *@out holding a reference, or -ENOENT, -ENOTDIR (a component or
 * O_DIRECTORY is not a directory), -EROFS (any write, create or truncate:
 * everything here is read-only), -EEXIST (O_CREAT | O_EXCL of an existing
 * file), -EISDIR (a directory for writing), -ENOMEM.
 * Locking: none held; may allocate. TLB: none.
 */
int file_open(const char *path, unsigned int flags, struct file **out);

/* --- File systems (core/fs_*.c): lookups of a normalised path -------- */

/* Open @path in the synthetic tree (/proc, /sys); -ENOENT if it is not
 * there, -ENOMEM. Directories of the tree open as directories. The text
 * is generated here. Locking: none held (takes proc_lock, the caller's
 * vm and pmap locks briefly). TLB: none. */
int fs_synth_open(const char *path, struct file **out);

/* Open @path in the initramfs; -ENOENT if not there, -ENOMEM. A name that
 * is a prefix of entries' names opens as a directory even when the
 * archive has no entry for the directory itself. Locking: none (the
 * archive is read-only). */
int fs_initramfs_open(const char *path, struct file **out);

/* Make @f a directory named @path (copied); 0 or -ENOMEM.
 * Locking: none (@f is not shared yet). */
int file_make_dir(struct file *f, const char *path, enum file_fs fs);

/* A stable inode number for @path on @fs (a hash of the name). */
uint64_t file_ino(enum file_fs fs, const char *path);

#endif
