/*
 * Readers of /proc/tlbk/shootdown (see <u/tlbk.h>).
 */
#include <u/errno.h>
#include <u/mutex.h>
#include <u/string.h>
#include <u/sys.h>
#include <u/tlbk.h>

#define O_RDONLY	00
#define AT_FDCWD	(-100)
/* 41 rows of up to 256 CPUs' 20-digit values fit with room to spare. */
#define TLBK_BUF	(256UL * 1024)
/* Most CPU columns tlbk_counter parses (the kernel's MAX_CPUS). */
#define TLBK_MAX_COLS	256

long tlbk_read(char *buf, size_t size)
{
	long fd = syscall4(SYS_openat, AT_FDCWD, (long)TLBK_SHOOTDOWN_PATH,
			   O_RDONLY, 0);
	long n = 0, total = 0;
	char extra;

	if (fd < 0)
		return fd;
	while ((size_t)total < size - 1 &&
	       (n = sys_read((int)fd, buf + total, size - 1 - total)) > 0)
		total += n;
	/* Full buffer: is there more? */
	if (n > 0 && sys_read((int)fd, &extra, 1) > 0)
		n = -ERANGE;
	syscall1(SYS_close, fd);
	buf[total] = '\0';
	return n < 0 ? n : total;
}

/* The line of @text whose first field is @name, or NULL. */
static const char *find_row(const char *text, const char *name)
{
	size_t k = strlen(name);

	for (const char *l = text; *l; l++)
		if ((l == text || l[-1] == '\n') && !strncmp(l, name, k) &&
		    (l[k] == ' ' || l[k] == '\n'))
			return l + k;
	return NULL;
}

/* One decimal at *@p into *@v, advancing *@p; -EINVAL or -ERANGE. */
static int parse_value(const char **p, unsigned long *v)
{
	const char *s = *p;
	unsigned long x = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (x > (~0UL - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return 0;
}

int tlbk_row(const char *text, const char *name, unsigned long *vals,
	     unsigned int max)
{
	const char *l = find_row(text, name);
	unsigned int n = 0;
	unsigned long v;
	int err;

	if (!l)
		return -ENOENT;
	while (*l == ' ') {
		l++;
		err = parse_value(&l, &v);
		if (err)
			return err;
		if (n == max)
			return -ERANGE;
		vals[n++] = v;
	}
	return *l == '\n' ? (int)n : -EINVAL;
}

int tlbk_column(const char *text, unsigned int cpu)
{
	const char *l = find_row(text, "cpus");
	unsigned long id;
	int err;

	if (!l)
		return -ENOENT;
	for (int col = 0; *l == ' '; col++) {
		l++;
		err = parse_value(&l, &id);
		if (err)
			return err;
		if (id == cpu)
			return col;
	}
	return *l == '\n' ? -ENOENT : -EINVAL;
}

int tlbk_counter(const char *name, unsigned int cpu, unsigned long *out)
{
	static struct mutex lock = MUTEX_INIT;
	static char text[TLBK_BUF];
	static unsigned long vals[TLBK_MAX_COLS];
	long r;
	int col, n;

	mutex_lock(&lock);
	r = tlbk_read(text, sizeof(text));
	col = r < 0 ? (int)r : tlbk_column(text, cpu);
	n = col < 0 ? col : tlbk_row(text, name, vals, TLBK_MAX_COLS);
	if (n >= 0 && col >= n)
		n = -EINVAL;	/* a row shorter than the header */
	if (n >= 0)
		*out = vals[col];
	mutex_unlock(&lock);
	return n < 0 ? n : 0;
}
