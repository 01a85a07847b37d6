/* Recovery from firmware calls that are UNDEFINED here (see fwcall.S). */

#include <machine/fwcall.h>
#include <machine/trapframe.h>

extern const char fwcall_hvc_insn[], fwcall_smc_insn[], fwcall_semihost_insn[];

/* Resume after the "not trapped" return: insn, mov x1 #0, ret, [target]. */
#define FWCALL_FIXUP_SKIP	12

bool fwcall_fixup(struct trapframe *tf)
{
	if (tf->elr != (uintptr_t)fwcall_hvc_insn &&
	    tf->elr != (uintptr_t)fwcall_smc_insn &&
	    tf->elr != (uintptr_t)fwcall_semihost_insn)
		return false;
	tf->elr += FWCALL_FIXUP_SKIP;
	return true;
}
