/*
 * Readers of /proc/tlbk/shootdown, this kernel's per-CPU counters of the
 * TLB coherence layer (layout in core/fs_synth.c and README.md):
 *
 *   cpus 0 1 2 3
 *   shootdowns 12 0 3 0            one row per counter, one column per CPU
 *   lat_2^0_ns 0 0 0 0             ... latency buckets
 *
 * Linux has no such file: every reader returns -ENOENT there, so a test
 * program can report "n/a" (or SKIP) and still run on both.
 */
#ifndef U_TLBK_H
#define U_TLBK_H

#include <stddef.h>

#define TLBK_SHOOTDOWN_PATH	"/proc/tlbk/shootdown"

/*
 * Read the whole file into @buf (NUL-terminated); returns its length,
 * -ENOENT where it does not exist, -ERANGE if it does not fit in @size
 * bytes, or open/read's -errno.
 * Locking: none (the caller owns @buf). TLB: none.
 */
long tlbk_read(char *buf, size_t size);

/*
 * The values of row @name of text @text (as tlbk_read gave it) into
 * @vals, at most @max; returns how many the row has, -ENOENT if no row
 * is named @name, -EINVAL if the row is malformed (not single spaces and
 * decimals), -ERANGE if it has more than @max values or one exceeds an
 * unsigned long. Locking: none (pure). TLB: none.
 */
int tlbk_row(const char *text, const char *name, unsigned long *vals,
	     unsigned int max);

/*
 * The column of CPU @cpu in @text's "cpus" header (0 = first value of
 * every row), or -ENOENT if the header does not name @cpu (not online)
 * or is missing; -EINVAL if the header is malformed.
 * Locking: none (pure). TLB: none.
 */
int tlbk_column(const char *text, unsigned int cpu);

/*
 * Read the file now and store CPU @cpu's value of counter @name (e.g.
 * "shootdowns", "lat_2^3_ns") in *@out. Returns 0; -ENOENT if the file
 * (Linux), the row or the CPU's column does not exist; -EINVAL if the
 * file is malformed; -ERANGE if a value exceeds an unsigned long (i686)
 * or the file exceeds the reader's buffer; or open/read's -errno.
 * Locking: takes a mutex of its own around one static buffer (safe from
 * any thread). TLB: none (no mapping changes: it would perturb the
 * shootdown counters it reads).
 */
int tlbk_counter(const char *name, unsigned int cpu, unsigned long *out);

#endif
