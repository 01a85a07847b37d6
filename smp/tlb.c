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
#include <smp/tlb.h>

#include "tlb_internal.h"

CMDLINE_PARAM(tlb_policy, "tlb",
	      "remote TLB invalidation: batched (default) | naive | "
	      "broadcast (aarch64) | none (tests only)");
CMDLINE_PARAM(tlb_lazy, "tlb.lazy",
	      "1 (default): kernel threads keep the last user root loaded "
	      "and get no IPIs unless tables are freed; 0: they get every "
	      "request, as a CPU running the space does");
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

void tlb_init(void)
{
	choose_policy(cmdline_get("tlb"));
	tlb_lazy_enabled = cmdline_get_bool("tlb.lazy", true);
	ceiling = cmdline_get_ulong("tlb.ceiling", TLB_CEILING_DEFAULT, 1,
				    TLB_CEILING_MAX);
	printk("tlb: policy %s (%s), lazy %s, ceiling %lu pages, "
	       "asid off (untagged: every user root switch flushes)\n",
	       policy->name, policy->summary, tlb_lazy_enabled ? "on" : "off",
	       ceiling);
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
}

void tlb_shootdown(struct tlb_batch *b)
{
	policy->shootdown(b);
}
