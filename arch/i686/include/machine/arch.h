/* <machine/arch.h> for i686: ARCH_NAME and the inlines MI code uses. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME	"i686"
/* The ELF executables this arch runs (values from <kern/elf.h>). */
#define ARCH_ELF_MACHINE	EM_386
#define ARCH_ELF_CLASS		ELFCLASS32

#include <machine/x86_arch.h>

#endif
