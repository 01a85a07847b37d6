# x86_64: Multiboot 1 kernel. The link is ELF64 ($(O)/kernel.elf, for gdb);
# QEMU's Multiboot loader only takes ELF32, so kernel32.elf is the same
# image re-wrapped by objcopy (addresses truncate harmlessly: the loader
# uses the 32-bit physical p_paddr and entry).

CLANG_TARGET := x86_64-unknown-none-elf
ARCH_CFLAGS := -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx \
	-mno-80387 -mno-avx -fno-asynchronous-unwind-tables -fno-unwind-tables
ARCH_INCLUDES := -Iarch/x86_64/include -Iarch/x86_shared/include
NASM_FORMAT := elf64
ARCH_LDSCRIPT := arch/x86_64/kernel.ld
ARCH_LDFLAGS := -z max-page-size=4096

include arch/x86_shared/x86.mk

ARCH_SRCS := \
	arch/x86_64/boot.asm \
	arch/x86_64/ap_trampoline.asm \
	arch/x86_64/copy_user.asm \
	arch/x86_64/syscall_entry.asm \
	arch/x86_64/thread_switch.asm \
	arch/x86_64/vectors.asm \
	arch/x86_64/ap_root.c \
	arch/x86_64/early_map.c \
	arch/x86_64/gdt.c \
	arch/x86_64/idt.c \
	arch/x86_64/kernel_map.c \
	arch/x86_64/syscall.c \
	arch/x86_64/trapframe.c \
	arch/x86_64/user_frame.c \
	$(X86_SHARED_SRCS)

ARCH_IMAGES := $(O)/kernel32.elf

$(O)/kernel32.elf: $(O)/kernel.elf
	@echo "  OBJCOPY $@"
	@$(OBJCOPY) -O elf32-i386 --strip-debug $< $@
