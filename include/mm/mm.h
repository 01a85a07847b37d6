/* Bringing memory management up at boot (mm/mm_init.c). */
#ifndef MM_MM_H
#define MM_MM_H

struct boot_info;

/*
 * Hand RAM to the page allocator and the boot page tables to the kernel
 * pmap, from what the arch recorded in @bi (direct map, usable and
 * reserved ranges, kernel root), and print the result. Returns 0, or a
 * negative errno after printing why: the kernel then runs without memory
 * management and the suites that need it skip.
 * Locking: boot CPU, once, before other CPUs start.
 */
int mm_init(const struct boot_info *bi);

#endif
