/* The 64-bit task-state segment (SDM vol. 3A 7.7, figure 7-11). */
#ifndef MACHINE_TSS_H
#define MACHINE_TSS_H

#include <kern/compiler.h>
#include <kern/types.h>

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];		/* stacks for entry from CPL 3..1 */
	uint64_t reserved1;
	uint64_t ist[7];		/* IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

#endif
