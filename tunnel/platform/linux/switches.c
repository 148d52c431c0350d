/* Run-time switches for the Linux ports' optimisations, read from the environment. */
#include "platform/linux/switches.h"

#include <stdlib.h>
#include <string.h>

static bool set_to_off(const char *variable)
{
	const char *value = getenv(variable);

	return value && strcmp(value, "0") == 0;
}

bool wh_linux_switch_on(const char *variable)
{
	return !set_to_off("WIREHOP_OFFLOADS") && !set_to_off(variable);
}
