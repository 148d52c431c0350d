/* The connection state machine. Every step that changes the system is recorded in the state file
 * before it is taken; every way out (disconnect, error, switching servers, shutdown) goes through
 * teardown(), which removes what is up in the reverse order. */
#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dns.h"
#include "firewall.h"
#include "netcfg.h"
#include "state-file.h"
#include "tunnel-device.h"

enum {
	POLL_CONNECTING_MS = 50,
};

struct connection {
	struct helper_options options;
	void (*changed)(void *ctx);
	void *changed_ctx;

	enum connection_state state;
	char *cause;   /* error only */
	char *message; /* error only */
	bool kill_switch_default;

	struct profile *profile;
	char *endpoint_text; /* "192.0.2.1:51820" as resolved */
	bool have_endpoint;
	struct wh_endpoint endpoint;
	GCancellable *resolving;

	/* What is up right now. */
	bool firewall_up;
	bool state_file_written;
	struct tunnel_device *device;
	unsigned ifindex;
	bool netcfg_up;
	bool dns_up;

	gint64 connecting_since_us; /* monotonic */
	gint64 connected_since_us;  /* real time */
	guint poll_source;
};

static const char *const state_names[] = {
	[CONNECTION_DISCONNECTED] = "disconnected",
	[CONNECTION_CONNECTING] = "connecting",
	[CONNECTION_CONNECTED] = "connected",
	[CONNECTION_DISCONNECTING] = "disconnecting",
	[CONNECTION_ERROR] = "error",
};

const char *connection_state_name(enum connection_state state)
{
	return state_names[state];
}

enum connection_state connection_state(const struct connection *connection)
{
	return connection->state;
}

static void set_state(struct connection *connection, enum connection_state state)
{
	connection->state = state;
	if (state != CONNECTION_ERROR) {
		g_clear_pointer(&connection->cause, g_free);
		g_clear_pointer(&connection->message, g_free);
	}
	g_message("state: %s%s%s%s%s", state_names[state], connection->cause ? " (" : "",
		  connection->cause ? connection->cause : "", connection->cause ? ") " : "",
		  connection->message ? connection->message : "");
	connection->changed(connection->changed_ctx);
}

static bool kill_switch_wanted(const struct connection *connection)
{
	return connection->kill_switch_default || (connection->profile && connection->profile->kill_switch);
}

static struct netcfg_plan netcfg_plan_for(const struct connection *connection, struct netcfg_prefix *addresses,
					  struct netcfg_prefix *routes)
{
	struct netcfg_plan plan = {
		.ifindex = connection->ifindex,
		.table = connection->options.table,
		.fwmark = connection->options.fwmark,
		.rule_priority = connection->options.rule_priority,
	};
	const struct profile *profile = connection->profile;
	if (!profile)
		return plan;
	const struct profile_hop *exit = &profile->hops[profile->n_hops - 1];
	for (size_t i = 0; i < profile->n_addresses; i++) {
		addresses[i].family = profile->addresses[i].family;
		memcpy(addresses[i].addr, profile->addresses[i].addr, 16);
		addresses[i].cidr = profile->addresses[i].cidr;
	}
	for (size_t i = 0; i < exit->n_allowed_ips; i++) {
		routes[i].family = exit->allowed_ips[i].family;
		memcpy(routes[i].addr, exit->allowed_ips[i].addr, 16);
		routes[i].cidr = exit->allowed_ips[i].cidr;
	}
	plan.mtu = profile->mtu;
	plan.addresses = addresses;
	plan.n_addresses = profile->n_addresses;
	plan.routes = routes;
	plan.n_routes = exit->n_allowed_ips;
	return plan;
}

static struct dns_config dns_config_for(const struct connection *connection)
{
	return (struct dns_config){
		.system_bus = connection->options.system_bus,
		.resolv_conf = connection->options.resolv_conf,
		.state_dir = connection->options.state_dir,
	};
}

