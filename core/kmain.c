/*
 * kmain: where every arch hands over once it has a console and trap
 * vectors. The kernel then does one of two jobs and carries the verdict
 * out of the emulator: run its own test suites (without an initramfs, or
 * with ktest=1), or run init from the initramfs until it exits.
 */
#include <generated/build_info.h>	/* from the Makefile: DEBUG, KCFLAGS */
#include <kern/arch.h>
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/init_run.h>
#include <kern/initramfs.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/printk.h>
#include <ktest/ktest.h>
#include <mm/mm.h>
#include <smp/tlb.h>
#include <smp/smp.h>

#define KERNEL_NAME	"tlbk"

CMDLINE_PARAM(init_path, "init", "the first program, in the initramfs; "
	      "default /init");
CMDLINE_PARAM(ktest_run, "ktest", "1: run the in-kernel suites even with "
	      "an initramfs (init is then not started); default 1 without "
	      "an initramfs, 0 with one");

static const char *init_path_get(void)
{
	const char *path = cmdline_get("init");

	return path && *path ? path : "/init";
}

/*
 * Check the first program in the initramfs when the suites run instead of
 * it, so a bad init= still shows up in the log.
 */
static void check_init(void)
{
	const char *path = init_path_get();
	struct elf_image img;
	const char *why;

	if (initramfs_check_exec(path, &img, &why) != 0) {
		printk("init: %s: %s\n", path, why ? why : "unusable");
		return;
	}
	printk("init: %s is a static %s executable (entry %#lx, %u "
	       "segments); not started: ktest=1\n", path,
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
	/* What a run's numbers were measured with (make DEBUG= KCFLAGS=). */
	printk("%s: built with DEBUG=%d KCFLAGS='%s' (clang %d.%d.%d)\n",
	       KERNEL_NAME, BUILD_DEBUG, BUILD_KCFLAGS, __clang_major__,
	       __clang_minor__, __clang_patchlevel__);
	if (bi->initrd_size)
		printk("%s: initrd at %#llx, %llu bytes\n", KERNEL_NAME,
		       (unsigned long long)bi->initrd_base,
		       (unsigned long long)bi->initrd_size);
}

void kmain(const struct boot_info *bi)
{
	bool have_initramfs = false;
	unsigned int failed;
	int status;

	print_boot_summary(bi);
	cmdline_init(bi->cmdline);
	if (mm_init(bi) == 0 && initramfs_init(bi) == 0)
		have_initramfs = initramfs_present();
	smp_init();
	tlb_init();
	if (sched_init_cpu() != 0)
		panic("kmain: no memory for the boot CPU's idle thread");
	if (!have_initramfs || cmdline_get_bool("ktest", false)) {
		if (have_initramfs)
			check_init();
		failed = ktest_run_all();
		printk("%s: tests done, %u failed; powering off\n",
		       KERNEL_NAME, failed);
		arch_poweroff(failed ? 1 : 0);
	}
	status = init_run(init_path_get());
	printk("%s: init done; powering off with status %d\n", KERNEL_NAME,
	       status);
	arch_poweroff(status);
}
