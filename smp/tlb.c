/*
 * The coherence layer's front: boot parameters, address-space identity,
 * and tlb_shootdown's dispatch to the policy in force (one indirect call,
 * chosen once at boot, not a test in the hot path).
 */
#include <kern/cmdline.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <mm/mmu.h>
#include <mm/pmap.h>
#include <mm/tlb_batch.h>
#include <smp/asid.h>
#include <smp/cpu.h>
#include <smp/tlb.h>
#include <smp/tlb_stats.h>

#include "tlb_internal.h"

CMDLINE_PARAM(tlb_policy, "tlb",
	      "remote TLB invalidation: batched (default) | naive | "
	      "broadcast (aarch64) | none (tests only)");
CMDLINE_PARAM(tlb_lazy, "tlb.lazy",
	      "1 (default): kernel threads keep the last user root loaded "
	      "and get no IPIs unless tables are freed; 0: they get every "
	      "request, as a CPU running the space does");
CMDLINE_PARAM(tlb_asid, "tlb.asid",
	      "1 (default): tag address spaces with ASIDs/PCIDs where the "
	      "CPU has them; 0: untagged, every user root switch flushes");
CMDLINE_PARAM(tlb_asid_bits, "tlb.asid_bits",
	      "cap the ASID width (1..the CPU's), so rollovers come "
	      "sooner; raised to what the CPU count needs");
CMDLINE_PARAM(tlb_bug, "tlb.bug",
	      "self-checks only, a rule broken on purpose: skip_catchup | "
	      "no_rollover_flush | no_evict_flush | drop_coalesced | early_free | "
	      "skip_lazy_tables");
CMDLINE_PARAM(tlb_ceiling_param, "tlb.ceiling",
	      "pages above which a flush covers the whole address space "
	      "(default 33, as Linux x86)");

/* Linux x86's tlb_single_page_flush_ceiling: 33 by-VA flushes cost about
 * what refilling the TLB after a full flush does. */
#define TLB_CEILING_DEFAULT	33
#define TLB_CEILING_MAX		(1UL << 20)

static const struct tlb_policy *const policies[] = {
	&tlb_policy_batched,	/* the default: first available */
	&tlb_policy_naive,
	&tlb_policy_broadcast,
	&tlb_policy_none,
};

static const struct tlb_policy *policy = &tlb_policy_batched;
static unsigned long ceiling = TLB_CEILING_DEFAULT;
bool tlb_lazy_enabled = true;
bool tlb_bug_skip_catchup;
bool tlb_bug_drop_coalesced;
bool tlb_bug_early_free;
bool tlb_bug_skip_lazy_tables;
static uint64_t next_space_id = 1;

static bool available(const struct tlb_policy *p)
{
	return !p->available || p->available();
}

static const struct tlb_policy *policy_named(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(policies[i]->name, name))
			return policies[i];
	return NULL;
}

static void choose_policy(const char *name)
{
	const struct tlb_policy *p;

	policy = policies[0];
	if (!name)
		return;
	p = policy_named(name);
	if (!p)
		printk("cmdline: tlb=%s is not a policy (batched, naive, "
		       "broadcast, none); using %s\n", name, policy->name);
	else if (!available(p))
		printk("cmdline: tlb=%s is not available on this machine; "
		       "using %s\n", name, policy->name);
	else
		policy = p;
}

/*
 * tlb.asid and tlb.asid_bits against what the CPU honours: per-CPU tags
 * (x86 PCIDs) or global ones (arm64 ASIDs) as <machine/mmu.h> says.
 */
static void choose_asids(void)
{
	unsigned int hw = mmu_asid_bits(), bits = hw, got;
	enum asid_mode m = MMU_ASID_PER_CPU ? ASID_PER_CPU : ASID_GLOBAL;
	const char *why;

	if (!cmdline_get_bool("tlb.asid", true) || hw == 0) {
		asid_setup(ASID_UNTAGGED, 0, ncpus, &why);
		return;
	}
	bits = (unsigned int)cmdline_get_ulong("tlb.asid_bits", hw, 1, hw);
	got = asid_setup(m, bits, ncpus, &why);
	if (why)
		printk("cmdline: tlb.asid_bits=%u: %s for %u CPUs; using %u\n",
		       bits, why, ncpus, got);
}

