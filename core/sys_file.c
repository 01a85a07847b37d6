/*
 * System calls on files: open / openat, read, readv, write, writev, ioctl,
 * close, lseek (and i686's _llseek), fstat, newfstatat / fstatat64,
 * stat and statx, with each arch's Linux struct stat layout (asm/stat.h: x86_64's
 * own, i386's stat and packed stat64, arm64's asm-generic one).
 */
#include <kern/errno.h>
#include <kern/fd_table.h>
#include <kern/file.h>
#include <kern/proc.h>
#include <kern/string.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <mm/kheap.h>
#include <mm/page.h>

#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_NO_AUTOMOUNT		0x800
#define AT_EMPTY_PATH		0x1000

/* Linux's limit on the iovecs of one call (UIO_MAXIOV). */
#define IOV_MAX			1024

static struct fd_table *files(void)
{
	return proc_current()->files;
}

/*
 * Copy the NUL-terminated string at user @ustr into @buf (@size bytes),
 * up to a page boundary at a time, so that a string ending just before an
 * unmapped page still copies. 0, -EFAULT or -ENAMETOOLONG.
 */
static int copy_path_from_user(char *buf, size_t size, uintptr_t ustr)
{
	size_t done = 0, n;

	while (done < size) {
		n = MIN(size - done, PAGE_SIZE - ((ustr + done) % PAGE_SIZE));
		if (copy_from_user(buf + done, ustr + done, n))
			return -EFAULT;
		if (strnlen(buf + done, n) < n)
			return 0;
		done += n;
	}
	return -ENAMETOOLONG;
}

/*
 * Open what @upath names, relative to @dirfd (AT_FDCWD: the working
 * directory, which is the root), with O_* @flags. With @empty_ok
 * (AT_EMPTY_PATH), an empty path names @dirfd's file itself. Returns 0
 * with *@out referenced, or -EFAULT, -ENAMETOOLONG, -ENOENT, -EBADF (a bad
 * @dirfd for a relative path), -ENOTDIR, -ENOMEM and file_open's errors.
 */
static int open_at(long dirfd, uintptr_t upath, unsigned int flags,
		   bool empty_ok, struct file **out)
{
	char *in = kmalloc(FILE_PATH_MAX), *norm = kmalloc(FILE_PATH_MAX);
	bool relative;
	struct file *d = NULL;
	int err = in && norm ? copy_path_from_user(in, FILE_PATH_MAX, upath) :
		-ENOMEM;

	if (err)
		goto out;
	relative = in[0] != '/';
	/* Linux: an absolute path ignores dirfd, whatever it is. */
	if (relative && dirfd != AT_FDCWD) {
		d = fd_get(files(), dirfd);
		if (!d) {
			err = -EBADF;
			goto out;
		}
	}
	if (empty_ok && !in[0]) {
		if (d) {
			*out = d;	/* the reference moves to the caller */
			d = NULL;
		} else {
			err = file_open("", O_RDONLY, out);
		}
		goto out;
	}
	if (d && (d->mode & S_IFMT) != S_IFDIR)
		err = -ENOTDIR;
	else
		err = file_path_normalise(d ? d->path : "", in, norm,
					  FILE_PATH_MAX);
	if (!err)
		err = file_open(norm, flags, out);
out:
	if (d)
		file_put(d);
	kfree(in);
	kfree(norm);
	return err;
}

/* The flags open accepts; others are ignored as Linux ignores unknown
 * ones (O_CLOEXEC, O_LARGEFILE, O_NOCTTY, O_NONBLOCK: nothing to do). */
