/*
 * Segment descriptor encoding and the descriptor-table loads (LGDT, LIDT,
 * LTR), common to both modes. Layout: SDM vol. 3A 3.4.5 (segment
 * descriptors), 7.2.2 / 7.2.3 (TSS descriptors), 6.11 / 6.14.1 (gates).
 */
#ifndef MACHINE_X86_DESC_H
#define MACHINE_X86_DESC_H

#include <kern/compiler.h>
#include <kern/types.h>

/* Access byte. */
#define SEG_P			0x80		/* present */
#define SEG_DPL(n)		((n) << 5)
#define SEG_S			0x10		/* code/data (not system) */
#define SEG_CODE_RX		0x0a		/* execute/read */
#define SEG_DATA_RW		0x02		/* read/write */
#define SEG_TSS_AVAIL		0x09		/* 32- or 64-bit available TSS */
#define GATE_INTR		0x0e		/* 32/64-bit interrupt gate */
#define GATE_TASK		0x05		/* task gate (32-bit mode only) */

/* Flags nibble. */
#define SEG_G			0x8		/* limit in 4 KiB units */
#define SEG_DB			0x4		/* 32-bit default size */
#define SEG_L			0x2		/* 64-bit code */

/* An 8-byte code/data/system segment descriptor. */
static inline uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
				uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/* The operand of LGDT / LIDT: limit, then the native-width linear base. */
struct desc_table_ptr {
	uint16_t limit;
	uintptr_t base;
} __packed;

static inline void lgdt(const void *table, size_t size)
{
	struct desc_table_ptr p = { (uint16_t)(size - 1), (uintptr_t)table };

	__asm__ __volatile__("lgdt %0" : : "m"(p) : "memory");
}

static inline void lidt(const void *table, size_t size)
{
	struct desc_table_ptr p = { (uint16_t)(size - 1), (uintptr_t)table };

	__asm__ __volatile__("lidt %0" : : "m"(p) : "memory");
}

/*
 * A null LDTR: the reset value is base 0, limit 0xffff (SDM vol. 3A table
 * 9-1), which would let a stray TI=1 selector read low memory as an LDT
 * instead of raising #GP.
 */
static inline void lldt_null(void)
{
	__asm__ __volatile__("lldt %w0" : : "r"(0) : "memory");
}

/* LTR marks the descriptor busy, so it is loaded once per CPU. */
static inline void ltr(uint16_t selector)
{
	__asm__ __volatile__("ltr %0" : : "rm"(selector) : "memory");
}

#endif
