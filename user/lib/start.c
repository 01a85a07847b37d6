/*
 * The C half of process entry, called by crt0 (_start) with the initial
 * stack pointer. Linux's initial stack is: argc, argv[0..argc-1], NULL,
 * envp[...], NULL, auxv pairs. main's return value becomes the exit status
 * of the whole process (exit_group), as in C.
 */
#include <u/start.h>
#include <u/string.h>
#include <u/sys.h>

char **environ;

/*
 * The program's. Called with all three arguments; a main declared with
 * fewer ignores the rest, as every C runtime on these ABIs relies on.
 */
int main(int argc, char **argv, char **envp);

_Noreturn void start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);

	environ = argv + argc + 1;
	sys_exit_group(main(argc, argv, environ));
}

const char *getenv(const char *name)
{
	size_t n = strlen(name);

	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
