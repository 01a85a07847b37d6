/*
 * Per-process file descriptor tables (see <kern/fd_table.h>).
 */
#include <kern/errno.h>
#include <kern/fd_table.h>
#include <kern/file.h>
#include <kern/string.h>
#include <mm/kheap.h>

static struct fd_table *table_alloc(void)
{
	struct fd_table *t = kzalloc(sizeof(*t));

	if (t)
		t->lock = (struct spinlock)SPINLOCK_INIT("fd_table");
	return t;
}

struct fd_table *fd_table_create(bool with_console)
{
	struct fd_table *t = table_alloc();

	if (!t || !with_console)
		return t;
	t->slot[0] = &console_in;
	t->slot[1] = &console_out;
	t->slot[2] = &console_out;
	file_get(&console_in);
	file_get(&console_out);
	file_get(&console_out);
	t->used = 3;
	return t;
}

struct fd_table *fd_table_copy(struct fd_table *src)
{
	struct fd_table *t = table_alloc();
	unsigned long irq;

	if (!t)
		return NULL;
	irq = spin_lock_irqsave(&src->lock);
	for (unsigned int i = 0; i < FD_MAX; i++) {
		t->slot[i] = src->slot[i];
		if (t->slot[i])
			file_get(t->slot[i]);
	}
	t->used = src->used;
	spin_unlock_irqrestore(&src->lock, irq);
	return t;
}

void fd_table_destroy(struct fd_table *t)
{
	if (!t)
		return;
	for (unsigned int i = 0; i < FD_MAX; i++)
		if (t->slot[i])
			file_put(t->slot[i]);
	kfree(t);
}

int fd_install(struct fd_table *t, struct file *f)
{
	unsigned long irq = spin_lock_irqsave(&t->lock);
	int fd = -EMFILE;

	for (unsigned int i = 0; i < FD_MAX; i++) {
		if (!t->slot[i]) {
			t->slot[i] = f;
			t->used++;
			fd = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&t->lock, irq);
	return fd;
}

struct file *fd_get(struct fd_table *t, long fd)
{
	struct file *f = NULL;
	unsigned long irq;

	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	irq = spin_lock_irqsave(&t->lock);
	f = t->slot[fd];
	if (f)
		file_get(f);
	spin_unlock_irqrestore(&t->lock, irq);
	return f;
}

int fd_close(struct fd_table *t, long fd)
{
	struct file *f = NULL;
	unsigned long irq;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	irq = spin_lock_irqsave(&t->lock);
	f = t->slot[fd];
	if (f) {
		t->slot[fd] = NULL;
		t->used--;
	}
	spin_unlock_irqrestore(&t->lock, irq);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}
