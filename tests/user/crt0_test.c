/*
 * Process entry: crt0 must hand main the argc/argv/envp block Linux built
 * and a stack aligned as the ABI says. tools/user_test.sh runs this with
 * the argument "argv-check" and USER_TEST_ENV=1 in the environment; run
 * bare (e.g. as init), the checks of those values are skipped.
 */
#include <stdint.h>
#include <u/ktap.h>
#include <u/start.h>
#include <u/string.h>

/*
 * Misalignment of a 16-aligned local: the compiler trusts the ABI and does
 * not realign the frame, so a crt0 that got it wrong shows here. The empty
 * asm hides the address from the optimizer, which would fold the mask to 0.
 */
static __attribute__((noinline)) uintptr_t local_misalignment(void)
{
	volatile char buf[16] __attribute__((aligned(16)));
	uintptr_t p = (uintptr_t)buf;

	buf[0] = 1;
	__asm__("" : "+r"(p));
	return p & 15;
}

static void check_args(int argc, char **argv)
{
	ktap_ok(argc >= 1 && argv[0] && argv[0][0], "argv0_present");
	ktap_ok(argv[argc] == NULL, "argv_null_terminated");
	if (argc < 2 || strcmp(argv[1], "argv-check") != 0)
		ktap_skip("not run with argument argv-check", "argv1_value");
	else
		ktap_eq(argc, 2, "argv1_value");
}

static void check_env(int argc, char **argv, char **envp)
{
	const char *v = getenv("USER_TEST_ENV");

	ktap_ok(envp == argv + argc + 1 && environ == envp, "envp_after_argv");
	if (argc < 2)
		ktap_skip("not run with argument argv-check", "env_value");
	else
		ktap_ok(v && strcmp(v, "1") == 0, "env_value");
	ktap_ok(getenv("USER_TEST_NO_SUCH_VARIABLE") == NULL, "env_missing");
}

int main(int argc, char **argv, char **envp)
{
	ktap_plan(7);
	check_args(argc, argv);
	check_env(argc, argv, envp);
	ktap_eq(local_misalignment(), 0, "stack_16_aligned");
	return ktap_finish();
}