static long do_openat(long dirfd, uintptr_t upath, unsigned long flags)
{
	struct file *f;
	int fd, err = open_at(dirfd, upath, (unsigned int)flags, false, &f);

	if (err)
		return err;
	fd = fd_install(files(), f);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(const struct syscall_args *args)
{
	return do_openat(AT_FDCWD, args->a[0], args->a[1]);
}

long sys_openat(const struct syscall_args *args)
{
	return do_openat((long)(int)args->a[0], args->a[1], args->a[2]);
}

long sys_close(const struct syscall_args *args)
{
	return fd_close(files(), (long)(int)args->a[0]);
}

/* The file at descriptor register @reg, referenced, or NULL. */
static struct file *file_at(unsigned long reg)
{
	return fd_get(files(), (long)(int)reg);
}

long sys_read(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = file_read(f, args->a[1], args->a[2]);
	file_put(f);
	return r;
}

long sys_write(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = file_write(f, args->a[1], args->a[2]);
	file_put(f);
	return r;
}

/* writev: each iovec in turn; a bad one after some bytes were written
 * ends the call with the count so far, as a short write. */
static long writev_file(struct file *f, uintptr_t uiov, unsigned long n)
{
	struct { uintptr_t base; size_t len; } iov;
	long total = 0, r;

	if (n > IOV_MAX)
		return -EINVAL;
	for (unsigned long i = 0; i < n; i++) {
		if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
			return total ? total : -EFAULT;
		r = file_write(f, iov.base, iov.len);
		if (r < 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

long sys_writev(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = writev_file(f, args->a[1], args->a[2]);
	file_put(f);
	return r;
}

/* readv: each iovec in turn until one comes back short (end of file);
 * a bad one after some bytes were read ends the call with the count so
 * far. musl's stdio reads files this way. */
static long readv_file(struct file *f, uintptr_t uiov, unsigned long n)
{
	struct { uintptr_t base; size_t len; } iov;
	long total = 0, r;

	if (n > IOV_MAX)
		return -EINVAL;
	for (unsigned long i = 0; i < n; i++) {
		if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
			return total ? total : -EFAULT;
		r = file_read(f, iov.base, iov.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov.len)
			break;
	}
	return total;
}

long sys_readv(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = readv_file(f, args->a[1], args->a[2]);
	file_put(f);
	return r;
}

/* The serial console is no terminal this kernel drives, and no other file
 * takes requests: every one is "not a tty", which makes libcs buffer
 * standard output fully (flushed at exit). */
long sys_ioctl(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);

	if (!f)
		return -EBADF;
	file_put(f);
	return -ENOTTY;
}

/* lseek with a native long offset. A result a long cannot hold (i686's
 * 32-bit off_t; use _llseek) is -EOVERFLOW, the position already moved, as
 * Linux's ksys_lseek reports it. */
long sys_lseek(const struct syscall_args *args)
{
	struct file *f = file_at(args->a[0]);
	uint64_t pos;
	int err;

	if (!f)
		return -EBADF;
	err = file_seek(f, (int64_t)(long)args->a[1], (int)args->a[2], &pos);
	file_put(f);
	if (err)
		return err;
	if (pos > (uint64_t)(~0UL >> 1))
		return -EOVERFLOW;
	return (long)pos;
}

/* i686 _llseek(fd, offset_high, offset_low, loff_t *result, whence). */
long sys_llseek(const struct syscall_args *args)
{
	int64_t off = (int64_t)(((uint64_t)(uint32_t)args->a[1] << 32) |
				(uint32_t)args->a[2]);
	struct file *f = file_at(args->a[0]);
	uint64_t pos;
	int err;

	if (!f)
		return -EBADF;
	if (!user_range_ok(args->a[3], sizeof(pos))) {
		file_put(f);
		return -EFAULT;
	}
	err = file_seek(f, off, (int)args->a[4], &pos);
	file_put(f);
	if (err)
		return err;
	return copy_to_user(args->a[3], &pos, sizeof(pos));
}

/* --- stat ----------------------------------------------------------------- */

#if defined(__x86_64__)
/* arch/x86/include/uapi/asm/stat.h, x86_64: 144 bytes. */
struct linux_stat {
	unsigned long st_dev, st_ino, st_nlink;
	unsigned int st_mode, st_uid, st_gid, __pad0;
	unsigned long st_rdev;
	long st_size, st_blksize, st_blocks;
	unsigned long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec;
	unsigned long st_ctime, st_ctime_nsec;
	long __reserved[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86_64 struct stat");
#elif defined(__i386__)
/* arch/x86/include/uapi/asm/stat.h, i386 struct stat: 64 bytes. */
struct linux_stat {
	unsigned long st_dev, st_ino;
	unsigned short st_mode, st_nlink, st_uid, st_gid;
	unsigned long st_rdev, st_size, st_blksize, st_blocks;
	unsigned long st_atime, st_atime_nsec, st_mtime, st_mtime_nsec;
	unsigned long st_ctime, st_ctime_nsec;
	unsigned long __reserved4, __reserved5;
};
_Static_assert(sizeof(struct linux_stat) == 64, "i386 struct stat");

/* i386 struct stat64: packed, 96 bytes, the inode twice. */
struct linux_stat64 {
	unsigned long long st_dev;
	unsigned char __pad0[4];
	unsigned long __st_ino;
	unsigned int st_mode, st_nlink;
	unsigned long st_uid, st_gid;
	unsigned long long st_rdev;
	unsigned char __pad3[4];
	long long st_size;
	unsigned long st_blksize;
	unsigned long long st_blocks;
	unsigned long st_atime, st_atime_nsec, st_mtime;
	unsigned int st_mtime_nsec;
	unsigned long st_ctime, st_ctime_nsec;
	unsigned long long st_ino;
} __packed;
_Static_assert(sizeof(struct linux_stat64) == 96, "i386 struct stat64");
#else
/* include/uapi/asm-generic/stat.h (arm64): 128 bytes. */
struct linux_stat {
	unsigned long st_dev, st_ino;
	unsigned int st_mode, st_nlink, st_uid, st_gid;
	unsigned long st_rdev, __pad1;
	long st_size;
	int st_blksize, __pad2;
	long st_blocks;
	long st_atime;
	unsigned long st_atime_nsec;
	long st_mtime;
	unsigned long st_mtime_nsec;
	long st_ctime;
	unsigned long st_ctime_nsec;
	unsigned int __reserved4, __reserved5;
};
_Static_assert(sizeof(struct linux_stat) == 128, "generic struct stat");
#endif

/* Fill and copy out @f's struct stat. 0, -EFAULT or -EOVERFLOW. */
static int put_stat(const struct file *f, uintptr_t ubuf)
{
	struct linux_stat ls;
	struct file_stat st;

	file_stat(f, &st);
	memset(&ls, 0, sizeof(ls));
	ls.st_dev = st.dev;
	ls.st_ino = st.ino;
	ls.st_nlink = st.nlink;
	ls.st_mode = st.mode;
	ls.st_rdev = st.rdev;
	ls.st_size = st.size;
	ls.st_blksize = st.blksize;
	ls.st_blocks = st.blocks;
#if defined(__i386__)
	/* Linux's cp_old_stat truncates the inode only if it does not fit:
	 * a 64-bit hash here, so fold it the way a 32-bit ino_t reads. */
	ls.st_ino = (unsigned long)(st.ino ^ (st.ino >> 32));
#endif
	return copy_to_user(ubuf, &ls, sizeof(ls));
}

#if defined(__i386__)
static int put_stat64(const struct file *f, uintptr_t ubuf)
{
	struct linux_stat64 ls;
	struct file_stat st;

	file_stat(f, &st);
	memset(&ls, 0, sizeof(ls));
	ls.st_dev = st.dev;
	ls.st_ino = st.ino;
	ls.__st_ino = (unsigned long)st.ino;
	ls.st_nlink = st.nlink;
	ls.st_mode = st.mode;
	ls.st_rdev = st.rdev;
	ls.st_size = (long long)st.size;
	ls.st_blksize = st.blksize;
	ls.st_blocks = st.blocks;
	return copy_to_user(ubuf, &ls, sizeof(ls));
}
#endif

typedef int (*put_stat_fn)(const struct file *f, uintptr_t ubuf);

static long fstat_with(unsigned long fd, uintptr_t ubuf, put_stat_fn put)
{
	struct file *f = file_at(fd);
	int err;

	if (!f)
		return -EBADF;
	err = put(f, ubuf);
	file_put(f);
	return err;
}

/* newfstatat / fstatat64(dirfd, path, buf, flags). Symbolic links are not
 * followed anywhere, so AT_SYMLINK_NOFOLLOW changes nothing. */
static long fstatat_with(const struct syscall_args *args, put_stat_fn put)
{
	unsigned long flags = args->a[3];
	struct file *f;
	int err;

	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
				     AT_EMPTY_PATH))
		return -EINVAL;
	err = open_at((long)(int)args->a[0], args->a[1], O_RDONLY,
		      flags & AT_EMPTY_PATH, &f);
	if (err)
		return err;
	err = put(f, args->a[2]);
	file_put(f);
	return err;
}

long sys_fstat(const struct syscall_args *args)
{
	return fstat_with(args->a[0], args->a[1], put_stat);
}

/* stat(path, buf): newfstatat(AT_FDCWD, path, buf, 0). */
long sys_stat(const struct syscall_args *args)
{
	struct syscall_args at = { .a = { (unsigned long)AT_FDCWD,
					   args->a[0], args->a[1], 0 } };

	return fstatat_with(&at, put_stat);
}

long sys_newfstatat(const struct syscall_args *args)
{
	return fstatat_with(args, put_stat);
}

#if defined(__i386__)
long sys_fstat64(const struct syscall_args *args)
{
	return fstat_with(args->a[0], args->a[1], put_stat64);
}

long sys_stat64(const struct syscall_args *args)
{
	struct syscall_args at = { .a = { (unsigned long)AT_FDCWD,
					   args->a[0], args->a[1], 0 } };

	return fstatat_with(&at, put_stat64);
}

long sys_fstatat64(const struct syscall_args *args)
{
	return fstatat_with(args, put_stat64);
}
#endif

/* --- statx ----------------------------------------------------------------- */

#define STATX_BASIC_STATS	0x7ffu
#define STATX__RESERVED		0x80000000u
#define AT_STATX_SYNC_TYPE	0x6000

/* include/uapi/linux/stat.h: the same 256 bytes on every arch. */
struct linux_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

struct linux_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, __spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct linux_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t __spare2[14];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx");

/*
 * statx(dirfd, path, flags, mask, buf): what 32-bit musl and glibc try
 * first for every stat call. Every basic field is known, so the mask
 * returned is STATX_BASIC_STATS whatever was asked (the times are 0: no
 * clock of the files' making exists).
 */
long sys_statx(const struct syscall_args *args)
{
	unsigned long flags = args->a[2];
	struct linux_statx sx;
	struct file_stat st;
	struct file *f;
	int err;

	if (flags & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
				     AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (args->a[3] & STATX__RESERVED))
		return -EINVAL;
	err = open_at((long)(int)args->a[0], args->a[1], O_RDONLY,
		      flags & AT_EMPTY_PATH, &f);
	if (err)
		return err;
	file_stat(f, &st);
	file_put(f);
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = st.blksize;
	sx.stx_nlink = st.nlink;
	sx.stx_mode = (uint16_t)st.mode;
	sx.stx_ino = st.ino;
	sx.stx_size = st.size;
	sx.stx_blocks = st.blocks;
	sx.stx_rdev_major = (uint32_t)(st.rdev >> 8);
	sx.stx_rdev_minor = (uint32_t)(st.rdev & 0xff);
	sx.stx_dev_minor = (uint32_t)st.dev;
	return copy_to_user(args->a[4], &sx, sizeof(sx));
}
