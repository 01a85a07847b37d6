# Kernel build for one architecture. ./build.sh is the entry point; this file
# is what it runs:  make ARCH=x86_64|i686|aarch64 [O=build/ARCH] [KCFLAGS=...]
#
# Each arch supplies arch/$(ARCH)/arch.mk defining:
#   CLANG_TARGET   clang --target triple
#   ARCH_CFLAGS    extra C flags (code model, no FP/SIMD, ...)
#   ARCH_INCLUDES  -I flags for <machine/...> headers
#   ARCH_SRCS      .c / .S / .asm sources, relative to the top directory
#   ARCH_LDSCRIPT  linker script (it INCLUDEs core/sections.ld)
#   NASM_FORMAT    elf32 / elf64 (x86 only)
#   ARCH_IMAGES    bootable files derived from $(O)/kernel.elf, with rules
# Every arch implements the MD contracts of include/kern/arch.h,
# include/mm/mmu.h and include/smp/smp_md.h.
# Output: $(O)/kernel.elf, $(ARCH_IMAGES), $(O)/compile_commands.json.

ARCH ?= x86_64
O ?= build/$(ARCH)
# DEBUG=1 (default) turns on sanity checks such as spinlock lock order.
DEBUG ?= 1
ifneq ($(filter-out 0 1,$(DEBUG))$(word 2,$(DEBUG)),)
$(error DEBUG is 0 or 1, not '$(DEBUG)')
endif

# First rule, before arch.mk can add rules of its own.
all:
CC := clang
LD := ld.lld
OBJCOPY := llvm-objcopy
NASM := nasm

ifeq ($(wildcard arch/$(ARCH)/arch.mk),)
$(error unknown ARCH '$(ARCH)': expected x86_64, i686 or aarch64)
endif
include arch/$(ARCH)/arch.mk

MI_SRCS := $(sort $(wildcard core/*.c mm/*.c smp/*.c tests/ktest/*.c \
	tests/kernel/*.c tests/kernel/mm/*.c tests/kernel/smp/*.c))
ifeq ($(DEBUG),1)
DEBUG_CFLAGS := -DCONFIG_DEBUG
endif
SRCS := $(MI_SRCS) $(ARCH_SRCS)
OBJS := $(patsubst %,$(O)/obj/%.o,$(SRCS))
C_OBJS := $(filter %.c.o %.S.o,$(OBJS))

# Frame pointers in every function, leaves included: panics and kernel
# traps print a frame-pointer backtrace (core/backtrace.c).
CFLAGS := --target=$(CLANG_TARGET) -std=gnu11 -ffreestanding -nostdlib \
	-fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer \
	-fno-common -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Iinclude -I$(O)/include $(ARCH_INCLUDES) -Iuser/arch/$(ARCH)/include \
	$(ARCH_CFLAGS) $(DEBUG_CFLAGS) $(KCFLAGS)
LDFLAGS := -nostdlib -static --no-dynamic-linker -z noexecstack \
	--build-id=none $(ARCH_LDFLAGS)

all: $(O)/kernel.elf $(ARCH_IMAGES) $(O)/compile_commands.json

# Rebuild everything when the flags change (KCFLAGS, a new arch.mk, ...).
# The temporary name is per make process, and ./build.sh holds a lock on
# $(O) besides: two builds at once in one tree must not share it.
$(O)/flags: FORCE
	@mkdir -p $(@D)
	@tmp=$@.new.$$$$; echo '$(CFLAGS) | $(LDFLAGS)' > $$tmp; \
	  cmp -s $$tmp $@ && rm -f $$tmp || mv $$tmp $@

# <generated/build_info.h>: DEBUG and KCFLAGS as C strings, for the boot
# log line of core/kmain.c. Rewritten only when they change.
BUILD_INFO := $(O)/include/generated/build_info.h
KCFLAGS_C := $(subst ",\",$(subst \,\\,$(KCFLAGS)))
$(BUILD_INFO): FORCE
	@mkdir -p $(@D)
	@tmp=$@.new.$$$$; \
	  printf '#define BUILD_DEBUG %s\n#define BUILD_KCFLAGS "%s"\n' \
	    '$(DEBUG)' '$(subst ','\'',$(KCFLAGS_C))' > $$tmp; \
	  cmp -s $$tmp $@ && rm -f $$tmp || mv $$tmp $@

$(O)/obj/core/kmain.c.o: $(BUILD_INFO)

$(O)/obj/%.c.o: %.c $(O)/flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -MMD -MP -MJ $@.json -c $< -o $@

$(O)/obj/%.S.o: %.S $(O)/flags
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(CFLAGS) -D__ASSEMBLY__ -MMD -MP -MJ $@.json -c $< -o $@

# NASM 2.16's -MD while assembling lists only the main file, not its
# %includes (early_fail.inc, layout.inc, ...): a separate -M run does.
$(O)/obj/%.asm.o: %.asm $(O)/flags
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	@$(NASM) -f $(NASM_FORMAT) -I$(dir $<) -Iarch/x86_shared/ \
		-M -MT $@ -MF $(@:.o=.d) -MP $<
	@$(NASM) -f $(NASM_FORMAT) -g -Werror -I$(dir $<) -Iarch/x86_shared/ \
		-o $@ $<

$(O)/kernel.elf: $(OBJS) $(ARCH_LDSCRIPT) core/sections.ld $(O)/flags
	@echo "  LD      $@"
	@$(LD) $(LDFLAGS) -T $(ARCH_LDSCRIPT) -o $@ $(OBJS)

$(O)/compile_commands.json: $(C_OBJS)
	@(echo '['; cat $(addsuffix .json,$(C_OBJS)) | sed '$$ s/,[[:space:]]*$$//'; \
	  echo ']') > $@.new.$$$$ && mv $@.new.$$$$ $@

clean:
	rm -rf $(O)

.PHONY: all clean FORCE
.DELETE_ON_ERROR:

-include $(OBJS:.o=.d)
