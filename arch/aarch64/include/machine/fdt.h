/*
 * A reader for flattened device trees (Devicetree Specification v0.4,
 * chapter 5), safe on untrusted blobs: fdt_open() validates the header and
 * walks the whole structure block once, and every accessor stays within the
 * bounds it recorded, so a truncated or malicious blob is rejected, never
 * read out of bounds.
 *
 * Nodes are named by the offset of their FDT_BEGIN_NODE token in the
 * structure block; negative values are errors (-ENOENT: no such node).
 */
#ifndef MACHINE_FDT_H
#define MACHINE_FDT_H

#include <kern/types.h>

#define FDT_MAGIC	0xd00dfeedU
#define FDT_MAX_DEPTH	32

struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t version;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

/*
 * Validate the blob at @blob, of which @avail bytes may be read. Returns 0
 * and fills @fdt, or -EINVAL with *@why naming the first problem found.
 * Locking: none; the blob must not change while it is in use.
 */
int fdt_open(struct fdt *fdt, const void *blob, uint64_t avail,
	     const char **why);

/* The root node. */
int fdt_root(const struct fdt *fdt);

/*
 * The node after @node in document order (pass -1 for the root), with
 * *@depth adjusted by the nesting change (+1 for a child). -ENOENT at the
 * end of the tree.
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

/* The parent of @node, or -ENOENT for the root. */
int fdt_parent(const struct fdt *fdt, int node);

/*
 * The node at absolute @path ("/chosen", "/soc/uart@1000"). A component
 * without a unit address also matches a name with one ("memory" matches
 * "memory@40000000").
 */
int fdt_path(const struct fdt *fdt, const char *path);

/* Node name with unit address ("" for the root). */
const char *fdt_node_name(const struct fdt *fdt, int node);

/* Property @name of @node: its value and length, or NULL if absent. */
const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len);

/* A string property, NULL unless present and NUL-terminated. */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);

/* A 1-cell property into *@out; false if absent or not 4 bytes. */
bool fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		  uint32_t *out);

/* A 1- or 2-cell property into *@out; false if absent or another size. */
bool fdt_prop_u64(const struct fdt *fdt, int node, const char *name,
		  uint64_t *out);

/* Whether @node's "compatible" string list contains @compat. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);

/* Whether @node is usable: "status" absent, "okay" or "ok". */
bool fdt_is_enabled(const struct fdt *fdt, int node);

/* The next enabled node after @from (-1: from the start) compatible with @compat. */
int fdt_find_compatible(const struct fdt *fdt, int from, const char *compat);

/* The #address-cells / #size-cells that @node sets for its children. */
uint32_t fdt_address_cells(const struct fdt *fdt, int node);
uint32_t fdt_size_cells(const struct fdt *fdt, int node);

/*
 * Entry @index of @node's "reg", decoded with its parent's cell counts, in
 * the parent's address space. Returns 0, -ENOENT if there is no such entry,
 * or -ERANGE if a cell count is over 2 (more than 64 bits).
 */
int fdt_reg(const struct fdt *fdt, int node, unsigned int index,
	    uint64_t *base, uint64_t *size);

/* Decode @cells (1 or 2) big-endian cells at @p, 4-byte aligned. */
uint64_t fdt_read_cells(const void *p, uint32_t cells);

#endif
