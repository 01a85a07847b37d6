/*
 * Multiboot 1 information parser shared by i686 and x86_64: turns the
 * loader's tables into a struct boot_info. Everything is read through the
 * early direct map, and every field is validated before use: a bad table is
 * reported and skipped, never followed.
 */
#include <kern/boot.h>
#include <kern/cmdline.h>
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/early_map.h>
#include <machine/multiboot.h>

/* Longest loader string looked at (image path + parameters, loader name). */
#define MB_STRING_SCAN_MAX	4096

static char mb_cmdline[CMDLINE_MAX_LEN];

/* The NUL-terminated string at physical @pa, or NULL if it is not mapped. */
static const char *mb_string(uint32_t pa, const char *what)
{
	size_t room = MIN(early_map_room(pa), (size_t)MB_STRING_SCAN_MAX);
	const char *s = early_map(pa, 1);

	if (s == NULL || strnlen(s, room) == room) {
		printk("multiboot: %s at %#x is unmapped or unterminated; "
		       "ignored\n", what, pa);
		return NULL;
	}
	return s;
}

static bool mb_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Keep the kernel parameters: Multiboot loaders (QEMU, GRUB) put the image
 * path first, so drop the first word and the blanks around it.
 */
static void mb_parse_cmdline(struct boot_info *bi,
			     const struct multiboot_info *mbi)
{
	const char *s;

	if (!(mbi->flags & MB_INFO_CMDLINE))
		return;
	s = mb_string(mbi->cmdline, "cmdline");
	if (s == NULL)
		return;
	while (mb_is_blank(*s))
		s++;
	while (*s != '\0' && !mb_is_blank(*s))
		s++;
	while (mb_is_blank(*s))
		s++;
	if (strlcpy(mb_cmdline, s, sizeof(mb_cmdline)) >= sizeof(mb_cmdline))
		printk("multiboot: cmdline longer than %zu bytes; truncated\n",
		       sizeof(mb_cmdline) - 1);
	bi->cmdline = mb_cmdline;
}

/* Record usable RAM [base, base + size), clipped so the end cannot wrap. */
static void mb_add_ram(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (size > UINT64_MAX - base)
		size = UINT64_MAX - base;
	if (size == 0)
		return;
	if (bi->mem_count == BOOT_MEM_MAX) {
		printk("multiboot: more than %d RAM ranges; dropped "
		       "[%#llx+%#llx]\n", BOOT_MEM_MAX,
		       (unsigned long long)base, (unsigned long long)size);
		return;
	}
	bi->mem[bi->mem_count].base = base;
	bi->mem[bi->mem_count].size = size;
	bi->mem_count++;
}

static const char *mb_mmap_type_name(uint32_t type)
{
	static const char *const names[] = {
		[1] = "usable", [2] = "reserved", [3] = "ACPI reclaimable",
		[4] = "ACPI NVS", [5] = "bad RAM",
	};

	if (type < ARRAY_SIZE(names) && names[type] != NULL)
		return names[type];
	return "unknown";
}

/*
 * Walk the memory map. Entries are variable-sized (size field + 4 bytes),
 * so each one is checked to fit in mmap_length before it is read. Returns
 * 0, or -EINVAL when it yielded no usable RAM (the caller falls back).
 */
static int mb_parse_mmap(struct boot_info *bi, const struct multiboot_info *mbi)
{
	const uint8_t *map = early_map(mbi->mmap_addr, mbi->mmap_length);
	uint32_t len = mbi->mmap_length, off;
	unsigned int first = bi->mem_count;
	struct multiboot_mmap_entry e;

	if (map == NULL || len < sizeof(e)) {
		printk("multiboot: memory map at %#x (%u bytes) is empty or "
		       "unmapped\n", mbi->mmap_addr, len);
		return -EINVAL;
	}
	for (off = 0; off < len; off += e.size + 4) {
		if (len - off < sizeof(e)) {
			printk("multiboot: %u stray bytes at the end of the "
			       "memory map; ignored\n", len - off);
			break;
		}
		memcpy(&e, map + off, sizeof(e));
		if (e.size < MB_MMAP_ENTRY_MIN_SIZE ||
		    e.size > len - off - 4) {
			printk("multiboot: memory map entry at offset %u has "
			       "bad size %u; rest of the map ignored\n", off,
			       e.size);
			break;
		}
		printk("  mem [0x%016llx-0x%016llx] %s%s\n",
		       (unsigned long long)e.addr,
		       (unsigned long long)(e.addr + e.len - (e.len != 0)),
		       mb_mmap_type_name(e.type), e.len ? "" : " (empty)");
		if (e.type == MB_MMAP_AVAILABLE)
			mb_add_ram(bi, e.addr, e.len);
	}
	return bi->mem_count > first ? 0 : -EINVAL;
}

