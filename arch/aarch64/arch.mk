# aarch64: QEMU -M virt; boots as a bare ELF, a raw arm64 Image, or from
# U-Boot (booti). See arch/aarch64/head.S for the boot protocol.
CLANG_TARGET := aarch64-none-elf
# -mgeneral-regs-only: no FP/SIMD in the kernel. -mcmodel=small: globals are
# reached PC-relatively (adrp), which mmu_early.c relies on before the MMU is on.
ARCH_CFLAGS := -march=armv8-a -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
ARCH_INCLUDES := -Iarch/aarch64/include
# Implements include/smp/smp_md.h: PSCI CPU_ON, GICv2/v3, generic timer;
# include/kern/thread_md.h: context switch, EL0 entry and exit, uaccess.
ARCH_SRCS := \
	arch/aarch64/head.S \
	arch/aarch64/el2.S \
	arch/aarch64/vectors.S \
	arch/aarch64/fwcall.S \
	arch/aarch64/secondary.S \
	arch/aarch64/switch.S \
	arch/aarch64/uaccess.S \
	arch/aarch64/boot.c \
	arch/aarch64/cpu.c \
	arch/aarch64/cpu_dt.c \
	arch/aarch64/el0_trap.c \
	arch/aarch64/fdt.c \
	arch/aarch64/fdt_test.c \
	arch/aarch64/fwcall.c \
	arch/aarch64/gic.c \
	arch/aarch64/gic_v2.c \
	arch/aarch64/gic_v3.c \
	arch/aarch64/mmu.c \
	arch/aarch64/mmu_early.c \
	arch/aarch64/page_ops.c \
	arch/aarch64/pl011.c \
	arch/aarch64/platform.c \
	arch/aarch64/power.c \
	arch/aarch64/psci.c \
	arch/aarch64/pte.c \
	arch/aarch64/semihost.c \
	arch/aarch64/smp.c \
	arch/aarch64/stack_bounds.c \
	arch/aarch64/thread.c \
	arch/aarch64/thread_switch_test.c \
	arch/aarch64/timer.c \
	arch/aarch64/tlbi_test.c \
	arch/aarch64/trap.c \
	arch/aarch64/wx_test.c
ARCH_LDSCRIPT := arch/aarch64/kernel.ld
ARCH_LDFLAGS := -z max-page-size=4096
# The arm64 Image U-Boot's booti (and QEMU's -kernel) load: the image's
# bytes from _head to _edata, header first; BSS is counted in image_size.
# First check that mmu_early.c, which runs at physical addresses before the
# MMU is on, reaches nothing through an absolute (link-time) address.
ARCH_IMAGES := $(O)/Image

$(O)/Image: $(O)/kernel.elf $(O)/obj/arch/aarch64/mmu_early.c.o
	@echo "  PICHECK arch/aarch64/mmu_early.c"
	@! llvm-readelf -r $(O)/obj/arch/aarch64/mmu_early.c.o | \
		awk '/^Relocation section/ { text = ($$3 !~ /debug/) } \
		     text && /R_AARCH64_ABS/' | grep . || { \
		echo "mmu_early.c: absolute address (link-time pointer) in code that runs before the MMU is on" >&2; \
		exit 1; }
	@echo "  OBJCOPY $@"
	@$(OBJCOPY) -O binary $< $@
