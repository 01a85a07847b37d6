/*
 * Kernel command-line parsing. The text is copied once into a struct
 * cmdline and split in place into key/value words; nothing allocates, so
 * this runs before any allocator exists.
 */
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>

extern const struct cmdline_param __cmdline_params_start[];
extern const struct cmdline_param __cmdline_params_end[];

static struct cmdline boot_cmdline;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Cut one word starting at *pp: bare text up to a blank, where a double
 * quote opens a run in which blanks are kept and the quotes are dropped.
 * Returns the word (NUL-terminated in place) or NULL on an open quote.
 */
static char *cut_word(char **pp)
{
	char *src = *pp, *dst = *pp, *word = *pp;
	bool quoted = false;

	for (; *src && (quoted || !is_blank(*src)); src++) {
		if (*src == '"')
			quoted = !quoted;
		else
			*dst++ = *src;
	}
	if (*src)
		src++;
	*dst = '\0';
	*pp = src;
	return quoted ? NULL : word;
}

static void add_word(struct cmdline *cl, char *word)
{
	char *eq = strchr(word, '=');
	struct cmdline_arg *a = &cl->args[cl->count++];

	a->key = word;
	a->value = NULL;
	if (eq) {
		*eq = '\0';
		a->value = eq + 1;
	}
}

int cmdline_parse(struct cmdline *cl, const char *text)
{
	char *p = cl->buf, *word = p;
	bool user = false;	/* past "--": words for the first program */
	int err = 0;

	cl->count = 0;
	if (strlcpy(cl->buf, text ? text : "", sizeof(cl->buf)) >= sizeof(cl->buf))
		err = -E2BIG;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (cl->count == CMDLINE_MAX_ARGS) {
			err = -E2BIG;
			break;
		}
		word = cut_word(&p);
		if (!word) {
			err = -EINVAL;
			break;
		}
		if (!user && strcmp(word, "--") == 0) {
			user = true;
			cl->nkernel = cl->count;
		} else if (user) {
			cl->args[cl->count++] = (struct cmdline_arg){ word, NULL };
		} else {
			add_word(cl, word);
		}
	}
	if (!user)
		cl->nkernel = cl->count;
	return err;
}

const char *cmdline_find(const struct cmdline *cl, const char *key)
{
	const char *found = NULL;

	for (unsigned int i = 0; i < cl->nkernel; i++)
		if (strcmp(cl->args[i].key, key) == 0)
			found = cl->args[i].value ? cl->args[i].value : "";
	return found;
}

static bool param_known(const char *key)
{
	for (const struct cmdline_param *p = __cmdline_params_start;
	     p < __cmdline_params_end; p++)
		if (strcmp(p->name, key) == 0)
			return true;
	return false;
}

void cmdline_init(const char *text)
{
	int err = cmdline_parse(&boot_cmdline, text);

	if (err == -E2BIG)
		printk("cmdline: too long (max %u bytes, %u words); "
		       "ignoring the rest\n", CMDLINE_MAX_LEN - 1,
		       CMDLINE_MAX_ARGS);
	else if (err == -EINVAL)
		printk("cmdline: unterminated quote; ignoring the rest\n");
	for (unsigned int i = 0; i < boot_cmdline.nkernel; i++)
		if (!param_known(boot_cmdline.args[i].key))
			printk("cmdline: unknown parameter '%s' (ignored)\n",
			       boot_cmdline.args[i].key);
}

const char *cmdline_get(const char *key)
{
	return cmdline_find(&boot_cmdline, key);
}

unsigned int cmdline_user_count(void)
{
	return boot_cmdline.count - boot_cmdline.nkernel;
}

const char *cmdline_user_word(unsigned int i)
{
	return boot_cmdline.args[boot_cmdline.nkernel + i].key;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static int apply_suffix(char c, unsigned long *v)
{
	unsigned int shift;

	switch (c) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: return -EINVAL;
	}
	if (*v > (~0UL >> shift))
		return -ERANGE;
	*v <<= shift;
	return 0;
}

int parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	unsigned int base = 10;
	const char *start;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	start = s;
	for (; digit_value(*s) < (int)base; s++) {
		unsigned int d = (unsigned int)digit_value(*s);

		if (v > (~0UL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (s == start)
		return -EINVAL;
	if (*s) {
		int err = apply_suffix(*s, &v);

		if (err || s[1])
			return err ? err : -EINVAL;
	}
	*out = v;
	return 0;
}

unsigned long cmdline_get_ulong(const char *key, unsigned long def,
				unsigned long min, unsigned long max)
{
	const char *s = cmdline_get(key);
	unsigned long v;
	int err;

	if (!s)
		return def;
	err = parse_ulong(s, &v);
	if (err) {
		printk("cmdline: %s='%s' is not a number%s; using %lu\n", key,
		       s, err == -ERANGE ? " (too large)" : "", def);
		return def;
	}
	if (v < min || v > max) {
		printk("cmdline: %s=%lu is outside [%lu, %lu]; using %lu\n",
		       key, v, min, max, def);
		return def;
	}
	return v;
}

bool cmdline_get_bool(const char *key, bool def)
{
	const char *s = cmdline_get(key);

	if (!s)
		return def;
	if (!*s || !strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "yes") ||
	    !strcmp(s, "true"))
		return true;
	if (!strcmp(s, "0") || !strcmp(s, "off") || !strcmp(s, "no") ||
	    !strcmp(s, "false"))
		return false;
	printk("cmdline: %s='%s' is not a boolean (on/off); using %s\n", key,
	       s, def ? "on" : "off");
	return def;
}
