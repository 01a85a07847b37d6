/*
 * The kernel command line: "key=value" and bare "flag" words separated by
 * blanks; a value may be double-quoted to hold blanks. Parameters are
 * declared with CMDLINE_PARAM so unknown words are reported at boot.
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include <kern/compiler.h>
#include <kern/types.h>

#define CMDLINE_MAX_LEN		1024
#define CMDLINE_MAX_ARGS	64

struct cmdline_arg {
	const char *key;
	const char *value;	/* NULL for a bare word */
};

struct cmdline {
	char buf[CMDLINE_MAX_LEN];
	/* args[0, nkernel) are kernel parameters; args[nkernel, count) are
	 * the words after "--", whole (value NULL), for the first program. */
	struct cmdline_arg args[CMDLINE_MAX_ARGS];
	unsigned int nkernel;
	unsigned int count;
};

/* A known boot parameter, placed in the .cmdline_params linker section. */
struct cmdline_param {
	const char *name;
	const char *help;
};

#define CMDLINE_PARAM(ident, pname, phelp)				\
	static const struct cmdline_param cmdline_param_##ident		\
	__section_entry(".cmdline_params") __aligned(8) = {		\
		.name = (pname), .help = (phelp),			\
	}

/*
 * Parse @text into @cl: kernel parameters, then, after a "--" word, words
 * for the first program (as Linux hands them to init). Returns 0, or -E2BIG if the text or the number of
 * words exceeds the limits (then @cl holds the words that fit), or -EINVAL
 * for an unterminated quote (the rest of the line is dropped).
 * Locking: none; @cl is the caller's.
 */
int cmdline_parse(struct cmdline *cl, const char *text);

/* The value of the last kernel parameter @key in @cl, "" for a bare word,
 * NULL if absent. */
const char *cmdline_find(const struct cmdline *cl, const char *key);

/*
 * Boot command line (parsed once by kmain, read-only afterwards).
 * cmdline_init() reports parse errors and unknown parameters on the console.
 */
void cmdline_init(const char *text);
const char *cmdline_get(const char *key);

/* The words after "--" on the boot command line: how many, and word @i. */
unsigned int cmdline_user_count(void);
const char *cmdline_user_word(unsigned int i);

/*
 * Typed getters for the boot command line: a missing key gives @def; a
 * malformed or out-of-range value prints what was wrong and gives @def.
 */
unsigned long cmdline_get_ulong(const char *key, unsigned long def,
				unsigned long min, unsigned long max);
bool cmdline_get_bool(const char *key, bool def);

/*
 * Parse an unsigned number (decimal, 0x hex, 0 octal, optional K/M/G
 * suffix) into *out. Returns 0 or -EINVAL (junk) / -ERANGE (overflow).
 */
int parse_ulong(const char *s, unsigned long *out);

#endif
