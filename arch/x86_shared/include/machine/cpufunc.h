/*
 * Inline wrappers for privileged x86 instructions: CPUID, MSRs, control
 * registers, interrupt flag and halt. Shared by i686 and x86_64; control
 * registers are native width (unsigned long) in both modes.
 */
#ifndef MACHINE_CPUFUNC_H
#define MACHINE_CPUFUNC_H

#include <kern/types.h>
#include <machine/specialreg.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

/* True if extended leaf @leaf exists (CPUID 0x80000000 reports the max). */
static inline bool cpuid_has_ext_leaf(uint32_t leaf)
{
	uint32_t max = cpuid(CPUID_EXT_MAX, 0).eax;

	return (max & 0xffff0000u) == 0x80000000u && max >= leaf;
}

/* EFER exists iff CPUID reports NX or long mode (SDM vol. 4 table 2-2). */
static inline bool cpu_has_efer(void)
{
	return cpuid_has_ext_leaf(CPUID_EXT_FEATURES) &&
	       (cpuid(CPUID_EXT_FEATURES, 0).edx &
		(CPUID_EXT_EDX_NX | CPUID_EXT_EDX_LM)) != 0;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr"
			     : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

/* "memory" clobbers: a CR write changes what every later access means. */
#define X86_CR_ACCESSORS(n)						\
	static inline unsigned long read_cr##n(void)			\
	{								\
		unsigned long v;					\
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));	\
		return v;						\
	}								\
	static inline void write_cr##n(unsigned long v)			\
	{								\
		__asm__ __volatile__("mov %0, %%cr" #n			\
				     : : "r"(v) : "memory");		\
	}
X86_CR_ACCESSORS(0)
X86_CR_ACCESSORS(2)
X86_CR_ACCESSORS(3)
X86_CR_ACCESSORS(4)
#undef X86_CR_ACCESSORS

static inline unsigned long read_flags(void)
{
	unsigned long f;

	__asm__ __volatile__("pushf; pop %0" : "=r"(f) : : "memory");
	return f;
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

static inline void cpu_pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#endif
