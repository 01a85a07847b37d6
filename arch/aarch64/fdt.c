/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
 * See <machine/fdt.h> for the safety contract.
 */

#include <kern/compiler.h>
#include <kern/errno.h>
#include <kern/string.h>
#include <machine/fdt.h>

#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

/* Header sizes: version 17 added size_dt_struct. */
#define FDT_HEADER_V16	36
#define FDT_HEADER_V17	40
#define FDT_LAST_COMP	17	/* newest layout this reader understands */

struct fdt_token {
	uint32_t tag;
	uint32_t next;		/* offset of the following token */
	const char *name;	/* node or property name */
	const void *data;	/* property value */
	uint32_t len;		/* property length */
};

/* @p is 4-byte aligned: the blob is 8-aligned and every offset 4-aligned. */
static uint32_t be32(const void *p)
{
	return __builtin_bswap32(*(const uint32_t *)p);
}

uint64_t fdt_read_cells(const void *p, uint32_t cells)
{
	const uint8_t *b = p;

	if (cells == 2)
		return (uint64_t)be32(b) << 32 | be32(b + 4);
	return cells == 1 ? be32(b) : 0;
}

/* A NUL-terminated string at @s with at most @room bytes, or NULL. */
static const char *bounded_string(const uint8_t *s, uint32_t room)
{
	return strnlen((const char *)s, room) < room ? (const char *)s : NULL;
}

/* Decode the token at structure offset @off; -EINVAL if it is malformed. */
static int fdt_token(const struct fdt *fdt, uint32_t off, struct fdt_token *t)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t size = fdt->struct_size;
	uint32_t nameoff;

	if (off % 4 || size < 4 || off > size - 4)
		return -EINVAL;
	t->tag = be32(s + off);
	t->next = off + 4;
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		t->name = bounded_string(s + off + 4, size - off - 4);
		if (!t->name)
			return -EINVAL;
		t->next = ALIGN_UP(off + 4 + (uint32_t)strlen(t->name) + 1, 4);
		return 0;
	case FDT_PROP:
		if (size - off < 12)
			return -EINVAL;
		t->len = be32(s + off + 4);
		nameoff = be32(s + off + 8);
		if (t->len > size - off - 12 || nameoff >= fdt->strings_size)
			return -EINVAL;
		t->name = bounded_string(fdt->blob + fdt->strings_off + nameoff,
					 fdt->strings_size - nameoff);
		if (!t->name)
			return -EINVAL;
		t->data = s + off + 12;
		t->next = ALIGN_UP(off + 12 + t->len, 4);
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Check the header fields against each other and @avail. */
static const char *fdt_check_header(struct fdt *fdt, const uint8_t *b,
				    uint64_t avail)
{
	uint64_t rsv;

	if ((uintptr_t)b % 8)
		return "not 8-byte aligned";
	if (avail < FDT_HEADER_V17)
		return "too small for a header";
	if (be32(b) != FDT_MAGIC)
		return "bad magic (not 0xd00dfeed)";
	fdt->totalsize = be32(b + 4);
	fdt->struct_off = be32(b + 8);
	fdt->strings_off = be32(b + 12);
	rsv = be32(b + 16);
	fdt->version = be32(b + 20);
	fdt->strings_size = be32(b + 32);
	if (fdt->totalsize > avail)
		return "truncated: totalsize beyond the bytes available";
	if (fdt->totalsize > INT32_MAX)
		return "totalsize over 2 GiB";
	if (fdt->version < 16)
		return "version older than 16";
	if (be32(b + 24) > FDT_LAST_COMP)
		return "last_comp_version newer than 17";
	if (fdt->totalsize < FDT_HEADER_V17)
		return "totalsize smaller than the header";
	fdt->struct_size = fdt->version >= 17 ? be32(b + 36) :
			   fdt->totalsize - MIN(fdt->struct_off, fdt->totalsize);
	if (rsv % 8 || rsv < FDT_HEADER_V16 || rsv + 16 > fdt->totalsize)
		return "memory reservation block out of bounds";
	if (fdt->struct_off % 4 || fdt->struct_off < FDT_HEADER_V16 ||
	    (uint64_t)fdt->struct_off + fdt->struct_size > fdt->totalsize)
		return "structure block out of bounds";
	if (fdt->strings_off < FDT_HEADER_V16 ||
	    (uint64_t)fdt->strings_off + fdt->strings_size > fdt->totalsize)
		return "strings block out of bounds";
	return NULL;
}

