/*
 * The synthetic tree: the few /proc and /sys files Linux programs read to
 * learn about the machine, in Linux's formats. Each file's text is
 * generated once, at open, into a buffer the file owns, so every read of
 * one open file sees one consistent snapshot (as Linux's seq_file does
 * from the first read); reopening gives fresh numbers.
 *
 *   /proc/interrupts                per-CPU interrupt counts (Linux layout)
 *   /proc/self/status               the caller's Name, Pid, Threads, VmRSS
 *   /proc/tlbk/shootdown            the coherence layer's per-CPU counters
 *   /proc/tlbk/profile              phases of fork, exit, wait and faults
 *                                   (<kern/prof.h>): count, total ns
 *   /sys/devices/system/cpu/online  the online CPUs as a range list
 *
 * Their directories open as directories. Like Linux's proc files they
 * report size 0 (the text exists only once read); sysfs files report 4096.
 *
 * /proc/tlbk/shootdown is this kernel's own (Linux has no such file). Its
 * layout is fixed, one line per row, fields separated by single spaces,
 * one decimal column per online CPU, lowest first:
 *
 *   cpus 0 1 2 3                    the CPU number of each column
 *   NAME V0 V1 V2 V3                one per enum tlb_stat, in enum order,
 *                                   NAME from tlb_stat_names[]
 *   lat_2^K_ns V0 V1 V2 V3          K = 0 .. TLB_LAT_BUCKETS-1, always all
 *                                   of them: rounds of [2^K, 2^(K+1)) ns
 *
 * The values are a racy snapshot of <smp/tlb_stats.h>'s counters taken at
 * open; a counter can move while the rows are generated, never backwards.
 */
#include <kern/errno.h>
#include <kern/file.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/prof.h>
#include <kern/string.h>
#include <mm/kheap.h>
#include <mm/page.h>
#include <mm/pmap.h>
#include <mm/vm.h>
#include <smp/cpu.h>
#include <smp/ipi_stats.h>
#include <smp/smp_md.h>
#include <smp/tlb_stats.h>
#include <stdarg.h>

/* A text being generated: @len counts what was asked for even past @cap,
 * so an overflowing generation knows the size it needs. */
struct synth_buf {
	char *buf;
	size_t cap, len;
};