/* Without a memory map, trust the legacy lower/upper sizes (in KiB). */
static void mb_parse_mem_sizes(struct boot_info *bi,
			       const struct multiboot_info *mbi)
{
	if (!(mbi->flags & MB_INFO_MEMORY)) {
		printk("multiboot: no memory information at all\n");
		return;
	}
	printk("  mem lower %u KiB, upper %u KiB (no memory map)\n",
	       mbi->mem_lower, mbi->mem_upper);
	mb_add_ram(bi, 0, (uint64_t)mbi->mem_lower << 10);
	mb_add_ram(bi, 1ULL << 20, (uint64_t)mbi->mem_upper << 10);
}

/* The first module is the initrd; further modules are reported, not used. */
static void mb_parse_modules(struct boot_info *bi,
			     const struct multiboot_info *mbi)
{
	const struct multiboot_module *mod;
	const char *name = NULL;

	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count == 0)
		return;
	mod = early_map(mbi->mods_addr, sizeof(*mod));
	if (mod == NULL) {
		printk("multiboot: module list at %#x is unmapped; ignored\n",
		       mbi->mods_addr);
		return;
	}
	if (mod->mod_end < mod->mod_start) {
		printk("multiboot: module 0 ends (%#x) before it starts (%#x); "
		       "ignored\n", mod->mod_end, mod->mod_start);
		return;
	}
	if (mod->string != 0)
		name = mb_string(mod->string, "module name");
	bi->initrd_base = mod->mod_start;
	bi->initrd_size = mod->mod_end - mod->mod_start;
	printk("  initrd [%#x-%#x) \"%s\"%s\n", mod->mod_start, mod->mod_end,
	       name ? name : "", mbi->mods_count > 1 ?
	       " (further modules ignored)" : "");
}

/*
 * Fill @bi from the Multiboot information at physical @mbi_phys.
 * Returns 0, or -EINVAL if the block itself is unmapped (@bi keeps its
 * defaults). Bad sub-tables are reported and skipped.
 */
int multiboot_parse(struct boot_info *bi, uint32_t mbi_phys)
{
	const struct multiboot_info *mbi = early_map(mbi_phys, sizeof(*mbi));
	const char *loader = NULL;

	memset(bi, 0, sizeof(*bi));
	bi->boot_path = "multiboot";
	bi->cmdline = "";
	if (mbi == NULL) {
		printk("multiboot: information block at %#x is outside the "
		       "early map; no memory map, cmdline or initrd\n",
		       mbi_phys);
		return -EINVAL;
	}
	if (mbi->flags & MB_INFO_LOADER_NAME)
		loader = mb_string(mbi->boot_loader_name, "loader name");
	printk("multiboot: info at %#x, flags %#x, loader \"%s\"\n", mbi_phys,
	       mbi->flags, loader ? loader : "?");
	if (!(mbi->flags & MB_INFO_MEM_MAP) || mb_parse_mmap(bi, mbi) != 0)
		mb_parse_mem_sizes(bi, mbi);
	mb_parse_cmdline(bi, mbi);
	mb_parse_modules(bi, mbi);
	return 0;
}

unsigned int multiboot_loader_ranges(uint32_t mbi_phys,
				     struct boot_mem_range *out)
{
	const struct multiboot_info *mbi = early_map(mbi_phys, sizeof(*mbi));
	const char *cmdline;
	unsigned int n = 0;

	if (mbi == NULL)
		return 0;
	out[n++] = (struct boot_mem_range){ mbi_phys, sizeof(*mbi) };
	if (mbi->flags & MB_INFO_MEM_MAP)
		out[n++] = (struct boot_mem_range){ mbi->mmap_addr,
						    mbi->mmap_length };
	cmdline = (mbi->flags & MB_INFO_CMDLINE) ?
		  early_map(mbi->cmdline, 1) : NULL;
	if (cmdline != NULL)
		out[n++] = (struct boot_mem_range){ mbi->cmdline,
			strnlen(cmdline, MIN(early_map_room(mbi->cmdline),
					     (size_t)MB_STRING_SCAN_MAX)) + 1 };
	if ((mbi->flags & MB_INFO_MODS) && mbi->mods_count != 0)
		out[n++] = (struct boot_mem_range){ mbi->mods_addr,
			(uint64_t)mbi->mods_count *
			sizeof(struct multiboot_module) };
	return n;
}
