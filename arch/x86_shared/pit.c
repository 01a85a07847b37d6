/*
 * 8254 PIT channel 2 as a polled one-shot (Intel 8254 data sheet; port
 * 0x61 is the PC's "NMI status and control" register).
 *
 * Why channel 2 and not channel 0: channel 2's gate is under software
 * control (port 0x61 bit 0) and its output is readable in port 0x61 bit 5,
 * so "has the count expired" is one IN with no latch command and no
 * two-byte counter read that can tear; channel 0 is the legacy system
 * timer wired to IRQ0, which the firmware may have programmed and which
 * this kernel leaves alone. Channel 2 otherwise drives the PC speaker,
 * whose data-enable bit (bit 1) is kept off.
 */
#include <kern/errno.h>
#include <kern/printk.h>
#include <machine/io.h>
#include <machine/pit.h>

#define PIT_CH2_DATA	0x42
#define PIT_MODE_PORT	0x43
#define PC_PORT_B	0x61
#define PORTB_GATE2	0x01	/* channel 2 gate */
#define PORTB_SPEAKER	0x02	/* speaker data enable */
#define PORTB_OUT2	0x20	/* channel 2 output (read-only) */

/* Channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count),
 * binary: OUT goes low on the count write and high when it expires. */
#define PIT_CMD_CH2_ONESHOT	0xb0

/*
 * A count of at most 55 ms ends long before this many polls of port
 * 0x61 (each an I/O access of roughly a microsecond, less under TCG);
 * past it the PIT is taken to be missing. A bound on polls, not a
 * timing: it only has to end a wait that would otherwise hang.
 */
#define PIT_POLL_LIMIT	50000000u

void pit_oneshot_start(uint16_t count)
{
	uint8_t b = inb(PC_PORT_B);

	outb(PC_PORT_B, (uint8_t)((b & ~PORTB_SPEAKER) | PORTB_GATE2));
	outb(PIT_MODE_PORT, PIT_CMD_CH2_ONESHOT);
	outb(PIT_CH2_DATA, count & 0xff);
	/* Counting starts with the high byte (8254: mode 0, gate high). */
	outb(PIT_CH2_DATA, count >> 8);
}

int pit_oneshot_wait(void)
{
	static bool reported;

	for (uint32_t i = 0; i < PIT_POLL_LIMIT; i++)
		if (inb(PC_PORT_B) & PORTB_OUT2)
			return 0;
	if (!reported) {
		reported = true;
		printk("pit: channel 2 never expired (no PIT or no port "
		       "0x61?): delays and timer calibration are guesses\n");
	}
	return -ENODEV;
}

int pit_delay_us(unsigned int us)
{
	/* In slices the 16-bit counter can hold (~54.9 ms). */
	uint64_t ticks = ((uint64_t)us * PIT_HZ + 999999) / 1000000;
	int err = 0;

	while (ticks > 0 && err == 0) {
		uint16_t n = ticks > PIT_MAX_COUNT ? PIT_MAX_COUNT :
			     (uint16_t)ticks;

		pit_oneshot_start(n);
		err = pit_oneshot_wait();
		ticks -= n;
	}
	return err;
}
