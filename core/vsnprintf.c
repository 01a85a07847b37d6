/*
 * vsnprintf for the kernel: the C99 subset kernel code uses, no floating
 * point. Output is bounded by the buffer size but the return value is the
 * full length, as C99 requires, so callers can detect truncation.
 */
#include <kern/printk.h>
#include <kern/string.h>

#define F_LEFT		0x01	/* '-' */
#define F_ZERO		0x02	/* '0' */
#define F_PLUS		0x04	/* '+' */
#define F_SPACE		0x08	/* ' ' */
#define F_ALT		0x10	/* '#' */
#define F_UPPER		0x20
#define F_SIGNED	0x40

struct out {
	char *buf;
	size_t size;
	size_t len;		/* bytes the full output needs */
};

struct spec {
	unsigned int flags;
	int width;
	int prec;		/* -1: none given */
	int base;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t max = sp->prec >= 0 ? (size_t)sp->prec : (size_t)-1;
	int len;

	if (!s)
		s = "(null)";
	len = (int)strnlen(s, max);
	if (!(sp->flags & F_LEFT))
		out_pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		out_char(o, s[i]);
	if (sp->flags & F_LEFT)
		out_pad(o, ' ', sp->width - len);
}

/* Digits of @v in @base, least significant first; returns the count. */
static int to_digits(char *d, unsigned long long v, int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		d[n++] = set[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v);
	return n;
}

static void out_num(struct out *o, unsigned long long v, bool neg,
		    const struct spec *sp)
{
	char digits[24], prefix[3];
	int nd = 0, np = 0, zeros, pad;

	if (!(sp->prec == 0 && v == 0))
		nd = to_digits(digits, v, sp->base, sp->flags & F_UPPER);
	if (neg)
		prefix[np++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[np++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[np++] = ' ';
	if ((sp->flags & F_ALT) && v != 0 && sp->base == 16) {
		prefix[np++] = '0';
		prefix[np++] = (sp->flags & F_UPPER) ? 'X' : 'x';
	}
	zeros = sp->prec > nd ? sp->prec - nd : 0;
	if ((sp->flags & F_ALT) && sp->base == 8 && zeros == 0 &&
	    (nd == 0 || digits[nd - 1] != '0'))
		zeros = 1;
	pad = sp->width - np - zeros - nd;
	/* C99 7.19.6.1: '0' is ignored when a precision is given. */
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		out_pad(o, ' ', pad);
	for (int i = 0; i < np; i++)
		out_char(o, prefix[i]);
	out_pad(o, '0', zeros);
	while (nd)
		out_char(o, digits[--nd]);
	if (sp->flags & F_LEFT)
		out_pad(o, ' ', pad);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-': sp->flags |= F_LEFT; break;
		case '0': sp->flags |= F_ZERO; break;
		case '+': sp->flags |= F_PLUS; break;
		case ' ': sp->flags |= F_SPACE; break;
		case '#': sp->flags |= F_ALT; break;
		default: return f;
		}
	}
}

static int parse_int(const char **fp)
{
	int v = 0;

	while (**fp >= '0' && **fp <= '9') {
		if (v < 100000)		/* clamp absurd widths, never overflow */
			v = v * 10 + (**fp - '0');
		(*fp)++;
	}
	return v;
}

/* Length modifier as the byte size of the argument (0 = int). */
static const char *parse_length(const char *f, int *size)
{
	*size = 0;
	switch (*f) {
	case 'h':
		*size = f[1] == 'h' ? 1 : 2;
		return f + (f[1] == 'h' ? 2 : 1);
	case 'l':
		*size = f[1] == 'l' ? (int)sizeof(long long) : (int)sizeof(long);
		return f + (f[1] == 'l' ? 2 : 1);
	case 'z':
		*size = sizeof(size_t);
		return f + 1;
	case 't':
		*size = sizeof(ptrdiff_t);
		return f + 1;
	case 'j':
		*size = sizeof(intmax_t);
		return f + 1;
	default:
		return f;
	}
}

static unsigned long long arg_unsigned(va_list *ap, int size)
{
	switch (size) {
	case 1: return (unsigned char)va_arg(*ap, unsigned int);
	case 2: return (unsigned short)va_arg(*ap, unsigned int);
	case 8: return va_arg(*ap, unsigned long long);
	default:
		if (size == (int)sizeof(long))
			return va_arg(*ap, unsigned long);
		return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, int size)
{
	switch (size) {
	case 1: return (signed char)va_arg(*ap, int);
	case 2: return (short)va_arg(*ap, int);
	case 8: return va_arg(*ap, long long);
	default:
		if (size == (int)sizeof(long))
			return va_arg(*ap, long);
		return va_arg(*ap, int);
	}
}

static void format_integer(struct out *o, char conv, int size,
			   struct spec *sp, va_list *ap)
{
	unsigned long long v;
	bool neg = false;

	sp->base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
	if (conv == 'X')
		sp->flags |= F_UPPER;
	if (conv == 'd' || conv == 'i') {
		long long s = arg_signed(ap, size);

		neg = s < 0;
		v = neg ? 0ULL - (unsigned long long)s : (unsigned long long)s;
	} else {
		v = arg_unsigned(ap, size);
	}
	out_num(o, v, neg, sp);
}

/* Handle one conversion at @f (just past '%'); returns the next byte. */
static const char *format_one(struct out *o, const char *f, va_list *ap)
{
	struct spec sp = { .prec = -1 };
	int size;

	f = parse_flags(f, &sp);
	if (*f == '*') {
		sp.width = va_arg(*ap, int);
		if (sp.width < 0) {
			sp.flags |= F_LEFT;
			sp.width = -sp.width;
		}
		f++;
	} else {
		sp.width = parse_int(&f);
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			sp.prec = va_arg(*ap, int);
			f++;
		} else {
			sp.prec = parse_int(&f);
		}
	}
	f = parse_length(f, &size);
	switch (*f) {
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
		format_integer(o, *f, size, &sp, ap);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		char s[2] = { c, '\0' };

		sp.prec = 1;
		out_str(o, s, &sp);
		break;
	}
	case 's':
		out_str(o, va_arg(*ap, const char *), &sp);
		break;
	case 'p':
		sp.base = 16;
		sp.flags |= F_ALT;
		out_num(o, (uintptr_t)va_arg(*ap, void *), false, &sp);
		break;
	case '%':
		out_char(o, '%');
		break;
	case '\0':
		/* A lone '%' at the end: print it rather than read past the NUL. */
		out_char(o, '%');
		return f;
	default:
		/* Unknown conversion: show it verbatim so the bug is visible. */
		out_char(o, '%');
		out_char(o, *f);
		break;
	}
	return f + 1;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%')
			out_char(&o, *fmt++);
		else
			fmt = format_one(&o, fmt + 1, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
