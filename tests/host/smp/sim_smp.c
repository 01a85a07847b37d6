/*
 * The simulated SMP fabric for ktest-host-smp, which links the real
 * coherence layer (smp/tlb*.c, smp/asid*.c): struct cpu and the online
 * set, an IPI as a pending bit per CPU, and the CPU threads' poll of it.
 *
 * A simulated CPU is a host thread (host_cpu_set). It takes its IPIs when
 * it polls (sim_ipi_poll), which the workloads do between accesses: the
 * interrupt window of a real CPU. The coherence layer's own wait loops
 * serve the shootdown queue themselves (tlb_poll), as on a guest. There
 * are no cross-calls on the host: xcall_handle_ipi has nothing to run.
 */
#include <kern/arch.h>
#include <mm/pmm.h>
#include <smp/cpu.h>
#include <smp/smp_md.h>
#include <smp/tlb.h>
#include <sim/sim.h>

#include "sim_smp.h"

struct cpu cpus[MAX_CPUS];
unsigned int ncpus = 1;
struct cpuset cpus_online;

static unsigned int pending[MAX_CPUS];	/* atomic: 1 << enum ipi_kind */

struct cpu *arch_this_cpu(void)
{
	return &cpus[arch_cpu_id()];
}

void sim_smp_init(unsigned int n)
{
	ncpus = n;
	cpuset_zero(&cpus_online);
	for (unsigned int i = 0; i < n; i++) {
		cpus[i].self = &cpus[i];
		cpus[i].id = i;
		cpus[i].state = CPU_ONLINE;
		cpuset_set(&cpus_online, i);
		__atomic_store_n(&pending[i], 0, __ATOMIC_RELAXED);
	}
}

void arch_ipi_send(const struct cpu *target, enum ipi_kind kind)
{
	/* Release: what the sender wrote before is visible to the handler,
	 * as an interrupt's delivery orders it on hardware. */
	__atomic_fetch_or(&pending[target->id], 1u << kind, __ATOMIC_RELEASE);
}

void arch_ipi_send_mask(const struct cpuset *set, enum ipi_kind kind)
{
	unsigned int cpu;

	for_each_cpu_in(cpu, set)
		arch_ipi_send(&cpus[cpu], kind);
}

void sim_ipi_poll(void)
{
	unsigned int bits = __atomic_exchange_n(&pending[arch_cpu_id()], 0,
						__ATOMIC_ACQUIRE);

	if (bits & (1u << IPI_TLB))
		tlb_handle_ipi();
}

void xcall_handle_ipi(void)
{
}

struct page *sim_frame_with(uint32_t mark)
{
	struct page *pg = pmm_alloc(0, 0);

	if (pg)
		*(volatile uint32_t *)sim_ram_ptr(page_to_phys(pg)) = mark;
	return pg;
}

void sim_smp_start(unsigned int n, enum asid_mode mode, unsigned int bits)
{
	const char *why;

	sim_smp_init(n);
	tlb_init();
	asid_setup(mode, bits, n, &why);
	sim_tlb_reset();
}
