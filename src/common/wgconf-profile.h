/* Builds the Connect profile (docs/dbus-api.md) from wg-quick files: what wirehopctl and the app
 * send to the helper. */
#ifndef WIREHOP_COMMON_WGCONF_PROFILE_H
#define WIREHOP_COMMON_WGCONF_PROFILE_H

#include <stdbool.h>

#include <glib.h>

#include "wgconf.h"

struct wgconf_profile_options {
	const char *name;                 /* NULL: "exit" */
	const struct wgconf *entry;       /* multihop entry server, NULL for single hop */
	bool daita;
	bool kill_switch;
};

/* A floating a{sv} profile for exit (its [Interface] gives key, addresses, DNS and MTU; its first
 * [Peer] the exit hop) and, with options->entry, the entry hop first (its first [Peer]). Fails with a
 * clear message when a file has not exactly one [Peer] or lacks an endpoint. */
GVariant *wgconf_profile_build(const struct wgconf *exit, const struct wgconf_profile_options *options,
			       GError **error);

#endif
