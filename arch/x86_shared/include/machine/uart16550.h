/* The boot console: a 16550 UART on COM1, polled, no interrupts. */
#ifndef MACHINE_UART16550_H
#define MACHINE_UART16550_H

/*
 * Program COM1 for 115200 baud 8N1 with FIFOs on and its interrupt off.
 * Called once on the boot CPU before the first printk.
 */
void uart16550_init(void);

/* Send one raw byte, waiting for the transmit holding register to empty. */
void uart16550_putc(char c);

#endif