/* tlb.bug: the self-check switches, each breaking one rule. */
static void choose_bug(const char *bug)
{
	tlb_bug_skip_catchup = tlb_bug_drop_coalesced = tlb_bug_early_free =
		tlb_bug_skip_lazy_tables =
		asid_bug_no_rollover_flush = asid_bug_no_evict_flush = false;
	if (!bug)
		return;
	if (!strcmp(bug, "skip_catchup"))
		tlb_bug_skip_catchup = true;
	else if (!strcmp(bug, "no_rollover_flush"))
		asid_bug_no_rollover_flush = true;
	else if (!strcmp(bug, "no_evict_flush"))
		asid_bug_no_evict_flush = true;
	else if (!strcmp(bug, "drop_coalesced"))
		tlb_bug_drop_coalesced = true;
	else if (!strcmp(bug, "early_free"))
		tlb_bug_early_free = true;
	else if (!strcmp(bug, "skip_lazy_tables"))
		tlb_bug_skip_lazy_tables = true;
	else {
		printk("cmdline: tlb.bug=%s is not a known bug (skip_catchup, "
		       "no_rollover_flush, no_evict_flush, drop_coalesced, "
		       "early_free, skip_lazy_tables); ignored\n", bug);
		return;
	}
	printk("tlb: bug %s on purpose: stale translations expected "
	       "(self-checks only)\n", bug);
}

void tlb_init(void)
{
	choose_asids();
	choose_policy(cmdline_get("tlb"));
	tlb_lazy_enabled = cmdline_get_bool("tlb.lazy", true);
	ceiling = cmdline_get_ulong("tlb.ceiling", TLB_CEILING_DEFAULT, 1,
				    TLB_CEILING_MAX);
	choose_bug(cmdline_get("tlb.bug"));
	if (asid_mode() == ASID_UNTAGGED)
		printk("tlb: policy %s (%s), lazy %s, ceiling %lu pages, "
		       "asid off (untagged: every user root switch "
		       "flushes)\n", policy->name, policy->summary,
		       tlb_lazy_enabled ? "on" : "off", ceiling);
	else
		printk("tlb: policy %s (%s), lazy %s, ceiling %lu pages, "
		       "asid %s %u bits\n", policy->name, policy->summary,
		       tlb_lazy_enabled ? "on" : "off", ceiling,
		       asid_mode_name(), asid_bits());
	if (policy == &tlb_policy_none)
		printk("tlb: policy none: NO remote invalidation; stale "
		       "translations will survive (tests only)\n");
}

bool tlb_lazy(void)
{
	return tlb_lazy_enabled;
}

const char *tlb_policy_name(void)
{
	return policy->name;
}

unsigned long tlb_ceiling(void)
{
	return ceiling;
}

void tlb_space_init(struct tlb_space *sp, bool kernel)
{
	/* Slots and requests key on this id, never on the pmap pointer,
	 * which the heap hands out again once a space is freed. */
	sp->id = kernel ? 0 : __atomic_fetch_add(&next_space_id, 1,
						 __ATOMIC_RELAXED);
	sp->gen = 0;
	sp->asid = 0;
}

void tlb_report(void)
{
	static const enum tlb_stat shown[] = {
		TLB_STAT_SHOOTDOWNS, TLB_STAT_IPI_SENT, TLB_STAT_COALESCED,
		TLB_STAT_SKIPPED, TLB_STAT_PAGE_FLUSH, TLB_STAT_ASID_FLUSH,
		TLB_STAT_FULL_FLUSH, TLB_STAT_LAZY_SKIPPED, TLB_STAT_CATCHUP,
		TLB_STAT_BROADCAST, TLB_STAT_ASID_ALLOC,
		TLB_STAT_ASID_ROLLOVER, TLB_STAT_SLOT_EVICT, TLB_STAT_MERGED,
	};
	char line[512];
	size_t len = snprintf(line, sizeof(line), "tlb: totals:");

	for (unsigned int i = 0; i < ARRAY_SIZE(shown) && len < sizeof(line);
	     i++) {
		uint64_t sum = 0;
		unsigned int cpu;

		for_each_cpu_in(cpu, &cpus_online)
			sum += tlb_stat_get(cpu, shown[i]);
		len += snprintf(line + len, sizeof(line) - len, "%s %s %llu",
				i ? "," : "", tlb_stat_names[shown[i]],
				(unsigned long long)sum);
	}
	printk("%s\n", line);
}

void tlb_shootdown(struct tlb_batch *b)
{
	policy->shootdown(b);
}
