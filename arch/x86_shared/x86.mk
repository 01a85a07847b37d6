# What both x86 modes build from arch/x86_shared: every C file in it.
# Included by arch/x86_64/arch.mk and arch/i686/arch.mk.
X86_SHARED_SRCS := $(sort $(wildcard arch/x86_shared/*.c))
