/*
 * Calls into firmware (SMCCC through HVC / SMC) and into the emulator
 * (Arm semihosting), safe even where the instruction is UNDEFINED.
 */
#ifndef MACHINE_FWCALL_H
#define MACHINE_FWCALL_H

#include <kern/types.h>

struct trapframe;

/* value = x0 on return; trapped = the instruction was UNDEFINED here. */
struct fwcall_ret {
	uint64_t value;
	uint64_t trapped;
};

/* SMCCC call with function id @fid and arguments in x1-x3. */
struct fwcall_ret fwcall_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
struct fwcall_ret fwcall_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

/* Semihosting operation @op with parameter @arg (w0 / x1). */
struct fwcall_ret fwcall_semihost(uint64_t op, uint64_t arg);

/*
 * For trap.c: if @tf is an UNDEFINED trap on one of the calls above, make
 * the call return trapped = 1 and return true.
 */
bool fwcall_fixup(struct trapframe *tf);

#endif
