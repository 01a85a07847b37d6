/*
 * Device register access. Single LDR/STR instructions with a plain base
 * register: a hypervisor emulating the access (KVM) can only decode those
 * (ESR_ELx.ISV, Arm ARM D17.2.37). Accesses to one Device-nGnRnE mapping
 * arrive in program order (B2.7.2); ordering against Normal memory needs
 * an explicit DSB, which callers add where it matters.
 */
#ifndef MACHINE_MMIO_H
#define MACHINE_MMIO_H

#include <kern/types.h>

static inline uint32_t mmio_read32(const volatile void *addr)
{
	uint32_t v;

	__asm__ __volatile__("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint64_t mmio_read64(const volatile void *addr)
{
	uint64_t v;

	__asm__ __volatile__("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	__asm__ __volatile__("str %w0, [%1]" :: "rZ"(v), "r"(addr) : "memory");
}

#endif
