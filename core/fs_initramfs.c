/*
 * The initramfs as a read-only file system: each regular file of the
 * archive opens as a byte string read in place (nothing is copied), a
 * directory entry or any name other entries live under opens as a
 * directory. Symbolic links are not followed: every path here names
 * what the archive holds under that name.
 */
#include <kern/errno.h>
#include <kern/file.h>
#include <kern/initramfs.h>
#include <kern/string.h>

static const struct file_ops initramfs_ops = {
	.read = file_read_data,
	.seekable = true,
};

/* Does some entry's name lie under directory @path ("" = the root)? */
static bool has_children(const char *path)
{
	size_t n = strlen(path), pos = 0;
	struct cpio_file e;

	if (n == 0)
		return initramfs_present();
	while (initramfs_next(&pos, &e) == 0)
		if (!strncmp(e.name, path, n) && e.name[n] == '/')
			return true;
	return false;
}

int fs_initramfs_open(const char *path, struct file **out)
{
	struct cpio_file e;
	struct file *f;
	bool found = initramfs_find(path, &e) == 0;
	bool dir = found ? (e.mode & CPIO_MODE_TYPE) == CPIO_MODE_DIR :
		has_children(path);
	int err;

	if (!found && !dir)
		return -ENOENT;
	f = file_alloc(&initramfs_ops);
	if (!f)
		return -ENOMEM;
	if (dir) {
		err = file_make_dir(f, path, FILE_FS_INITRAMFS);
		if (err) {
			file_put(f);
			return err;
		}
	} else {
		f->fs = FILE_FS_INITRAMFS;
		f->ino = file_ino(FILE_FS_INITRAMFS, path);
		f->mode = e.mode;
		/* Links and device nodes read as what the archive stores for
		 * them (a link's target, nothing): nothing here follows them. */
		f->data = e.data;
		f->size = e.size;
		f->st_size = e.size;
	}
	*out = f;
	return 0;
}
