/*
 * Many address spaces on few CPUs: PROCS processes, unpinned, each maps
 * the same virtual page (MAP_FIXED at PAGE_VA) to a page of its own and
 * checks after every yield that it still reads its own marker; every
 * REMAP_EVERY rounds it unmaps the page and maps a fresh one with a new
 * marker. With more processes than tags (tlb.asid_bits=3 on aarch64: 7
 * tags), the ASID allocator rolls over again and again while they run.
 *
 * A CPU that loaded one process's tag and kept entries another process
 * left under it (an ASID reused without a flush after a rollover, a PCID
 * slot reused unflushed) would let a process read another's marker: the
 * child then exits STALE_EXIT. QEMU flushes its whole TLB on any ASID
 * change (PLATFORM.md), so there this proves the allocator keeps working
 * (no hang, no crash, no leak, every page its owner's); the host suite
 * sim_asid shows the stale reads the injected bugs cause. The same binary
 * runs on Linux.
 */
#include <u/ktap.h>
#include <u/proc.h>
#include <u/sys.h>

#define PROCS		8
#define ROUNDS		400
#define REMAP_EVERY	16
#define PAGE_VA		((void *)0x30000000UL)
#define PAGE		4096
#define STALE_EXIT	3
#define MAP_EXIT	4

static volatile unsigned int *map_fresh(unsigned int marker)
{
	long p = sys_mmap(PAGE_VA, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p != (long)PAGE_VA)
		sys_exit_group(MAP_EXIT);
	*(volatile unsigned int *)p = marker;
	return (volatile unsigned int *)p;
}

static int child(long id)
{
	volatile unsigned int *page = 0;
	unsigned int marker = 0;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		if (r % REMAP_EVERY == 0) {
			if (page)
				sys_munmap(PAGE_VA, PAGE);
			marker = ((unsigned int)id + 1) << 24 | r;
			page = map_fresh(marker);
		}
		sys_sched_yield();
		if (*page != marker) {
			ktap_diag("process %ld round %u: read %#x, its marker "
				  "is %#x: stale translation", id, r, *page,
				  marker);
			sys_exit_group(STALE_EXIT);
		}
	}
	return 0;
}

int main(void)
{
	long pids[PROCS];
	int ok = 0, stale = 0, other = 0, started = 0;

	ktap_plan(2);
	for (int i = 0; i < PROCS; i++) {
		pids[i] = proc_spawn(child, i);
		if (pids[i] < 0) {
			ktap_diag("fork %d: %ld", i, pids[i]);
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++) {
		long status = proc_reap(pids[i]);

		if (proc_exited_with(status, 0))
			ok++;
		else if (proc_exited_with(status, STALE_EXIT))
			stale++;
		else
			other++;
	}
	ktap_ok(started == PROCS && ok == PROCS && other == 0,
		"%d processes sharing one virtual page each kept their own "
		"(%d ok, %d other)", PROCS, ok, other);
	ktap_eq(stale, 0, "no process read another's page");
	return ktap_finish();
}