static struct applied_state applied_state_for(const struct connection *connection)
{
	struct applied_state state = {
		.table = connection->options.table,
		.fwmark = connection->options.fwmark,
		.rule_priority = connection->options.rule_priority,
		.firewall = connection->firewall_up,
	};
	g_strlcpy(state.ifname, connection->options.ifname, sizeof(state.ifname));
	return state;
}

static bool record(struct connection *connection, GError **error)
{
	struct applied_state state = applied_state_for(connection);
	if (!state_file_write(connection->options.state_dir, &state, error))
		return false;
	connection->state_file_written = true;
	return true;
}

static void log_failure(const char *step, GError *error)
{
	g_warning("%s: %s", step, error->message);
}

/* Removes the tunnel, routes and DNS; the firewall too unless keep_firewall. */
static void teardown(struct connection *connection, bool keep_firewall)
{
	g_autoptr(GError) error = NULL;
	g_clear_handle_id(&connection->poll_source, g_source_remove);
	if (connection->resolving) {
		g_cancellable_cancel(connection->resolving);
		g_clear_object(&connection->resolving);
	}
	if (connection->dns_up) {
		struct dns_config dns = dns_config_for(connection);
		if (!dns_revert(&dns, connection->ifindex, &error))
			log_failure("restoring DNS", error);
		g_clear_error(&error);
		connection->dns_up = false;
	}
	if (connection->netcfg_up) {
		struct netcfg_prefix addresses[PROFILE_MAX_LIST], routes[PROFILE_MAX_LIST];
		struct netcfg_plan plan = netcfg_plan_for(connection, addresses, routes);
		if (!netcfg_remove(&plan, &error))
			log_failure("removing routes", error);
		g_clear_error(&error);
		connection->netcfg_up = false;
	}
	tunnel_device_close(connection->device);
	connection->device = NULL;
	connection->ifindex = 0;
	if (connection->firewall_up && !keep_firewall) {
		if (!firewall_unblock(&error))
			log_failure("removing the kill switch", error);
		g_clear_error(&error);
		connection->firewall_up = false;
	}
	if (connection->state_file_written) {
		if (connection->firewall_up) {
			if (!record(connection, &error))
				log_failure("updating the state file", error);
		} else {
			if (!state_file_remove(connection->options.state_dir, &error))
				log_failure("removing the state file", error);
			connection->state_file_written = false;
		}
		g_clear_error(&error);
	}
}

