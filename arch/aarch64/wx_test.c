/*
 * Suite wx: the kernel's own mappings are W^X (mmu_early.c). Stores to
 * .text and .rodata take permission faults and change nothing; a call
 * into .rodata, .data or a direct-mapped RAM page takes an instruction
 * abort (trap.c then resumes at the link register). AT S1E1W / S1E1R
 * cross-check the page attributes without faulting: the write faults
 * must be level 3 permission faults (pages, present but read-only), not
 * missing translations. If a region were executable, the RET placed there
 * would just return and the case would fail rather than crash.
 */
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <machine/memlayout.h>
#include <machine/sysreg.h>
#include <mm/page.h>
#include <mm/pmm.h>

#define INSN_RET	0xd65f03c0u	/* RET: back to x30 */

/* PAR_EL1 after an AT instruction (Arm ARM D17.2, PAR_EL1): F [0]; with
 * F = 1 the fault status FST [6:1], else the output address [47:12]. */
#define PAR_F		1UL
#define PAR_FST(par)	(((par) >> 1) & 0x3f)
#define PAR_PA(par)	((par) & 0x0000fffffffff000UL)
#define FST_PERM_L3	0x0f	/* permission fault, level 3 */

extern char _text[], _etext[], _erodata[], _end[];

typedef void (*call_fn)(void);

/* Objects in the sections under test; the cases check where they are. */
static const uint32_t ret_in_rodata[1] = { INSN_RET };
static uint32_t ret_in_data[1] = { INSN_RET };

static bool inside(const volatile void *p, const char *start, const char *end)
{
	return (uintptr_t)p >= (uintptr_t)start && (uintptr_t)p < (uintptr_t)end;
}

/* PAR_EL1 for a stage 1 EL1 translation of @va, as a write or a read. */
static uint64_t at_s1e1(const volatile void *va, bool write)
{
	if (write)
		__asm__ __volatile__("at s1e1w, %0" :: "r"(va) : "memory");
	else
		__asm__ __volatile__("at s1e1r, %0" :: "r"(va) : "memory");
	/* The AT result reaches PAR_EL1 for a later MRS only after an ISB. */
	isb();
	return read_sysreg(par_el1);
}

/* Store back the word at @p; returns the page faults taken (0 or 1). */
static unsigned int rewrite_faults(volatile uint32_t *p)
{
	uint32_t v = *p;

	trap_expect(TRAP_PAGE_FAULT);
	*p = v;
	return trap_expect_end();
}

/*
 * Call the instruction at @p; returns the aborts taken (0 or 1). First the
 * Arm ARM's sequence for making stored instructions fetchable (DC CVAU,
 * DSB, IC IVAU, DSB, ISB), so that if @p were executable, the RET stored
 * there is what would run.
 */
static unsigned int call_faults(const volatile void *p)
{
	__asm__ __volatile__("dc cvau, %0\n\t"
			     "dsb ish\n\t"
			     "ic ivau, %0\n\t"
			     "dsb ish\n\t"
			     "isb" :: "r"(p) : "memory");
	trap_expect(TRAP_PAGE_FAULT);
	((call_fn)(uintptr_t)p)();
	return trap_expect_end();
}

static void check_read_only(struct ktest *t, volatile uint32_t *p)
{
	uint32_t before = *p;
	uint64_t par = at_s1e1(p, true);

	KEXPECT_EQ(t, par & PAR_F, PAR_F);
	KEXPECT_EQ(t, PAR_FST(par), FST_PERM_L3);
	par = at_s1e1(p, false);
	KEXPECT_EQ(t, par & PAR_F, 0);
	KEXPECT_EQ(t, PAR_PA(par),
		   virt_to_phys((const void *)p) & ~(paddr_t)PAGE_MASK);
	KEXPECT_EQ(t, rewrite_faults(p), 1);
	KEXPECT_EQ(t, *p, before);
}

static void text_is_read_only(struct ktest *t)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)&rewrite_faults;

	KASSERT_TRUE(t, inside(p, _text, _etext));
	check_read_only(t, p);
}

static void rodata_is_read_only(struct ktest *t)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)ret_in_rodata;

	KASSERT_TRUE(t, inside(p, _etext, _erodata));
	check_read_only(t, p);
}

static void rodata_is_not_executable(struct ktest *t)
{
	KASSERT_TRUE(t, inside(ret_in_rodata, _etext, _erodata));
	KEXPECT_EQ(t, call_faults(ret_in_rodata), 1);
}

static void data_is_not_executable(struct ktest *t)
{
	KASSERT_TRUE(t, inside(ret_in_data, _erodata, _end));
	KEXPECT_EQ(t, at_s1e1(ret_in_data, true) & PAR_F, 0);	/* writable */
	KEXPECT_EQ(t, call_faults(ret_in_data), 1);
}

static void direct_map_is_not_executable(struct ktest *t)
{
	unsigned long before;
	struct page *pg;
	volatile uint32_t *p;

	if (!pmm_ready()) {
		ktest_skip(t, "no page allocator");
		return;
	}
	before = pmm_free_count();
	pg = pmm_alloc(0, PMM_DIRECT);
	KASSERT_NOT_NULL(t, pg);
	p = page_to_virt(pg);
	*p = INSN_RET;
	KEXPECT_EQ(t, at_s1e1(p, true) & PAR_F, 0);	/* writable */
	KEXPECT_EQ(t, call_faults(p), 1);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE(wx,
	    KTEST_CASE(text_is_read_only),
	    KTEST_CASE(rodata_is_read_only),
	    KTEST_CASE(rodata_is_not_executable),
	    KTEST_CASE(data_is_not_executable),
	    KTEST_CASE(direct_map_is_not_executable));
