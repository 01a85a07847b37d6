/*
 * Suite wx: the kernel's own mappings are W^X (kernel_pt.c, kernel_map.c).
 * Stores to .text and .rodata, and to .text through its direct-map alias,
 * take page faults and change nothing (trap.c steps over the store); a
 * call into .rodata, .data or a direct-mapped RAM page takes a page fault
 * with the instruction-fetch bit (trap.c resumes at the caller's return
 * address). pmap_extract cross-checks the rights the kernel pmap adopted.
 * If a region were executable, the RET placed there would just return and
 * the case would fail rather than crash.
 */
#include <kern/trap.h>
#include <ktest/ktest.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/pmm.h>
#include <machine/vmparam.h>
#include <machine/x86_boot.h>
#include <machine/x86_mmu.h>

#define INSN_RET	0xc3u	/* RET near: back to the caller */

extern char __etext[], __erodata[];

typedef void (*call_fn)(void);

/* Objects in the sections under test; the cases check where they are. */
static const uint8_t ret_in_rodata[1] = { INSN_RET };
static uint8_t ret_in_data[1] = { INSN_RET };

static bool inside(const volatile void *p, const char *start, const char *end)
{
	return (uintptr_t)p >= (uintptr_t)start && (uintptr_t)p < (uintptr_t)end;
}

/* MI rights of the kernel mapping of @p, or 0 if it is not mapped. */
static unsigned int prot_of(const volatile void *p)
{
	unsigned int prot = 0;

	if (pmap_extract(pmap_kernel(), (vaddr_t)(uintptr_t)p, NULL, &prot))
		return 0;
	return prot & (VM_PROT_MASK | VM_GLOBAL);
}

/* Store back the byte at @p; returns the page faults taken (0 or 1). */
static unsigned int rewrite_faults(volatile uint8_t *p)
{
	uint8_t v = *p;

	trap_expect(TRAP_PAGE_FAULT);
	*p = v;
	return trap_expect_end();
}

/* Call the instruction at @p; returns the fetch faults taken (0 or 1).
 * x86 keeps instruction fetch coherent with stores (SDM vol. 3A 8.1.3):
 * no cache maintenance is needed before the call. */
static unsigned int call_faults(const volatile void *p)
{
	trap_expect(TRAP_PAGE_FAULT);
	((call_fn)(uintptr_t)p)();
	return trap_expect_end();
}

static void check_read_only(struct ktest *t, volatile uint8_t *p)
{
	uint8_t before = *p;

	KEXPECT_EQ(t, rewrite_faults(p), 1);
	KEXPECT_EQ(t, *p, before);
}

static const char *skip_unless_nx(void)
{
	return x86_nx_enabled() ? NULL :
	       "CPU has no NX (EFER.NXE off): every page is executable";
}

static void text_is_read_only(struct ktest *t)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)&rewrite_faults;

	KASSERT_TRUE(t, inside(p, __kernel_start, __etext));
	KEXPECT_EQ(t, prot_of(p), VM_READ | VM_EXEC | VM_GLOBAL);
	check_read_only(t, p);
}

/* The direct map covers the image's frames too (x86_64: a second VA;
 * i686: the same one): it must not offer a writable alias of .text. */
static void text_alias_is_read_only(struct ktest *t)
{
	const void *text = (const void *)(uintptr_t)&rewrite_faults;
	uint8_t *alias = pmm_phys_to_virt(kernel_image_phys(text));

	KASSERT_NOT_NULL(t, alias);
	KEXPECT_EQ(t, prot_of(alias) & VM_WRITE, 0);
	check_read_only(t, alias);
}

static void rodata_is_read_only(struct ktest *t)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)ret_in_rodata;

	KASSERT_TRUE(t, inside(p, __etext, __erodata));
	KEXPECT_EQ(t, prot_of(p) & (VM_WRITE | VM_EXEC),
		   x86_nx_enabled() ? 0 : VM_EXEC);
	check_read_only(t, p);
}

static void rodata_is_not_executable(struct ktest *t)
{
	const char *why = skip_unless_nx();

	if (why) {
		ktest_skip(t, why);
		return;
	}
	KASSERT_TRUE(t, inside(ret_in_rodata, __etext, __erodata));
	KEXPECT_EQ(t, call_faults(ret_in_rodata), 1);
}

static void data_is_not_executable(struct ktest *t)
{
	const char *why = skip_unless_nx();

	if (why) {
		ktest_skip(t, why);
		return;
	}
	KASSERT_TRUE(t, inside(ret_in_data, __erodata, __kernel_end));
	KEXPECT_EQ(t, prot_of(ret_in_data), VM_READ | VM_WRITE | VM_GLOBAL);
	KEXPECT_EQ(t, call_faults(ret_in_data), 1);
}

static void direct_map_is_not_executable(struct ktest *t)
{
	const char *why = skip_unless_nx();
	unsigned long before;
	struct page *pg;
	volatile uint8_t *p;

	if (why) {
		ktest_skip(t, why);
		return;
	}
	before = pmm_free_count();
	pg = pmm_alloc(0, PMM_DIRECT);
	KASSERT_NOT_NULL(t, pg);
	p = page_to_virt(pg);
	*p = INSN_RET;
	KEXPECT_EQ(t, prot_of(p), VM_READ | VM_WRITE | VM_GLOBAL);
	KEXPECT_EQ(t, call_faults(p), 1);
	pmm_free(pg, 0);
	KEXPECT_EQ(t, pmm_free_count(), before);
}

KTEST_SUITE(wx,
	    KTEST_CASE(text_is_read_only),
	    KTEST_CASE(text_alias_is_read_only),
	    KTEST_CASE(rodata_is_read_only),
	    KTEST_CASE(rodata_is_not_executable),
	    KTEST_CASE(data_is_not_executable),
	    KTEST_CASE(direct_map_is_not_executable));