static __printf(2, 3) void sb_printf(struct synth_buf *sb, const char *fmt,
				     ...)
{
	size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

struct synth_node {
	const char *path;		/* normalised, no leading "/" */
	enum file_fs fs;
	/* Generate the text; NULL for a directory. */
	void (*gen)(struct synth_buf *sb);
	size_t st_size;
};

/* --- /proc/interrupts -------------------------------------------------- */

/* Width of the IRQ number column: Linux's prec for fewer than 1000 IRQs. */
#define IRQ_PREC	3

static void irq_counts(struct synth_buf *sb, uint64_t (*count)(unsigned int))
{
	unsigned int cpu;

	for_each_cpu_in(cpu, &cpus_online)
		sb_printf(sb, "%10u ", (unsigned int)count(cpu));
}

static uint64_t count_ticks(unsigned int cpu)
{
	/* Written only by its CPU; a torn read on i686 is a display glitch. */
	return READ_ONCE(cpus[cpu].ticks);
}

static uint64_t count_resched(unsigned int cpu)
{
	return ipi_stats_get(cpu, IPI_STAT_RESCHED);
}

static uint64_t count_none(unsigned int cpu)
{
	return 0;
}

#if defined(__aarch64__)
#include <machine/timer.h>

/* arm64 Linux has no TLB row (it invalidates by broadcast TLBI); here
 * shootdown requests are function-call-style IPIs, counted with them. */
static uint64_t count_all_calls(unsigned int cpu)
{
	return ipi_stats_get(cpu, IPI_STAT_XCALL) +
	       ipi_stats_get(cpu, IPI_STAT_TLB);
}


/* Linux arch/arm64/kernel/smp.c ipi_types[], in its order; this kernel
 * sends the first two (its IPI_WAKE and its cross-calls). */
static const struct {
	const char *what;
	uint64_t (*count)(unsigned int);
} arm64_ipis[] = {
	{ "Rescheduling interrupts", count_resched },
	{ "Function call interrupts", count_all_calls },
	{ "CPU stop interrupts", count_none },
	{ "CPU stop (for crash dump) interrupts", count_none },
	{ "Timer broadcast interrupts", count_none },
	{ "IRQ work interrupts", count_none },
	{ "CPU wake-up interrupts", count_none },
};

/* The irq_chip name Linux's GIC drivers give: "GIC-0" (v2), "GICv3". */
static const char *gic_chip_name(void)
{
	return strcmp(arch_ipi_path(), "GICv3") ? "GIC-0" : "GICv3";
}

static void arch_rows(struct synth_buf *sb)
{
	/* The generic timer's PPI: Linux numbers its rows by virtual IRQ,
	 * which here is the INTID itself. */
	sb_printf(sb, "%*u: ", IRQ_PREC, timer_intid());
	irq_counts(sb, count_ticks);
	sb_printf(sb, " %8s %*u %-8s  %s\n", gic_chip_name(), IRQ_PREC,
		  timer_intid(), "Level", "arch_timer");
	for (unsigned int i = 0; i < ARRAY_SIZE(arm64_ipis); i++) {
		sb_printf(sb, "%*s%u:", IRQ_PREC - 1, "IPI", i);
		irq_counts(sb, arm64_ipis[i].count);
		sb_printf(sb, "      %s\n", arm64_ipis[i].what);
	}
	sb_printf(sb, "%*s: %10u\n", IRQ_PREC, "Err", 0u);
}
#else
static uint64_t count_tlb(unsigned int cpu)
{
	return ipi_stats_get(cpu, IPI_STAT_TLB);
}

/* Cross-calls (x86's CAL row; shootdowns have their own TLB row). */
static uint64_t count_other_calls(unsigned int cpu)
{
	return ipi_stats_get(cpu, IPI_STAT_XCALL);
}

/* One named row, as x86's arch_show_interrupts prints them. */
static void named_row(struct synth_buf *sb, const char *name,
		      uint64_t (*count)(unsigned int), const char *what)
{
	sb_printf(sb, "%*s: ", IRQ_PREC, name);
	irq_counts(sb, count);
	sb_printf(sb, "  %s\n", what);
}

static void arch_rows(struct synth_buf *sb)
{
	/* Linux's x86 rows, in its order, for what this kernel has: the
	 * LAPIC timer is LOC; IPI_WAKE is RES; cross-calls are CAL, except
	 * TLB shootdowns, which are TLB. */
	named_row(sb, "NMI", count_none, "Non-maskable interrupts");
	named_row(sb, "LOC", count_ticks, "Local timer interrupts");
	named_row(sb, "SPU", count_none, "Spurious interrupts");
	named_row(sb, "RES", count_resched, "Rescheduling interrupts");
	named_row(sb, "CAL", count_other_calls, "Function call interrupts");
	named_row(sb, "TLB", count_tlb, "TLB shootdowns");
	sb_printf(sb, "%*s: %10u\n", IRQ_PREC, "ERR", 0u);
	sb_printf(sb, "%*s: %10u\n", IRQ_PREC, "MIS", 0u);
}
#endif

static void gen_interrupts(struct synth_buf *sb)
{
	unsigned int cpu;

	sb_printf(sb, "%*s", IRQ_PREC + 8, "");
	for_each_cpu_in(cpu, &cpus_online)
		sb_printf(sb, "CPU%-8u", cpu);
	sb_printf(sb, "\n");
	arch_rows(sb);
}

/* --- /proc/tlbk/shootdown ------------------------------------------------ */

/* One row: @name, then @value(@cpu, @arg) for each online CPU. */
static void tlbk_row(struct synth_buf *sb, const char *name,
		     uint64_t (*value)(unsigned int cpu, unsigned int arg),
		     unsigned int arg)
{
	unsigned int cpu;

	sb_printf(sb, "%s", name);
	for_each_cpu_in(cpu, &cpus_online)
		sb_printf(sb, " %llu", (unsigned long long)value(cpu, arg));
	sb_printf(sb, "\n");
}

static uint64_t stat_value(unsigned int cpu, unsigned int kind)
{
	return tlb_stat_get(cpu, (enum tlb_stat)kind);
}

static uint64_t cpu_number(unsigned int cpu, unsigned int unused)
{
	return cpu;
}

static void gen_tlbk_shootdown(struct synth_buf *sb)
{
	char name[16];

	tlbk_row(sb, "cpus", cpu_number, 0);
	for (unsigned int k = 0; k < TLB_STAT_NKINDS; k++)
		tlbk_row(sb, tlb_stat_names[k], stat_value, k);
	for (unsigned int b = 0; b < TLB_LAT_BUCKETS; b++) {
		snprintf(name, sizeof(name), "lat_2^%u_ns", b);
		tlbk_row(sb, name, tlb_stat_latency_get, b);
	}
}

/* --- /proc/tlbk/profile ------------------------------------------------- */

/* "phase count total_ns" per phase of <kern/prof.h>, summed over CPUs. */
static void gen_tlbk_profile(struct synth_buf *sb)
{
	sb_printf(sb, "phase count total_ns\n");
	for (unsigned int k = 0; k < PROF_NPHASES; k++)
		sb_printf(sb, "%s %llu %llu\n", prof_phase_names[k],
			  (unsigned long long)prof_count(k),
			  (unsigned long long)prof_total_ns(k));
}

/* --- /sys/devices/system/cpu/online ------------------------------------ */

/* Linux's range-list format (bitmap_print_to_pagebuf): "0-3,5\n". */
static void gen_cpu_online(struct synth_buf *sb)
{
	const char *sep = "";
	unsigned int cpu, first;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!cpuset_test(&cpus_online, cpu))
			continue;
		first = cpu;
		while (cpu + 1 < MAX_CPUS && cpuset_test(&cpus_online, cpu + 1))
			cpu++;
		if (first == cpu)
			sb_printf(sb, "%s%u", sep, first);
		else
			sb_printf(sb, "%s%u-%u", sep, first, cpu);
		sep = ",";
	}
	sb_printf(sb, "\n");
}

