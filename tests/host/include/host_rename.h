/*
 * Force-included into every MI file of a host build: the kernel's own
 * string and format functions get k_ names so they do not replace the C
 * library's (which the sanitizers intercept), yet are still the code under
 * test when MI code or a suite calls memcpy / snprintf.
 */
#define memcpy		k_memcpy
#define memmove		k_memmove
#define memset		k_memset
#define memcmp		k_memcmp
#define strlen		k_strlen
#define strnlen		k_strnlen
#define strcmp		k_strcmp
#define strncmp		k_strncmp
#define strchr		k_strchr
#define strlcpy		k_strlcpy
#define vsnprintf	k_vsnprintf
#define snprintf	k_snprintf
