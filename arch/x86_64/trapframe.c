/* x86_64 register dump for trap reports. */
#include <kern/printk.h>
#include <machine/cpufunc.h>
#include <machine/x86_trap.h>

/* Print every register in @tf plus the control registers now. */
void trapframe_print(const struct trapframe *tf)
{
	printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	       tf->rax, tf->rbx, tf->rcx, tf->rdx);
	printk("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n",
	       tf->rsi, tf->rdi, tf->rbp, tf->rsp);
	printk("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n",
	       tf->r8, tf->r9, tf->r10, tf->r11);
	printk("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n",
	       tf->r12, tf->r13, tf->r14, tf->r15);
	printk("rip %016lx rflags %08lx cs %04lx ss %04lx\n",
	       tf->rip, tf->rflags, tf->cs & 0xffff, tf->ss & 0xffff);
	printk("cr0 %08lx cr3 %016lx cr4 %08lx efer %08llx\n",
	       read_cr0(), read_cr3(), read_cr4(),
	       (unsigned long long)rdmsr(MSR_EFER));
}
