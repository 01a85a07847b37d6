/*
 * Legacy 8259A PIC pair: remap, mask, and mop up stray interrupts.
 * Initialisation words and OCW3: Intel 8259A data sheet, "Programming
 * the 8259A". Master at 0x20, slave at 0xa0 cascaded on master IRQ 2.
 */
#include <kern/printk.h>
#include <machine/io.h>
#include <machine/pic8259.h>

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

#define ICW1_INIT_ICW4	0x11	/* edge triggered, cascade, ICW4 follows */
#define ICW3_MASTER	0x04	/* slave on IRQ 2 */
#define ICW3_SLAVE	0x02	/* my cascade identity */
#define ICW4_8086	0x01
#define OCW3_READ_ISR	0x0b
#define PIC_EOI		0x20	/* non-specific EOI */

/* An I/O cycle to an unused port: old PICs need time between writes. */
static void io_delay(void)
{
	outb(0x80, 0);
}

static void pic_write(uint16_t port, uint8_t v)
{
	outb(port, v);
	io_delay();
}

void pic8259_disable(void)
{
	pic_write(PIC1_CMD, ICW1_INIT_ICW4);
	pic_write(PIC2_CMD, ICW1_INIT_ICW4);
	pic_write(PIC1_DATA, PIC_VECTOR_BASE);
	pic_write(PIC2_DATA, PIC_VECTOR_BASE + 8);
	pic_write(PIC1_DATA, ICW3_MASTER);
	pic_write(PIC2_DATA, ICW3_SLAVE);
	pic_write(PIC1_DATA, ICW4_8086);
	pic_write(PIC2_DATA, ICW4_8086);
	/* OCW1: mask every line. */
	pic_write(PIC1_DATA, 0xff);
	pic_write(PIC2_DATA, 0xff);
}

static bool pic_in_service(uint16_t cmd_port, unsigned int line)
{
	outb(cmd_port, OCW3_READ_ISR);
	return (inb(cmd_port) >> line) & 1;
}

void pic8259_stray(unsigned int vector)
{
	unsigned int irq = vector - PIC_VECTOR_BASE;
	bool slave = irq >= 8;
	static bool reported;

	if (pic_in_service(slave ? PIC2_CMD : PIC1_CMD, irq & 7)) {
		if (slave)
			outb(PIC2_CMD, PIC_EOI);
		outb(PIC1_CMD, PIC_EOI);
	} else if (slave) {
		/* The master did acknowledge its cascade line. */
		outb(PIC1_CMD, PIC_EOI);
	}
	if (!reported) {
		reported = true;
		printk("pic: stray IRQ %u (vector %#x) with every line "
		       "masked; ignored\n", irq, vector);
	}
}
