/*
 * Running the first program: start init, idle until it has exited, then
 * report its status and check that every page the processes used came
 * back. The boot CPU's idle loop is kmain's own context, so the check runs
 * after the last process's memory was freed and its threads reaped.
 */
#include <kern/arch.h>
#include <kern/errno.h>
#include <kern/init_run.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/thread_md.h>
#include <mm/kheap.h>
#include <mm/pmm.h>
#include <smp/tlb.h>

/* How long a differing free page count may take to settle. */
#define SETTLE_NS	(200 * 1000 * 1000ULL)

static struct proc *running_init;

static bool init_exited(void)
{
	return __atomic_load_n(&running_init->state, __ATOMIC_ACQUIRE) ==
		PROC_ZOMBIE;
}

static void report_status(int status)
{
	if ((status & 0x7f) == 0)
		printk("init: exited with status %d\n", (status >> 8) & 0xff);
	else
		printk("init: killed by signal %d\n", status & 0x7f);
}

/* Compare the free page count with @before; false (and Bail out!) on a
 * difference, with the heap's counts then and now (@heap_before). */
static bool pages_returned(unsigned long before,
			   const struct kheap_stats *heap_before)
{
	struct kheap_stats heap_after;
	uint64_t start = arch_clock_ns();
	unsigned long first = pmm_free_count(), after = first;

	/* A free still in flight on another CPU settles within a moment; a
	 * leak does not. Say so when it had to settle. */
	while (after != before && arch_clock_ns() - start < SETTLE_NS) {
		arch_cpu_relax();
		after = pmm_free_count();
	}
	if (first != before && after == before)
		printk("init: free pages settled from %lu after %llu us\n",
		       first, (unsigned long long)(arch_clock_ns() - start) /
		       1000);

	printk("init: free pages %lu before, %lu after\n", before, after);
	if (after == before)
		return true;
	/* Say where to look: heap objects still in use, or whole pages. */
	kheap_stats(&heap_after);
	printk("init: kheap objects %lu -> %lu, slab pages %lu -> %lu, "
	       "large pages %lu -> %lu\n", heap_before->objects,
	       heap_after.objects, heap_before->slabs, heap_after.slabs,
	       heap_before->large_pages, heap_after.large_pages);
	kheap_dump_stats();
	console_printf("Bail out! init: %ld pages not returned after every "
		       "process exited\n", (long)before - (long)after);
	return false;
}

/*
 * The status the guest powers off with: init's exit code, or 128 + the
 * signal that killed it (as a shell reports it), or 1 when init exited 0
 * but the kernel found a problem (@clean false). QEMU's exit code carries
 * 0..POWEROFF_STATUS_MAX exactly (include/kern/arch.h); larger statuses,
 * such as a signal's, all read as POWEROFF_STATUS_MAX.
 */
static int guest_status(int wait_status, bool clean)
{
	int code;

	if ((wait_status & 0x7f) == 0)
		code = (wait_status >> 8) & 0xff;
	else
		code = 128 + (wait_status & 0x7f);
	return code == 0 && !clean ? 1 : code;
}

int init_run(const char *path)
{
	unsigned long before = pmm_free_count();
	struct kheap_stats heap;
	unsigned int threads = thread_count(), others;
	int err, status;

	kheap_stats(&heap);
	printk("init: starting %s\n", path);
	err = proc_spawn_init(path, &running_init);
	if (err) {
		printk("init: cannot start %s: error %d\n", path, err);
		return 127;
	}
	sched_idle_loop(init_exited);
	/* Dead threads may still be switching away, or being freed by the
	 * idle loop of another CPU. (Processes left behind keep theirs.) */
	while (thread_reap_dead() ||
	       (proc_count() == 1 && thread_count() != threads))
		arch_cpu_relax();
	status = running_init->exit_status;
	report_status(status);
	tlb_report();
	others = proc_count() - 1;
	proc_free(running_init);
	if (others) {
		printk("init: %u other process(es) left behind; free pages "
		       "not checked\n", others);
		return guest_status(status, false);
	}
	return guest_status(status, pages_returned(before, &heap));
}
