/* The io.github.wirehop.Helper1 object: D-Bus calls checked with polkit, then handed to the
 * connection state machine. */
#ifndef WIREHOP_HELPER_SERVICE_H
#define WIREHOP_HELPER_SERVICE_H

#include <stdbool.h>

#include <gio/gio.h>

#include "authority.h"
#include "connection.h"

struct service;

/* Exports the object on bus. settings_path holds the kill switch default across restarts. */
struct service *service_new(GDBusConnection *bus, const struct helper_options *options, struct authority *authority,
			    const char *settings_path, GError **error);

/* Disconnects (removing everything) and unexports. */
void service_free(struct service *service);

#endif
