/* i686 register dump for trap reports. */
#include <kern/printk.h>
#include <machine/cpufunc.h>
#include <machine/x86_trap.h>

static uint16_t read_ss(void)
{
	uint16_t ss;

	__asm__ __volatile__("movw %%ss, %0" : "=r"(ss));
	return ss;
}

/* Print every register in @tf plus the control registers now. */
void trapframe_print(const struct trapframe *tf)
{
	uint32_t ss = trapframe_from_user(tf) ? tf->ss : read_ss();

	printk("eax %08x ebx %08x ecx %08x edx %08x\n",
	       tf->eax, tf->ebx, tf->ecx, tf->edx);
	printk("esi %08x edi %08x ebp %08x esp %08lx\n",
	       tf->esi, tf->edi, tf->ebp, (unsigned long)trapframe_sp(tf));
	printk("eip %08x eflags %08x cs %04x ss %04x ds %04x es %04x "
	       "fs %04x gs %04x\n", tf->eip, tf->eflags, tf->cs & 0xffff,
	       ss & 0xffff, tf->ds & 0xffff, tf->es & 0xffff, tf->fs & 0xffff,
	       tf->gs & 0xffff);
	printk("cr0 %08lx cr3 %08lx cr4 %08lx efer %08llx\n", read_cr0(),
	       read_cr3(), read_cr4(),
	       cpu_has_efer() ? (unsigned long long)rdmsr(MSR_EFER) : 0ULL);
}
