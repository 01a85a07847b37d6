/*
 * Console on a PL011 UART, polled. The firmware (QEMU, U-Boot) has already
 * enabled it; the kernel only writes bytes, so it never reprograms the
 * baud rate of a UART whose reference clock it does not know.
 */

#include <kern/arch.h>
#include <machine/memlayout.h>
#include <machine/pl011.h>

#define UART_DR		0x00		/* data register */
#define UART_FR		0x18		/* flag register */
#define UART_FR_TXFF	(1U << 5)	/* transmit FIFO full */

static volatile uint8_t *uart_regs =
	(volatile uint8_t *)(KERNEL_VOFFSET + VIRT_UART_BASE);

void pl011_set_base(paddr_t base)
{
	uart_regs = phys_to_virt(base);
}

static void pl011_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uart_regs + UART_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uart_regs + UART_DR);

	while (*fr & UART_FR_TXFF)
		arch_cpu_relax();
	*dr = (uint8_t)c;
}

void arch_console_putc(char c)
{
	if (c == '\n')
		pl011_putc('\r');
	pl011_putc(c);
}
