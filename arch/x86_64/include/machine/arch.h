/* <machine/arch.h> for x86_64: ARCH_NAME and the inlines MI code uses. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME	"x86_64"

#include <machine/x86_arch.h>

#endif
