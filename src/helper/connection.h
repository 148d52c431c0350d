/* The connection state machine: disconnected -> connecting -> connected -> disconnecting, and error
 * with a cause. It drives the embedded engine, netcfg, dns and the firewall, and records what it
 * changed in the state file. */
#ifndef WIREHOP_HELPER_CONNECTION_H
#define WIREHOP_HELPER_CONNECTION_H

#include <stdbool.h>
#include <stdint.h>

#include <gio/gio.h>

#include "profile.h"

enum connection_state {
	CONNECTION_DISCONNECTED,
	CONNECTION_CONNECTING,
	CONNECTION_CONNECTED,
	CONNECTION_DISCONNECTING,
	CONNECTION_ERROR,
};

struct helper_options {
	const char *ifname;          /* the tunnel interface, "wirehop0" */
	const char *state_dir;       /* "/run/wirehop" */
	const char *resolv_conf;     /* NULL: /etc/resolv.conf */
	GDBusConnection *system_bus; /* where systemd-resolved is looked for; NULL: never */
	uint32_t table;              /* policy routing table of the default routes */
	uint32_t fwmark;             /* mark on the engine's own UDP packets */
	uint32_t rule_priority;
	unsigned handshake_timeout_ms; /* connecting -> error(handshake-timeout) */
};

enum {
	HELPER_DEFAULT_TABLE = 0x7768,    /* "wh" */
	HELPER_DEFAULT_FWMARK = 0x776870, /* "whp" */
	HELPER_DEFAULT_RULE_PRIORITY = 32100,
	HELPER_DEFAULT_HANDSHAKE_TIMEOUT_MS = 15000,
};

struct connection;

/* changed is called after every state change (and only then), from the main loop. */
struct connection *connection_new(const struct helper_options *options, void (*changed)(void *ctx), void *ctx);

/* Tears down whatever is up (as Disconnect) and frees. */
void connection_free(struct connection *connection);

/* Starts connecting with profile (taken; validated, single hop). From connected or error it switches
 * over without opening the kill switch in between. */
void connection_connect(struct connection *connection, struct profile *profile);

/* Ends in disconnected from any state, everything removed. */
void connection_disconnect(struct connection *connection);

/* The system-wide kill switch default: with it on, every connection blocks outside traffic as if
 * its profile asked for it. Applied at once to the current connection. */
void connection_set_kill_switch_default(struct connection *connection, bool enabled);
bool connection_kill_switch_default(const struct connection *connection);

enum connection_state connection_state(const struct connection *connection);
const char *connection_state_name(enum connection_state state);

/* The state's details as a floating a{sv} (docs/dbus-api.md). */
GVariant *connection_details(struct connection *connection);
GVariant *connection_statistics(struct connection *connection);

/* Undoes what a helper that died left behind, as its state file records. */
bool connection_recover(const struct helper_options *options, GError **error);

#endif