/* The memory reservation list must end with a (0, 0) entry in bounds. */
static const char *fdt_check_rsvmap(const struct fdt *fdt, const uint8_t *b)
{
	uint64_t off = be32(b + 16);

	for (; off + 16 <= fdt->totalsize; off += 16)
		if (fdt_read_cells(b + off, 2) == 0 &&
		    fdt_read_cells(b + off + 8, 2) == 0)
			return NULL;
	return "memory reservation block not terminated";
}

/* Walk every token once: nesting balanced, depth bounded, FDT_END last. */
static const char *fdt_check_struct(const struct fdt *fdt)
{
	struct fdt_token t;
	uint32_t off = 0;
	int depth = 0;
	bool seen_root = false;

	for (;;) {
		if (fdt_token(fdt, off, &t) != 0)
			return "malformed token in the structure block";
		off = t.next;
		if (t.tag == FDT_NOP)
			continue;
		if (t.tag == FDT_END)
			return depth == 0 && seen_root ? NULL :
			       "structure block ends inside a node";
		if (depth == 0 && (t.tag != FDT_BEGIN_NODE || seen_root))
			return "structure block is not a single root node";
		if (t.tag == FDT_BEGIN_NODE) {
			seen_root = true;
			if (++depth > FDT_MAX_DEPTH)
				return "nodes nested too deeply";
		} else if (t.tag == FDT_END_NODE) {
			depth--;
		}
	}
}

int fdt_open(struct fdt *fdt, const void *blob, uint64_t avail,
	     const char **why)
{
	const uint8_t *b = blob;
	const char *err;

	fdt->blob = b;
	err = fdt_check_header(fdt, b, avail);
	if (!err)
		err = fdt_check_rsvmap(fdt, b);
	if (!err)
		err = fdt_check_struct(fdt);
	*why = err;
	return err ? -EINVAL : 0;
}

/* First token at or after @off that is not a NOP. */
static int fdt_skip_nops(const struct fdt *fdt, uint32_t off,
			 struct fdt_token *t)
{
	for (;;) {
		if (fdt_token(fdt, off, t) != 0)
			return -EINVAL;
		if (t->tag != FDT_NOP)
			return (int)off;
		off = t->next;
	}
}

int fdt_root(const struct fdt *fdt)
{
	struct fdt_token t;

	return fdt_skip_nops(fdt, 0, &t);
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	struct fdt_token t;
	int off;

	if (node < 0) {
		*depth = 0;
		return fdt_root(fdt);
	}
	if (fdt_token(fdt, (uint32_t)node, &t) != 0 || t.tag != FDT_BEGIN_NODE)
		return -EINVAL;
	(*depth)++;
	for (off = (int)t.next;; off = (int)t.next) {
		off = fdt_skip_nops(fdt, (uint32_t)off, &t);
		if (off < 0)
			return off;
		if (t.tag == FDT_BEGIN_NODE)
			return off;
		if (t.tag == FDT_END)
			return -ENOENT;
		if (t.tag == FDT_END_NODE)
			(*depth)--;
	}
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH + 1];
	int depth = 0;
	int off;

	for (off = fdt_next_node(fdt, -1, &depth); off >= 0;
	     off = fdt_next_node(fdt, off, &depth)) {
		if (depth < 0 || depth > FDT_MAX_DEPTH)
			return -EINVAL;
		stack[depth] = off;
		if (off == node)
			return depth > 0 ? stack[depth - 1] : -ENOENT;
	}
	return off;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	struct fdt_token t;

	if (node < 0 || fdt_token(fdt, (uint32_t)node, &t) != 0 ||
	    t.tag != FDT_BEGIN_NODE)
		return "";
	return t.name;
}

/* Whether path component [comp, comp + len) names node @name. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	size_t i;

	if (strncmp(name, comp, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	/* "memory" matches "memory@40000000"; "memory@0" must match exactly. */
	for (i = 0; i < len; i++)
		if (comp[i] == '@')
			return false;
	return name[len] == '@';
}

