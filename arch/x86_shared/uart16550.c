/*
 * Polled 16550 UART on COM1: the boot console of both x86 modes.
 * Register layout: National Semiconductor PC16550D data sheet, table 2.
 */
#include <kern/arch.h>
#include <machine/io.h>
#include <machine/uart16550.h>

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (write, DLAB=0) */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_IER	1	/* interrupt enable (DLAB=0) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS	0x03	/* OUT2 = 0: no interrupt to the PIC */
#define LSR_THRE	0x20	/* transmit holding register empty */

/* 1.8432 MHz / 16 = 115200 baud at divisor 1. */
#define UART_DIVISOR_115200 1

/* Program COM1 for 115200 8N1, FIFOs on, interrupts off. Boot CPU only. */
void uart16550_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, UART_DIVISOR_115200 & 0xff);
	outb(COM1 + UART_DLM, UART_DIVISOR_115200 >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

/*
 * Send one byte once the transmitter can take it. Without a UART the port
 * reads 0xff, which has THRE set, so this never spins forever.
 */
void uart16550_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		arch_cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

/*
 * Console byte output for printk and panic; '\n' becomes "\r\n".
 * Locking: none; callers serialise (printk's console lock).
 */
void arch_console_putc(char c)
{
	if (c == '\n')
		uart16550_putc('\r');
	uart16550_putc(c);
}
