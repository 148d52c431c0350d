/* D-Bus names of the helper's errors: clients match on these, people read the messages. */
#include "helper-error.h"

static const GDBusErrorEntry helper_error_entries[] = {
	{HELPER_ERROR_FAILED, "io.github.wirehop.Error.Failed"},
	{HELPER_ERROR_INVALID_PROFILE, "io.github.wirehop.Error.InvalidProfile"},
	{HELPER_ERROR_NOT_AUTHORIZED, "io.github.wirehop.Error.NotAuthorized"},
	{HELPER_ERROR_NOT_SUPPORTED, "io.github.wirehop.Error.NotSupported"},
};

GQuark helper_error_quark(void)
{
	static gsize quark;
	g_dbus_error_register_error_domain("wirehop-helper-error-quark", &quark, helper_error_entries,
					   G_N_ELEMENTS(helper_error_entries));
	return (GQuark)quark;
}