/* --- /proc/self/status ------------------------------------------------- */

/*
 * Resident pages of @vs: frames its page tables map, the shared zero page
 * not counted (Linux does not count it in RSS either). A walk of every
 * page of every VMA: fine for the address spaces tests build.
 */
static unsigned long resident_pages(struct vm_space *vs)
{
	struct page *zero = vm_zero_page();
	paddr_t zero_pa = zero ? page_to_phys(zero) : (paddr_t)-1;
	unsigned long n = 0;
	struct vma *v;
	paddr_t pa;

	spin_lock(&vs->lock);
	vm_space_for_each_vma(vs, v)
		for (vaddr_t va = v->start; va < v->end; va += PAGE_SIZE)
			if (pmap_extract(vs->pmap, va, &pa, NULL) == 0 &&
			    ALIGN_DOWN(pa, PAGE_SIZE) != zero_pa)
				n++;
	spin_unlock(&vs->lock);
	return n;
}

static void gen_self_status(struct synth_buf *sb)
{
	struct proc *p = proc_current();
	unsigned long irq;
	unsigned int threads;
	int ppid;

	if (!p) {
		sb_printf(sb, "Name:\tkernel\n");
		return;
	}
	irq = spin_lock_irqsave(&proc_lock);
	ppid = p->parent ? p->parent->pid : 0;
	threads = p->nthreads;
	spin_unlock_irqrestore(&proc_lock, irq);
	sb_printf(sb, "Name:\t%s\n", p->name);
	sb_printf(sb, "State:\tR (running)\n");
	sb_printf(sb, "Tgid:\t%d\n", p->pid);
	sb_printf(sb, "Pid:\t%d\n", p->pid);
	sb_printf(sb, "PPid:\t%d\n", ppid);
	sb_printf(sb, "VmRSS:\t%8lu kB\n",
		  p->vm ? resident_pages(p->vm) * (PAGE_SIZE / 1024) : 0);
	sb_printf(sb, "Threads:\t%u\n", threads);
}

/* --- The tree ------------------------------------------------------------ */

static const struct synth_node nodes[] = {
	/* The root exists even without an initramfs. */
	{ "", FILE_FS_INITRAMFS, NULL, 0 },
	{ "proc", FILE_FS_PROC, NULL, 0 },
	{ "proc/interrupts", FILE_FS_PROC, gen_interrupts, 0 },
	{ "proc/self", FILE_FS_PROC, NULL, 0 },
	{ "proc/self/status", FILE_FS_PROC, gen_self_status, 0 },
	{ "proc/tlbk", FILE_FS_PROC, NULL, 0 },
	{ "proc/tlbk/shootdown", FILE_FS_PROC, gen_tlbk_shootdown, 0 },
	{ "proc/tlbk/profile", FILE_FS_PROC, gen_tlbk_profile, 0 },
	{ "sys", FILE_FS_SYS, NULL, 0 },
	{ "sys/devices", FILE_FS_SYS, NULL, 0 },
	{ "sys/devices/system", FILE_FS_SYS, NULL, 0 },
	{ "sys/devices/system/cpu", FILE_FS_SYS, NULL, 0 },
	{ "sys/devices/system/cpu/online", FILE_FS_SYS, gen_cpu_online, 4096 },
};

static const struct file_ops synth_ops = {
	.read = file_read_data,
	.seekable = true,
};

/* First guess at a text's size; a larger one is retried with the size
 * the first attempt measured (many CPUs make long rows). */
#define SYNTH_FIRST_CAP		1024
#define SYNTH_TRIES		3

/* Generate @n's text into @f's own buffer. 0 or -ENOMEM. */
static int generate(const struct synth_node *n, struct file *f)
{
	struct synth_buf sb = { .cap = SYNTH_FIRST_CAP };

	for (int i = 0; i < SYNTH_TRIES; i++) {
		sb.buf = kmalloc(sb.cap);
		if (!sb.buf)
			return -ENOMEM;
		sb.len = 0;
		n->gen(&sb);
		if (sb.len < sb.cap) {
			f->buf = sb.buf;
			f->data = sb.buf;
			f->size = sb.len;
			return 0;
		}
		kfree(sb.buf);
		/* Counters may have grown a digit in between: add slack. */
		sb.cap = sb.len + 256;
	}
	return -ENOMEM;
}

int fs_synth_open(const char *path, struct file **out)
{
	const struct synth_node *n = NULL;
	struct file *f;
	int err;

	for (unsigned int i = 0; i < ARRAY_SIZE(nodes) && !n; i++)
		if (!strcmp(nodes[i].path, path))
			n = &nodes[i];
	if (!n)
		return -ENOENT;
	f = file_alloc(&synth_ops);
	if (!f)
		return -ENOMEM;
	if (n->gen) {
		f->fs = n->fs;
		f->ino = file_ino(n->fs, n->path);
		f->mode = S_IFREG | 0444;
		f->st_size = n->st_size;
		err = generate(n, f);
	} else {
		err = file_make_dir(f, n->path, n->fs);
	}
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}
