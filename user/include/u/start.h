/*
 * Process entry. crt0's _start calls start_c(sp) with the initial stack
 * Linux built; start_c calls the program's main and exits the process with
 * its return value. environ is envp, for programs that look up variables.
 */
#ifndef U_START_H
#define U_START_H

extern char **environ;

/* Entry from crt0 with @sp at argc; never returns. */
_Noreturn void start_c(long *sp);

/* Value of environment variable @name, or NULL if it is not set. */
const char *getenv(const char *name);

#endif
