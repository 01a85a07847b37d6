/*
 * Suite initramfs: the archive the boot loader handed over is readable in
 * place, and its programs are static executables of this arch. The
 * harness boots *-initramfs targets with an archive of the user test
 * programs (tools/mkinitramfs.py); other boots skip.
 */
#include <kern/errno.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <ktest/ktest.h>
#include <mm/mmu.h>

static const char *skip_unless_initramfs(void)
{
	return initramfs_present() ? NULL : "no usable initramfs (none given, or rejected at boot)";
}

static void every_entry_reads(struct ktest *t)
{
	struct cpio_file f;
	size_t pos = 0;
	unsigned int n = 0;
	int err;

	while ((err = initramfs_next(&pos, &f)) == 0)
		n++;
	KEXPECT_EQ(t, err, -ENOENT);	/* the trailer, not an error */
	KEXPECT_GT(t, n, 0);
}

static void init_is_an_executable(struct ktest *t)
{
	struct elf_image img;
	const char *why = NULL;

	KASSERT_EQ(t, initramfs_check_exec("/init", &img, &why), 0);
	KEXPECT_NULL(t, why);
	KEXPECT_GT(t, img.nsegs, 0);
	KEXPECT_GE(t, img.entry, ELF_PAGE_SIZE);
	KEXPECT_LT(t, img.entry, MMU_USER_VA_END);
}

/* Every regular file under bin/ is a program for this arch. */
static void bin_programs_are_executables(struct ktest *t)
{
	struct cpio_file f;
	size_t pos = 0;
	unsigned int programs = 0;

	while (initramfs_next(&pos, &f) == 0) {
		struct elf_image img;
		char path[128];
		const char *why;

		if (strncmp(f.name, "bin/", 4) != 0 || !cpio_is_regular(&f))
			continue;
		snprintf(path, sizeof(path), "/%s", f.name);
		programs++;
		if (initramfs_check_exec(path, &img, &why) != 0)
			ktest_diag(t, "%s: %s", path, why);
		KEXPECT_EQ(t, initramfs_check_exec(path, &img, &why), 0);
	}
	KEXPECT_GT(t, programs, 0);
}

static void missing_and_non_files(struct ktest *t)
{
	struct elf_image img;
	const char *why;

	KEXPECT_EQ(t, initramfs_check_exec("/no/such/file", &img, &why),
		   -ENOENT);
	KEXPECT_STREQ(t, why, "no such file");
	KEXPECT_EQ(t, initramfs_check_exec("/bin", &img, &why), -EACCES);
}

KTEST_SUITE_SKIP_IF(initramfs, skip_unless_initramfs,
		    KTEST_CASE(every_entry_reads),
		    KTEST_CASE(init_is_an_executable),
		    KTEST_CASE(bin_programs_are_executables),
		    KTEST_CASE(missing_and_non_files));
