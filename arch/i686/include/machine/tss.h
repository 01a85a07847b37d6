/* The 32-bit task-state segment (SDM vol. 3A 7.2.1, figure 7-2). */
#ifndef MACHINE_TSS_H
#define MACHINE_TSS_H

#include <kern/compiler.h>
#include <kern/types.h>

struct tss32 {
	uint16_t link, reserved0;	/* previous task, after a task switch */
	uint32_t esp0;
	uint16_t ss0, reserved1;
	uint32_t esp1;
	uint16_t ss1, reserved2;
	uint32_t esp2;
	uint16_t ss2, reserved3;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, reserved4;
	uint16_t cs, reserved5;
	uint16_t ss, reserved6;
	uint16_t ds, reserved7;
	uint16_t fs, reserved8;
	uint16_t gs, reserved9;
	uint16_t ldt, reserved10;
	uint16_t trap, iomap_base;
} __packed;

_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes");

/* First instruction of the #DF task (vectors.asm). */
void double_fault_task_entry(void);

/* Body of the #DF task: report the faulting context and panic. */
__noreturn void i686_double_fault_task(uint32_t error);

#endif
