/*
 * The first user program (see core/init_run.c).
 */
#ifndef KERN_INIT_RUN_H
#define KERN_INIT_RUN_H

/*
 * Run @path from the initramfs as init (pid 1) and wait, idling on the
 * boot CPU, until it exits. Prints its exit status and the free page
 * count before and after. Returns 0 if init exited with status 0 and
 * every page came back, else 1. Call from kmain with the scheduler up on
 * every CPU. Locking: none held.
 */
int init_run(const char *path);

#endif
