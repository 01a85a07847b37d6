/*
 * Error numbers for user programs: the kernel's table, which holds Linux's
 * generic values (the same on x86_64, i686 and aarch64). System calls
 * return them negated.
 */
#ifndef U_ERRNO_H
#define U_ERRNO_H

#include <kern/errno.h>

#endif