/* Everything is removed except the kill switch, which keeps blocking while the user decides. */
static void fail(struct connection *connection, const char *cause, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void fail(struct connection *connection, const char *cause, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	g_autofree char *message = g_strdup_vprintf(format, args);
	va_end(args);
	teardown(connection, kill_switch_wanted(connection));
	g_free(connection->cause);
	g_free(connection->message);
	connection->cause = g_strdup(cause);
	connection->message = g_steal_pointer(&message);
	set_state(connection, CONNECTION_ERROR);
}

static const char *exit_name(const struct connection *connection)
{
	return connection->profile ? connection->profile->name : "the server";
}

static gboolean poll_connecting(gpointer user_data)
{
	struct connection *connection = user_data;
	struct tunnel_statistics statistics;
	tunnel_device_statistics(connection->device, &statistics);
	if (statistics.last_handshake_realtime_ns) {
		/* From here on nothing is polled: an idle tunnel makes no handshakes, so an old one is no
		 * failure; GetStatistics reads the engine's figures when asked. */
		connection->poll_source = 0;
		connection->connected_since_us = g_get_real_time();
		set_state(connection, CONNECTION_CONNECTED);
		return G_SOURCE_REMOVE;
	}
	gint64 waited_ms = (g_get_monotonic_time() - connection->connecting_since_us) / 1000;
	if (waited_ms >= connection->options.handshake_timeout_ms) {
		connection->poll_source = 0;
		fail(connection, "handshake-timeout",
		     "No handshake with %s (%s) within %u s: the server does not answer, or it does not know this key",
		     exit_name(connection), connection->endpoint_text, connection->options.handshake_timeout_ms / 1000);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* With the endpoint known: kill switch, tunnel, routes, DNS, then wait for the handshake. */
static void bring_up(struct connection *connection)
{
	g_autoptr(GError) error = NULL;
	const struct wh_endpoint *endpoint = &connection->endpoint;

	if (kill_switch_wanted(connection)) {
		struct firewall_policy policy = {
			.tunnel_ifname = connection->options.ifname,
			.endpoint_family = endpoint->family,
			.endpoint_port = endpoint->port,
		};
		memcpy(policy.endpoint_addr, endpoint->addr, 16);
		connection->firewall_up = true; /* recorded first: a half-made table is still ours to delete */
		if (!record(connection, &error)) {
			fail(connection, "firewall", "Cannot record the kill switch in the state file: %s", error->message);
			return;
		}
		if (!firewall_block(&policy, &error)) {
			fail(connection, "firewall", "Cannot turn the kill switch on: %s", error->message);
			return;
		}
	} else if (connection->firewall_up) {
		/* Switched from a profile with the kill switch to one without. */
		if (!firewall_unblock(&error)) {
			fail(connection, "firewall", "Cannot turn the kill switch off: %s", error->message);
			return;
		}
		connection->firewall_up = false;
	}
	if (!record(connection, &error)) {
		fail(connection, "netcfg", "Cannot write the state file: %s", error->message);
		return;
	}
	if (!netcfg_has_route(endpoint->family, endpoint->addr, connection->options.fwmark)) {
		fail(connection, "offline", "There is no route to %s (%s): the computer seems to be offline",
		     exit_name(connection), connection->endpoint_text);
		return;
	}
	connection->device = tunnel_device_open(connection->options.ifname, connection->options.fwmark, &error);
	if (!connection->device) {
		fail(connection, "tunnel-device", "Cannot create the tunnel: %s", error->message);
		return;
	}
	connection->ifindex = netcfg_link_index(tunnel_device_ifname(connection->device));
	if (!tunnel_device_configure(connection->device, connection->profile, endpoint, &error)) {
		fail(connection, "tunnel-device", "Cannot configure the tunnel: %s", error->message);
		return;
	}
	struct netcfg_prefix addresses[PROFILE_MAX_LIST], routes[PROFILE_MAX_LIST];
	struct netcfg_plan plan = netcfg_plan_for(connection, addresses, routes);
	connection->netcfg_up = true; /* a failed apply cleans up after itself; remove is idempotent */
	if (!netcfg_apply(&plan, &error)) {
		fail(connection, "netcfg", "Cannot set up addresses and routes: %s", error->message);
		return;
	}
	if (connection->profile->dns[0]) {
		struct dns_config dns = dns_config_for(connection);
		connection->dns_up = true;
		if (!dns_apply(&dns, connection->ifindex, (const char *const *)connection->profile->dns, &error)) {
			fail(connection, "dns", "Cannot set the DNS servers: %s", error->message);
			return;
		}
	}
	connection->poll_source = g_timeout_add(POLL_CONNECTING_MS, poll_connecting, connection);
}

static void set_endpoint_text(struct connection *connection)
{
	char address[INET6_ADDRSTRLEN];
	inet_ntop(connection->endpoint.family, connection->endpoint.addr, address, sizeof(address));
	g_free(connection->endpoint_text);
	connection->endpoint_text = g_strdup_printf(connection->endpoint.family == AF_INET6 ? "[%s]:%u" : "%s:%u",
						    address, connection->endpoint.port);
}

static bool endpoint_from_inet_address(struct wh_endpoint *endpoint, GInetAddress *address, uint16_t port)
{
	memset(endpoint, 0, sizeof(*endpoint));
	size_t size = g_inet_address_get_native_size(address);
	if (size != 4 && size != 16)
		return false;
	endpoint->family = g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET;
	memcpy(endpoint->addr, g_inet_address_to_bytes(address), size);
	endpoint->port = port;
	return true;
}

static void on_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* connection may be gone */
	struct connection *connection = user_data;
	g_clear_object(&connection->resolving);
	const struct profile_hop *hop = &connection->profile->hops[connection->profile->n_hops - 1];
	if (!addresses) {
		fail(connection, "offline", "Cannot find the address of %s: %s", hop->endpoint_host, error->message);
		return;
	}
	bool ok = endpoint_from_inet_address(&connection->endpoint, addresses->data, hop->endpoint_port);
	g_resolver_free_addresses(addresses);
	if (!ok) {
		fail(connection, "offline", "%s has no usable address", hop->endpoint_host);
		return;
	}
	set_endpoint_text(connection);
	connection->have_endpoint = true;
	bring_up(connection);
}

void connection_connect(struct connection *connection, struct profile *profile)
{
	/* Switching: the old tunnel goes, the kill switch (if both want it) stays up throughout. */
	bool keep_firewall = connection->kill_switch_default || profile->kill_switch;
	teardown(connection, keep_firewall);
	profile_free(connection->profile);
	connection->profile = profile;
	connection->have_endpoint = false;
	g_clear_pointer(&connection->endpoint_text, g_free);
	connection->connecting_since_us = g_get_monotonic_time();
	connection->connected_since_us = 0;

	const struct profile_hop *hop = &profile->hops[profile->n_hops - 1];
	g_autoptr(GInetAddress) literal = g_inet_address_new_from_string(hop->endpoint_host);
	if (literal) {
		endpoint_from_inet_address(&connection->endpoint, literal, hop->endpoint_port);
		set_endpoint_text(connection);
		connection->have_endpoint = true;
	} else {
		connection->endpoint_text = g_strdup_printf("%s:%u", hop->endpoint_host, hop->endpoint_port);
	}
	set_state(connection, CONNECTION_CONNECTING);
	if (connection->state != CONNECTION_CONNECTING)
		return;
	if (connection->have_endpoint) {
		bring_up(connection);
		return;
	}
	connection->resolving = g_cancellable_new();
	g_autoptr(GResolver) resolver = g_resolver_get_default();
	g_resolver_lookup_by_name_async(resolver, hop->endpoint_host, connection->resolving, on_resolved, connection);
}

void connection_disconnect(struct connection *connection)
{
	if (connection->state == CONNECTION_DISCONNECTED)
		return;
	set_state(connection, CONNECTION_DISCONNECTING);
	teardown(connection, false);
	profile_free(connection->profile);
	connection->profile = NULL;
	g_clear_pointer(&connection->endpoint_text, g_free);
	connection->connected_since_us = 0;
	set_state(connection, CONNECTION_DISCONNECTED);
}

void connection_set_kill_switch_default(struct connection *connection, bool enabled)
{
	connection->kill_switch_default = enabled;
	bool active = connection->state == CONNECTION_CONNECTING || connection->state == CONNECTION_CONNECTED ||
		      connection->state == CONNECTION_ERROR;
	if (!active || !connection->have_endpoint)
		return;
	g_autoptr(GError) error = NULL;
	if (kill_switch_wanted(connection) && !connection->firewall_up) {
		struct firewall_policy policy = {
			.tunnel_ifname = connection->options.ifname,
			.endpoint_family = connection->endpoint.family,
			.endpoint_port = connection->endpoint.port,
		};
		memcpy(policy.endpoint_addr, connection->endpoint.addr, 16);
		connection->firewall_up = true;
		if (!record(connection, &error) || !firewall_block(&policy, &error))
			fail(connection, "firewall", "Cannot turn the kill switch on: %s", error->message);
		else
			connection->changed(connection->changed_ctx);
	} else if (!kill_switch_wanted(connection) && connection->firewall_up) {
		if (!firewall_unblock(&error)) {
			fail(connection, "firewall", "Cannot turn the kill switch off: %s", error->message);
			return;
		}
		connection->firewall_up = false;
		if (!record(connection, &error))
			log_failure("updating the state file", error);
		connection->changed(connection->changed_ctx);
	}
}

bool connection_kill_switch_default(const struct connection *connection)
{
	return connection->kill_switch_default;
}

static void add_statistics(struct connection *connection, GVariantBuilder *builder)
{
	struct tunnel_statistics statistics = {0};
	if (connection->device)
		tunnel_device_statistics(connection->device, &statistics);
	g_variant_builder_add(builder, "{sv}", "rx-bytes", g_variant_new_uint64(statistics.rx_bytes));
	g_variant_builder_add(builder, "{sv}", "tx-bytes", g_variant_new_uint64(statistics.tx_bytes));
	if (statistics.last_handshake_realtime_ns) {
		gint64 handshake_s = (gint64)(statistics.last_handshake_realtime_ns / 1000000000u);
		gint64 age_s = g_get_real_time() / G_USEC_PER_SEC - handshake_s;
		g_variant_builder_add(builder, "{sv}", "last-handshake", g_variant_new_int64(handshake_s));
		g_variant_builder_add(builder, "{sv}", "handshake-age", g_variant_new_uint32((guint32)MAX(age_s, 0)));
	}
}

GVariant *connection_details(struct connection *connection)
{
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	const struct profile *profile = connection->profile;
	if (profile) {
		g_variant_builder_add(&builder, "{sv}", "profile", g_variant_new_string(profile->name));
		g_variant_builder_add(&builder, "{sv}", "interface", g_variant_new_string(connection->options.ifname));
		if (connection->endpoint_text) {
			/* Single hop: the one server is both entry and exit. */
			g_variant_builder_add(&builder, "{sv}", "entry-endpoint",
					      g_variant_new_string(connection->endpoint_text));
			g_variant_builder_add(&builder, "{sv}", "exit-endpoint",
					      g_variant_new_string(connection->endpoint_text));
		}
		g_variant_builder_add(&builder, "{sv}", "daita", g_variant_new_boolean(profile->daita));
	}
	g_variant_builder_add(&builder, "{sv}", "kill-switch", g_variant_new_boolean(connection->firewall_up));
	if (connection->connected_since_us)
		g_variant_builder_add(&builder, "{sv}", "connected-since",
				      g_variant_new_int64(connection->connected_since_us / G_USEC_PER_SEC));
	if (connection->cause) {
		g_variant_builder_add(&builder, "{sv}", "cause", g_variant_new_string(connection->cause));
		g_variant_builder_add(&builder, "{sv}", "message", g_variant_new_string(connection->message));
	}
	add_statistics(connection, &builder);
	return g_variant_builder_end(&builder);
}

GVariant *connection_statistics(struct connection *connection)
{
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	add_statistics(connection, &builder);
	return g_variant_builder_end(&builder);
}

struct connection *connection_new(const struct helper_options *options, void (*changed)(void *ctx), void *ctx)
{
	struct connection *connection = g_new0(struct connection, 1);
	connection->options = *options;
	connection->changed = changed;
	connection->changed_ctx = ctx;
	connection->state = CONNECTION_DISCONNECTED;
	return connection;
}

void connection_free(struct connection *connection)
{
	if (!connection)
		return;
	teardown(connection, false);
	profile_free(connection->profile);
	g_free(connection->endpoint_text);
	g_free(connection->cause);
	g_free(connection->message);
	g_free(connection);
}

bool connection_recover(const struct helper_options *options, GError **error)
{
	struct applied_state state;
	g_autoptr(GError) local = NULL;
	struct dns_config dns = {
		.system_bus = NULL, /* the dead helper's link is gone, and resolved forgot it with the link */
		.resolv_conf = options->resolv_conf,
		.state_dir = options->state_dir,
	};
	/* A resolv.conf backup outlives a crash on its own; put it back first. */
	if (!dns_revert(&dns, 0, error))
		return false;
	if (!state_file_read(options->state_dir, &state, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return true;
		g_propagate_error(error, g_steal_pointer(&local));
		return false;
	}
	g_message("cleaning up after a previous helper (interface %s)", state.ifname);
	struct netcfg_plan plan = {
		.ifindex = netcfg_link_index(state.ifname),
		.table = state.table,
		.fwmark = state.fwmark,
		.rule_priority = state.rule_priority,
	};
	if (!netcfg_remove(&plan, error))
		return false;
	if (state.firewall && !firewall_unblock(error))
		return false;
	return state_file_remove(options->state_dir, error);
}
