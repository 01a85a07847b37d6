/* <machine/arch.h> for i686: ARCH_NAME and the inlines MI code uses. */
#ifndef MACHINE_ARCH_H
#define MACHINE_ARCH_H

#define ARCH_NAME	"i686"

#include <machine/x86_arch.h>

#endif
