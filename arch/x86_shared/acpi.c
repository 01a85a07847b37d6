/*
 * ACPI table discovery (ACPI 6.5 spec 5.2.5 - 5.2.8): find the RSDP in
 * the BIOS areas, follow it to the XSDT (64-bit entries, ACPI 2.0+) or
 * the RSDT (32-bit entries), and look tables up by signature. Every
 * structure is checked against its signature, length and checksum
 * before it is believed: a bad table is reported and skipped.
 */
#include <kern/boot.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/acpi.h>
#include <machine/early_map.h>
#include <machine/x86_boot.h>

#define RSDP_SIG		"RSD PTR "
#define RSDP_V1_LEN		20	/* checksummed part of revision 0 */
#define RSDP_V2_LEN		36
#define RSDP_MAX_LEN		256	/* bound on a future, longer RSDP */
#define EBDA_SEG_PTR		0x40e	/* BDA word: EBDA segment */
#define EBDA_SCAN_LEN		1024	/* "first 1 KB of the EBDA" */
#define BIOS_ROM_BASE		0xe0000
#define BIOS_ROM_END		0x100000
/* Far above any real table; stops a corrupt length from mapping GiBs. */
#define ACPI_TABLE_MAX		(1u << 20)

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 0: ACPI 1.0; 2: 2.0 and later */
	uint32_t rsdt_addr;
	uint32_t length;		/* revision >= 2 from here on */
	uint64_t xsdt_addr;
	uint8_t ext_checksum;		/* all @length bytes */
	uint8_t reserved[3];
} __packed;

_Static_assert(sizeof(struct acpi_rsdp) == RSDP_V2_LEN, "ACPI RSDP");

static uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* A revision-0 RSDP is valid on its first 20 bytes alone. */
static bool rsdp_valid(const struct acpi_rsdp *r)
{
	return memcmp(r->signature, RSDP_SIG, 8) == 0 &&
	       acpi_sum(r, RSDP_V1_LEN) == 0;
}

/* Scan [pa, pa + len) on 16-byte boundaries (5.2.5.1). */
static const struct acpi_rsdp *rsdp_scan(paddr_t pa, size_t len)
{
	const uint8_t *p = early_map(pa, len);

	for (size_t off = 0; p && off + RSDP_V1_LEN <= len; off += 16) {
		const struct acpi_rsdp *r = (const void *)(p + off);

		/* A revision-2 RSDP is 36 bytes: it must fit too. */
		if (rsdp_valid(r) &&
		    (r->revision < 2 || off + RSDP_V2_LEN <= len))
			return r;
	}
	return NULL;
}

static const struct acpi_rsdp *rsdp_find(void)
{
	const uint16_t *ebda_seg = early_map(EBDA_SEG_PTR, 2);
	const struct acpi_rsdp *r = NULL;

	if (ebda_seg && *ebda_seg)
		r = rsdp_scan((paddr_t)*ebda_seg << 4, EBDA_SCAN_LEN);
	if (r == NULL)
		r = rsdp_scan(BIOS_ROM_BASE, BIOS_ROM_END - BIOS_ROM_BASE);
	return r;
}

/*
 * Map and validate the table at @pa. @sig may be NULL (any signature).
 * Returns NULL, with a message naming @what, if it is unusable.
 */
static const struct acpi_sdt_header *sdt_map(paddr_t pa, const char *sig,
					     const char *what)
{
	const struct acpi_sdt_header *h = early_map_device(pa, sizeof(*h),
							   false);
	uint32_t len;

	if (h == NULL)
		return NULL;
	len = h->length;
	if (sig && memcmp(h->signature, sig, 4) != 0) {
		printk("acpi: %s at %#llx has signature \"%.4s\", not "
		       "\"%.4s\"\n", what, (unsigned long long)pa,
		       h->signature, sig);
		return NULL;
	}
	if (len < sizeof(*h) || len > ACPI_TABLE_MAX) {
		printk("acpi: %s at %#llx has bad length %u\n", what,
		       (unsigned long long)pa, len);
		return NULL;
	}
	h = early_map_device(pa, len, false);
	if (h && acpi_sum(h, len) != 0) {
		printk("acpi: %s at %#llx fails its checksum\n", what,
		       (unsigned long long)pa);
		return NULL;
	}
	return h;
}

