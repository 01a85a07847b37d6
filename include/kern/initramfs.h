/*
 * The initial ramdisk: a cpio "newc" archive the boot loader placed in RAM
 * (a Multiboot module on x86, -initrd / U-Boot's ramdisk on aarch64),
 * reached through the direct map and read in place.
 */
#ifndef KERN_INITRAMFS_H
#define KERN_INITRAMFS_H

#include <kern/cpio.h>
#include <kern/elf.h>

struct boot_info;

/*
 * Find the archive @bi describes and check every entry's header once.
 * Returns 0; -ENOENT if there is none; -EFAULT if it lies outside the
 * direct map; -EINVAL (after printing the reason) if it is not a valid
 * newc archive. On any error the kernel runs without an initramfs.
 * Locking: boot CPU, after mm_init().
 */
int initramfs_init(const struct boot_info *bi);

/* True once initramfs_init() accepted an archive. Locking: none (set once
 * at boot, read-only afterwards). */
bool initramfs_present(void);

/* Iterate (start with *@pos = 0) / look up a file, as cpio_next and
 * cpio_find on the archive; -ENOENT without an initramfs. */
int initramfs_next(size_t *pos, struct cpio_file *out);
int initramfs_find(const char *path, struct cpio_file *out);

/*
 * Check that @path is a regular file holding a static ELF executable of
 * this arch that fits the user half. Returns 0 with @img filled, or
 * -ENOENT, -EINVAL (damaged archive), -EACCES (not a regular file) or
 * -ENOEXEC, with *@why set to a reason for the message.
 */
int initramfs_check_exec(const char *path, struct elf_image *img,
			 const char **why);

#endif
