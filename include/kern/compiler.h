/* Compiler attributes and small helpers used everywhere in the kernel. */
#ifndef KERN_COMPILER_H
#define KERN_COMPILER_H

#define __noreturn	_Noreturn
#define __unused	__attribute__((unused))
#define __used		__attribute__((used))
#define __packed	__attribute__((packed))
#define __aligned(n)	__attribute__((aligned(n)))
#define __section(s)	__attribute__((section(s)))
#define __printf(f, a)	__attribute__((format(printf, f, a)))
#define __weak		__attribute__((weak))

/*
 * For entries of linker-section tables: the sanitizers (host builds) must
 * not pad them with redzones, or the table stops being an array.
 */
#define __section_entry(s) \
	__section(s) __used __attribute__((no_sanitize("address")))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

/* Compiler-only barrier: stops reordering by the compiler, not by the CPU. */
#define barrier()	__asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
