/*
 * The initramfs, read in place: the loader's copy stays where it is
 * (boot_info reserves it) and every lookup walks the archive, which is
 * small and read a handful of times at boot.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/errno.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <mm/mmu.h>
#include <mm/page.h>

static const void *archive;
static size_t archive_size;

/* Walk every entry once so later lookups meet no surprises. */
static int validate(const void *base, size_t size, unsigned int *files)
{
	struct cpio_file f;
	size_t pos = 0;
	int err;

	*files = 0;
	while ((err = cpio_next(base, size, &pos, &f)) == 0)
		++*files;
	if (err == -ENOENT)
		return 0;
	printk("initramfs: not a valid cpio newc archive: %s (entry %u)\n",
	       f.error ? f.error : "?", *files + 1);
	return err;
}

int initramfs_init(const struct boot_info *bi)
{
	paddr_t end = bi->initrd_base + bi->initrd_size;
	unsigned int files;
	void *base;
	int err;

	if (bi->initrd_size == 0)
		return -ENOENT;
	if (!pmm_phys_is_direct(bi->initrd_base) ||
	    (end > bi->initrd_base && !pmm_phys_is_direct(end - 1))) {
		printk("initramfs: [%#llx-%#llx) is outside the direct map: "
		       "ignored\n", (unsigned long long)bi->initrd_base,
		       (unsigned long long)end);
		return -EFAULT;
	}
	base = pmm_phys_to_virt(bi->initrd_base);
	err = validate(base, bi->initrd_size, &files);
	if (err)
		return err;
	archive = base;
	archive_size = bi->initrd_size;
	printk("initramfs: %u entries, %llu bytes\n", files,
	       (unsigned long long)archive_size);
	return 0;
}

bool initramfs_present(void)
{
	return archive != NULL;
}

int initramfs_next(size_t *pos, struct cpio_file *out)
{
	if (!archive)
		return -ENOENT;
	return cpio_next(archive, archive_size, pos, out);
}

int initramfs_find(const char *path, struct cpio_file *out)
{
	if (!archive)
		return -ENOENT;
	return cpio_find(archive, archive_size, path, out);
}

int initramfs_check_exec(const char *path, struct elf_image *img,
			 const char **why)
{
	struct cpio_file f;
	int err = initramfs_find(path, &f);

	*why = NULL;
	if (err) {
		*why = err == -ENOENT ? "no such file" : f.error;
		return err == -ENOENT ? -ENOENT : -EINVAL;
	}
	if (!cpio_is_regular(&f)) {
		*why = "not a regular file";
		return -EACCES;
	}
	err = elf_parse(f.data, f.size, ARCH_ELF_MACHINE, ARCH_ELF_CLASS,
			MMU_USER_VA_END, img);
	if (err)
		*why = img->error;
	return err;
}