/* The root table, XSDT preferred; sets *@entry_size (8 or 4) and, if
 * @pa is not NULL, *@pa to its physical address. */
static const struct acpi_sdt_header *root_table(size_t *entry_size,
						paddr_t *pa)
{
	static bool logged;
	const struct acpi_rsdp *r = rsdp_find();
	const struct acpi_sdt_header *root = NULL;

	if (r == NULL) {
		if (!logged)
			printk("acpi: no RSDP in the EBDA or 0xe0000-0xfffff\n");
		logged = true;
		return NULL;
	}
	if (r->revision >= 2 && r->length >= RSDP_V2_LEN &&
	    r->length <= RSDP_MAX_LEN && acpi_sum(r, r->length) == 0 &&
	    r->xsdt_addr != 0) {
		*entry_size = 8;
		root = sdt_map(r->xsdt_addr, "XSDT", "XSDT");
		if (root && pa)
			*pa = r->xsdt_addr;
	}
	if (root == NULL) {
		*entry_size = 4;
		root = sdt_map(r->rsdt_addr, "RSDT", "RSDT");
		if (root && pa)
			*pa = r->rsdt_addr;
	}
	if (!logged)
		printk("acpi: RSDP at %#lx rev %u oem \"%.6s\", root table %s\n",
		       (unsigned long)((uintptr_t)r - EARLY_MAP_BASE),
		       r->revision, r->oem_id,
		       root ? (*entry_size == 8 ? "XSDT" : "RSDT") : "unusable");
	logged = true;
	return root;
}

const struct acpi_sdt_header *acpi_find_table(const char *sig, paddr_t *pa)
{
	size_t esize = 0;
	const struct acpi_sdt_header *root = root_table(&esize, NULL);
	size_t n;

	if (root == NULL)
		return NULL;
	n = (root->length - sizeof(*root)) / esize;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * esize;
		uint64_t addr = 0;
		const struct acpi_sdt_header *h;

		memcpy(&addr, e, esize);	/* unaligned in the XSDT */
		h = early_map_device(addr, sizeof(*h), false);
		if (h == NULL || memcmp(h->signature, sig, 4) != 0)
			continue;
		h = sdt_map(addr, sig, sig);
		if (h && pa)
			*pa = addr;
		if (h)
			return h;
	}
	printk("acpi: no valid %.4s table\n", sig);
	return NULL;
}

/* Does [pa, pa + len) overlap usable RAM in @bi? */
static bool in_ram(const struct boot_info *bi, paddr_t pa, uint64_t len)
{
	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (pa < bi->mem[i].base + bi->mem[i].size &&
		    bi->mem[i].base < pa + len)
			return true;
	return false;
}

/* Reserve the table @h at @pa if the firmware left it in usable RAM. */
static int reserve_table(struct boot_info *bi,
			 const struct acpi_sdt_header *h, paddr_t pa)
{
	if (h == NULL || !in_ram(bi, pa, h->length))
		return 0;
	printk("acpi: %.4s at %#llx lies in usable RAM: reserved\n",
	       h->signature, (unsigned long long)pa);
	return x86_boot_reserve(bi, pa, h->length);
}

int acpi_reserve(struct boot_info *bi)
{
	size_t esize;
	paddr_t root_pa = 0, madt_pa = 0;
	const struct acpi_sdt_header *root = root_table(&esize, &root_pa);
	int err = reserve_table(bi, root, root_pa);

	if (err || root == NULL)
		return err;
	return reserve_table(bi, acpi_find_table("APIC", &madt_pa), madt_pa);
}
