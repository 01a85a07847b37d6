/*
 * kmain: where every arch hands over once it has a console and trap
 * vectors. For now the kernel's job is to run its test suites and carry
 * the verdict out of the emulator.
 */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/initramfs.h>
#include <kern/printk.h>
#include <ktest/ktest.h>
#include <mm/mm.h>
#include <smp/shootdown.h>
#include <smp/smp.h>

#define KERNEL_NAME	"tlbk"

CMDLINE_PARAM(init_path, "init", "the first program, in the initramfs; "
	      "default /init");

/*
 * Check the first program in the initramfs. Running it needs user mode,
 * which this kernel does not have yet: say so rather than pretend.
 */
static void check_init(void)
{
	const char *path = cmdline_get("init");
	struct elf_image img;
	const char *why;

	if (!path || !*path)
		path = "/init";
	if (initramfs_check_exec(path, &img, &why) != 0) {
		printk("init: %s: %s\n", path, why ? why : "unusable");
		return;
	}
	printk("init: %s is a static %s executable (entry %#lx, %u "
	       "segments); not started: no user mode yet\n", path,
	       ARCH_NAME, (unsigned long)img.entry, img.nsegs);
}

static void print_boot_summary(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < bi->mem_count; i++)
		total += bi->mem[i].size;
	printk("%s: arch=%s boot=%s ram=%llu MiB in %u range(s)\n",
	       KERNEL_NAME, ARCH_NAME, bi->boot_path ? bi->boot_path : "?",
	       (unsigned long long)(total >> 20), bi->mem_count);
	if (bi->initrd_size)
		printk("%s: initrd at %#llx, %llu bytes\n", KERNEL_NAME,
		       (unsigned long long)bi->initrd_base,
		       (unsigned long long)bi->initrd_size);
}

void kmain(const struct boot_info *bi)
{
	unsigned int failed;

	print_boot_summary(bi);
	cmdline_init(bi->cmdline);
	if (mm_init(bi) == 0 && initramfs_init(bi) == 0)
		check_init();
	smp_init();
	shootdown_init();
	failed = ktest_run_all();
	printk("%s: tests done, %u failed; powering off\n", KERNEL_NAME, failed);
	arch_poweroff(failed ? 1 : 0);
}
