/* The helper's error domain, mapped to D-Bus names io.github.wirehop.Error.*. */
#ifndef WIREHOP_HELPER_ERROR_H
#define WIREHOP_HELPER_ERROR_H

#include <gio/gio.h>

typedef enum {
	HELPER_ERROR_FAILED,
	HELPER_ERROR_INVALID_PROFILE,
	HELPER_ERROR_NOT_AUTHORIZED,
	HELPER_ERROR_NOT_SUPPORTED,
} HelperError;

#define HELPER_ERROR (helper_error_quark())
GQuark helper_error_quark(void);

#endif
