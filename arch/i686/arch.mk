# i686: Multiboot 1 ELF32 kernel, PAE paging, 3G/1G split.

CLANG_TARGET := i686-unknown-none-elf
ARCH_CFLAGS := -march=i686 -mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
ARCH_INCLUDES := -Iarch/i686/include -Iarch/x86_shared/include
NASM_FORMAT := elf32
ARCH_LDSCRIPT := arch/i686/kernel.ld
ARCH_LDFLAGS := -z max-page-size=4096

include arch/x86_shared/x86.mk

ARCH_SRCS := \
	arch/i686/boot.asm \
	arch/i686/ap_trampoline.asm \
	arch/i686/copy_user.asm \
	arch/i686/thread_switch.asm \
	arch/i686/vectors.asm \
	arch/i686/ap_root.c \
	arch/i686/div64.c \
	arch/i686/double_fault.c \
	arch/i686/early_map.c \
	arch/i686/gdt.c \
	arch/i686/idt.c \
	arch/i686/kernel_map.c \
	arch/i686/tls.c \
	arch/i686/trapframe.c \
	arch/i686/user_frame.c \
	$(X86_SHARED_SRCS)

ARCH_IMAGES :=
