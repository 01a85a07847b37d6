/*
 * Instruction length for the memory-access forms compilers emit for plain
 * loads and stores, so an expected kernel page fault can be stepped over.
 * Not a general decoder: anything else is -EINVAL and the fault is
 * reported instead. Encoding: Intel SDM vol. 2A ch. 2 (prefixes, REX,
 * ModR/M, SIB) and the one-byte opcode map in appendix A.
 */
#include <kern/errno.h>
#include <machine/x86_trap.h>

#define X86_MAX_INSN_LEN	15

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:		/* lock, rep */
	case 0x26: case 0x2e: case 0x36: case 0x3e:	/* es cs ss ds */
	case 0x64: case 0x65:				/* fs gs */
		return true;
	default:
		return false;
	}
}

/*
 * Skip ModR/M, SIB and displacement (32/64-bit addressing). rm=4 always
 * means SIB and mod=0 rm=5 always means disp32 (RIP-relative in long
 * mode), REX.B notwithstanding (SDM vol. 2A 2.2.1.2).
 */
static const uint8_t *skip_modrm(const uint8_t *p)
{
	uint8_t mod = p[0] >> 6, rm = p[0] & 7;

	p++;
	if (mod == 3)
		return p;
	if (rm == 4) {
		if (mod == 0 && (p[0] & 7) == 5)
			p += 4;
		p++;
	} else if (mod == 0 && rm == 5) {
		p += 4;
	}
	if (mod == 1)
		p += 1;
	else if (mod == 2)
		p += 4;
	return p;
}

/* Immediate bytes after ModR/M for one-byte opcode @op, or -1 if unknown. */
static int modrm_imm_len(uint8_t op, uint8_t modrm, bool opsize16)
{
	int immz = opsize16 ? 2 : 4;	/* imm16/32; REX.W keeps imm32 */
	unsigned int reg = (modrm >> 3) & 7;

	if (op < 0x40 && (op & 7) <= 3)
		return 0;		/* add/or/adc/sbb/and/sub/xor/cmp */
	switch (op) {
	case 0x63:			/* movsxd (arpl in 32-bit mode) */
	case 0x84: case 0x85: case 0x86: case 0x87:	/* test, xchg */
	case 0x88: case 0x89: case 0x8a: case 0x8b:	/* mov */
	case 0xfe: case 0xff:		/* inc/dec/... */
		return 0;
	case 0x80: case 0x83: case 0xc6:
		return 1;
	case 0x81: case 0xc7:
		return immz;
	case 0xf6:			/* test r/m8, imm8 is /0 and /1 */
		return reg <= 1 ? 1 : 0;
	case 0xf7:
		return reg <= 1 ? immz : 0;
	default:
		return -1;
	}
}

/*
 * Length of the load/store instruction at @ip, or -EINVAL if it is not a
 * form this decoder knows. @long_mode: REX prefixes and 8-byte moffs.
 */
int x86_insn_length(const uint8_t *ip, bool long_mode)
{
	const uint8_t *p = ip;
	bool opsize16 = false;
	int imm;

	for (; p - ip < X86_MAX_INSN_LEN; p++) {
		if (*p == 0x66)
			opsize16 = true;
		else if (!is_legacy_prefix(*p))
			break;
	}
	/* Address-size override: compilers do not emit it for C accesses. */
	if (*p == 0x67)
		return -EINVAL;
	if (long_mode && (*p & 0xf0) == 0x40)
		p++;			/* REX */
	if (*p >= 0xa0 && *p <= 0xa3) {
		/* mov between the accumulator and an absolute moffs */
		p += 1 + (long_mode ? 8 : 4);
	} else if (*p == 0x0f) {
		/* Of the two-byte opcodes only movzx / movsx. */
		if (p[1] != 0xb6 && p[1] != 0xb7 &&
		    p[1] != 0xbe && p[1] != 0xbf)
			return -EINVAL;
		p = skip_modrm(p + 2);
	} else {
		imm = modrm_imm_len(p[0], p[1], opsize16);
		if (imm < 0)
			return -EINVAL;
		p = skip_modrm(p + 1) + imm;
	}
	return p - ip <= X86_MAX_INSN_LEN ? (int)(p - ip) : -EINVAL;
}