/* The child of @parent named by [comp, comp + len). */
static int fdt_subnode(const struct fdt *fdt, int parent, const char *comp,
		       size_t len)
{
	int depth = 0;
	int off = parent;

	while ((off = fdt_next_node(fdt, off, &depth)) >= 0 && depth > 0)
		if (depth == 1 && name_matches(fdt_node_name(fdt, off), comp, len))
			return off;
	return off < 0 ? off : -ENOENT;
}

int fdt_path(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);
	size_t len;

	if (path[0] != '/')
		return -ENOENT;
	while (node >= 0 && *path) {
		while (*path == '/')
			path++;
		for (len = 0; path[len] && path[len] != '/'; len++)
			;
		if (len > 0)
			node = fdt_subnode(fdt, node, path, len);
		path += len;
	}
	return node;
}

const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len)
{
	struct fdt_token t;
	uint32_t off;

	if (node < 0 || fdt_token(fdt, (uint32_t)node, &t) != 0 ||
	    t.tag != FDT_BEGIN_NODE)
		return NULL;
	/* A node's properties precede its children (spec 5.4.1). */
	for (off = t.next; fdt_token(fdt, off, &t) == 0; off = t.next) {
		if (t.tag == FDT_PROP && strcmp(t.name, name) == 0) {
			if (len)
				*len = t.len;
			return t.data;
		}
		if (t.tag != FDT_PROP && t.tag != FDT_NOP)
			break;
	}
	return NULL;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	uint32_t len;
	const char *s = fdt_prop(fdt, node, name, &len);

	if (!s || len == 0 || strnlen(s, len) == len)
		return NULL;
	return s;
}

bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		  uint32_t *out)
{
	uint32_t len;
	const void *p = fdt_prop(fdt, node, name, &len);

	if (!p || len != 4)
		return false;
	*out = be32(p);
	return true;
}

bool fdt_prop_u64(const struct fdt *fdt, int node, const char *name,
		  uint64_t *out)
{
	uint32_t len;
	const void *p = fdt_prop(fdt, node, name, &len);

	if (!p || (len != 4 && len != 8))
		return false;
	*out = fdt_read_cells(p, len / 4);
	return true;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	uint32_t len, pos, n;
	const char *list = fdt_prop(fdt, node, "compatible", &len);

	if (!list)
		return false;
	for (pos = 0; pos < len; pos += n + 1) {
		n = (uint32_t)strnlen(list + pos, len - pos);
		if (n < len - pos && strcmp(list + pos, compat) == 0)
			return true;
	}
	return false;
}

bool fdt_is_enabled(const struct fdt *fdt, int node)
{
	const char *status = fdt_prop_string(fdt, node, "status");

	return !status || strcmp(status, "okay") == 0 ||
	       strcmp(status, "ok") == 0;
}

int fdt_find_compatible(const struct fdt *fdt, int from, const char *compat)
{
	int depth = 0;
	int off = from;

	while ((off = fdt_next_node(fdt, off, &depth)) >= 0)
		if (fdt_is_compatible(fdt, off, compat) &&
		    fdt_is_enabled(fdt, off))
			return off;
	return off;
}

/* Defaults from the Devicetree Specification 2.3.5. */
uint32_t fdt_address_cells(const struct fdt *fdt, int node)
{
	uint32_t v;

	return fdt_prop_u32(fdt, node, "#address-cells", &v) ? v : 2;
}

uint32_t fdt_size_cells(const struct fdt *fdt, int node)
{
	uint32_t v;

	return fdt_prop_u32(fdt, node, "#size-cells", &v) ? v : 1;
}

int fdt_reg(const struct fdt *fdt, int node, unsigned int index,
	    uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	uint32_t ac, sc, len, stride;
	const uint8_t *reg;

	if (parent < 0)
		return -ENOENT;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 1 || ac > 2 || sc > 2)
		return -ERANGE;
	reg = fdt_prop(fdt, node, "reg", &len);
	stride = (ac + sc) * 4;
	if (!reg || (uint64_t)(index + 1) * stride > len)
		return -ENOENT;
	reg += (size_t)index * stride;
	*base = fdt_read_cells(reg, ac);
	*size = fdt_read_cells(reg + ac * 4, sc);
	return 0;
}
