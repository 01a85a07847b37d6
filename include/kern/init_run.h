/*
 * The first user program (see core/init_run.c).
 */
#ifndef KERN_INIT_RUN_H
#define KERN_INIT_RUN_H

/*
 * Run @path from the initramfs as init (pid 1) and wait, idling on the
 * boot CPU, until it exits. Prints its exit status and the free page
 * count before and after. Returns the status to power off with: init's
 * exit code (128 + signal if it was killed, 127 if it could not start),
 * or 1 if it exited 0 but pages leaked or processes were left behind.
 * Call from kmain with the scheduler up on every CPU. Locking: none held.
 */
int init_run(const char *path);

#endif
