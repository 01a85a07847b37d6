/*
 * A process's file descriptors: slots 0 .. FD_MAX-1 each empty or holding
 * a reference to a struct file. Threads of a process share the table;
 * fork copies it (the child's slots refer to the same files, as Linux's
 * fork shares open file descriptions); the process's exit closes them.
 *
 * Locking: the table's lock (unranked, innermost: nothing is taken and no
 * user memory is touched while it is held) protects the slots. A caller
 * using a file gets its own reference from fd_get, so a close by another
 * thread in the middle of a read cannot free the file under it.
 */
#ifndef KERN_FD_TABLE_H
#define KERN_FD_TABLE_H

#include <kern/spinlock.h>

struct file;

/* Descriptors per process: open beyond returns -EMFILE. */
#define FD_MAX		256

struct fd_table {
	struct spinlock lock;
	unsigned int used;		/* slots holding a file */
	struct file *slot[FD_MAX];
};

/*
 * A new table: fds 0, 1, 2 on the console (@with_console) or empty.
 * NULL when memory runs out. Locking: none.
 */
struct fd_table *fd_table_create(bool with_console);

/*
 * A copy of @src for a forked child: the same files, one more reference
 * each. NULL when memory runs out. Locking: takes @src's lock.
 */
struct fd_table *fd_table_copy(struct fd_table *src);

/* Close every descriptor and free @t (NULL is ignored). Locking: none of
 * @t's; its owner is exiting and no thread uses it any more. */
void fd_table_destroy(struct fd_table *t);

/*
 * Install @f (the caller's reference moves to the table) in the lowest
 * free slot. Returns the fd, or -EMFILE (the caller keeps its reference).
 * Locking: takes @t's lock.
 */
int fd_install(struct fd_table *t, struct file *f);

/* The file at @fd with a new reference (drop it with file_put), or NULL
 * for a closed or out-of-range @fd. Locking: takes @t's lock. */
struct file *fd_get(struct fd_table *t, long fd);

/* Close @fd: 0 or -EBADF. Locking: takes @t's lock; the file's last
 * reference may be dropped (freed) after it is released. */
int fd_close(struct fd_table *t, long fd);

#endif
