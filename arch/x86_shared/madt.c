/*
 * The CPU list from the ACPI MADT (ACPI 6.5 spec 5.2.12): a 44-byte
 * header followed by variable-length entries (type, length, body). Every
 * entry is checked to fit in the table and to be long enough for its type
 * before its fields are read.
 */
#include <kern/errno.h>
#include <kern/printk.h>
#include <kern/string.h>
#include <machine/acpi.h>

#define MADT_TYPE_LAPIC		0	/* 5.2.12.2: 8-bit APIC ID */
#define MADT_TYPE_X2APIC	9	/* 5.2.12.12: 32-bit x2APIC ID */
#define MADT_LAPIC_LEN		8
#define MADT_X2APIC_LEN		16
#define MADT_ENABLED		(1u << 0)
#define MADT_ONLINE_CAPABLE	(1u << 1)	/* may be enabled at run time */

struct acpi_madt {
	struct acpi_sdt_header h;
	uint32_t lapic_addr;
	uint32_t flags;
} __packed;

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));	/* entries are byte-aligned */
	return v;
}

/*
 * If entry @e (type @type, @len bytes) is a usable local APIC, store its
 * ID in *@id. Returns 1 if usable, 0 if a disabled APIC, -1 otherwise.
 */
static int madt_entry_apic(const uint8_t *e, uint8_t type, uint8_t len,
			   uint32_t *id)
{
	uint32_t flags;

	if (type == MADT_TYPE_LAPIC && len >= MADT_LAPIC_LEN) {
		*id = e[3];
		flags = le32_at(e + 4);
	} else if (type == MADT_TYPE_X2APIC && len >= MADT_X2APIC_LEN) {
		*id = le32_at(e + 4);
		flags = le32_at(e + 8);
	} else {
		return -1;
	}
	return (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) ? 1 : 0;
}

static bool id_listed(const uint32_t *ids, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int acpi_madt_apic_ids(uint32_t *ids, unsigned int max)
{
	paddr_t pa = 0;
	const struct acpi_sdt_header *h = acpi_find_table("APIC", &pa);
	const uint8_t *p = (const uint8_t *)h;
	unsigned int found = 0, disabled = 0;
	uint32_t off = sizeof(struct acpi_madt), id;

	if (h == NULL)
		return -ENOENT;
	if (h->length < sizeof(struct acpi_madt)) {
		printk("acpi: MADT at %#llx is %u bytes, too short\n",
		       (unsigned long long)pa, h->length);
		return -ENOENT;
	}
	while (h->length - off >= 2) {
		uint8_t type = p[off], len = p[off + 1];
		int usable;

		if (len < 2 || len > h->length - off) {
			printk("acpi: MADT entry at offset %u has bad length "
			       "%u; rest of the MADT ignored\n", off, len);
			break;
		}
		usable = madt_entry_apic(p + off, type, len, &id);
		disabled += usable == 0;
		if (usable == 1 && !id_listed(ids, MIN(found, max), id)) {
			if (found < max)
				ids[found] = id;
			found++;
		}
		off += len;
	}
	printk("acpi: MADT at %#llx: %u usable local APIC(s), %u disabled\n",
	       (unsigned long long)pa, found, disabled);
	return (int)found;
}
