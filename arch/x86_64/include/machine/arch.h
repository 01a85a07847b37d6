/* <machine/arch.h> for x86_64: ARCH_NAME and the inlines MI code uses. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME	"x86_64"
/* The ELF executables this arch runs (values from <kern/elf.h>). */
#define ARCH_ELF_MACHINE	EM_X86_64
#define ARCH_ELF_CLASS		ELFCLASS64

#include <machine/x86_arch.h>

#endif
