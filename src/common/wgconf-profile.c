/* Turns parsed wg-quick files into the a{sv} profile that Connect takes (docs/dbus-api.md). */
#include "wgconf-profile.h"

#include <arpa/inet.h>
#include <stdio.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

/* The file must describe one server: one [Peer] with somewhere to send to. role is translated. */
static gboolean check_server_file(const struct wgconf *conf, const char *role, GError **error)
{
	if (conf->n_peers != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    /* Translators: the first %s is "exit file" or "entry file" */
			    g_dngettext(GETTEXT_PACKAGE, "%s: has %zu [Peer] section; a server's file has exactly one",
					"%s: has %zu [Peer] sections; a server's file has exactly one", conf->n_peers),
			    role, conf->n_peers);
		return FALSE;
	}
	if (conf->peers[0].endpoint[0] == '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    /* Translators: %s is "exit file" or "entry file" */
			    _("%s: its [Peer] has no Endpoint"), role);
		return FALSE;
	}
	return TRUE;
}

/* The base64 text is built in a buffer that is wiped once the GVariant holds its copy. */
static void add_key(GVariantBuilder *dict, const char *name, const uint8_t key[WGCONF_KEY_SIZE])
{
	char base64[sodium_base64_ENCODED_LEN(WGCONF_KEY_SIZE, sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(base64, sizeof(base64), key, WGCONF_KEY_SIZE, sodium_base64_VARIANT_ORIGINAL);
	g_variant_builder_add(dict, "{sv}", name, g_variant_new_string(base64));
	sodium_memzero(base64, sizeof(base64));
}

static GVariant *prefix_list(const struct wgconf_prefix *prefixes, size_t count)
{
	GVariantBuilder list;

	g_variant_builder_init(&list, G_VARIANT_TYPE_STRING_ARRAY);
	for (size_t i = 0; i < count; i++) {
		char address[INET6_ADDRSTRLEN];
		char text[INET6_ADDRSTRLEN + sizeof("/128")];

		inet_ntop(prefixes[i].family, prefixes[i].addr, address, sizeof(address));
		snprintf(text, sizeof(text), "%s/%u", address, prefixes[i].cidr);
		g_variant_builder_add(&list, "s", text);
	}
	return g_variant_builder_end(&list);
}

/* What the entry server must route to: the exit server's address alone when the exit endpoint is an
 * IP literal; a host name is resolved later, so the entry file's AllowedIPs stand instead. */
static GVariant *entry_allowed_ips(const struct wgconf_peer *entry, const struct wgconf_peer *exit)
{
	const char *endpoint = exit->endpoint;
	const char *colon = strrchr(endpoint, ':');
	g_autofree char *host = NULL;
	g_autofree char *prefix = NULL;
	g_autoptr(GInetAddress) address = NULL;

	if (colon && endpoint[0] == '[' && colon - endpoint >= 2 && colon[-1] == ']')
		host = g_strndup(endpoint + 1, (gsize)(colon - endpoint - 2));
	else if (colon)
		host = g_strndup(endpoint, (gsize)(colon - endpoint));
	if (host)
		address = g_inet_address_new_from_string(host);
	if (!address)
		return prefix_list(entry->allowed_ips, entry->n_allowed_ips);
	prefix = g_strdup_printf("%s/%u", host, g_inet_address_get_family(address) == G_SOCKET_FAMILY_IPV4 ? 32 : 128);
	return g_variant_new_strv((const char *const[]){prefix}, 1);
}

static GVariant *hop(const struct wgconf_peer *peer, GVariant *allowed_ips)
{
	GVariantBuilder dict;

	g_variant_builder_init(&dict, G_VARIANT_TYPE_VARDICT);
	add_key(&dict, "public-key", peer->public_key);
	g_variant_builder_add(&dict, "{sv}", "endpoint", g_variant_new_string(peer->endpoint));
	g_variant_builder_add(&dict, "{sv}", "allowed-ips", allowed_ips);
	if (peer->has_preshared_key)
		add_key(&dict, "preshared-key", peer->preshared_key);
	if (peer->persistent_keepalive != 0)
		g_variant_builder_add(&dict, "{sv}", "persistent-keepalive",
				      g_variant_new_uint32(peer->persistent_keepalive));
	return g_variant_builder_end(&dict);
}

GVariant *wgconf_profile_build(const struct wgconf *exit, const struct wgconf_profile_options *options,
			       GError **error)
{
	static const struct wgconf_profile_options defaults;
	const struct wgconf_peer *exit_peer;
	GVariantBuilder profile, hops, dns;
	g_autofree char *name = NULL;

	g_return_val_if_fail(exit != NULL, NULL);
	if (!options)
		options = &defaults;
	if (!check_server_file(exit, _("exit file"), error))
		return NULL;
	if (options->entry && !check_server_file(options->entry, _("entry file"), error))
		return NULL;
	exit_peer = &exit->peers[0];

	g_variant_builder_init(&hops, G_VARIANT_TYPE("aa{sv}"));
	if (options->entry) {
		const struct wgconf_peer *entry_peer = &options->entry->peers[0];

		g_variant_builder_add_value(&hops, hop(entry_peer, entry_allowed_ips(entry_peer, exit_peer)));
	}
	g_variant_builder_add_value(&hops, hop(exit_peer, prefix_list(exit_peer->allowed_ips,
								       exit_peer->n_allowed_ips)));

	g_variant_builder_init(&dns, G_VARIANT_TYPE_STRING_ARRAY);
	for (size_t i = 0; i < exit->n_dns_servers; i++)
		g_variant_builder_add(&dns, "s", exit->dns_servers[i]);

	/* The name may come from a file name, which need not be UTF-8 as GVariant strings must. */
	name = g_utf8_make_valid(options->name ? options->name : "exit", -1);
	g_variant_builder_init(&profile, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&profile, "{sv}", "name", g_variant_new_string(name));
	add_key(&profile, "private-key", exit->private_key);
	g_variant_builder_add(&profile, "{sv}", "addresses", prefix_list(exit->addresses, exit->n_addresses));
	g_variant_builder_add(&profile, "{sv}", "dns", g_variant_builder_end(&dns));
	if (exit->mtu != 0)
		g_variant_builder_add(&profile, "{sv}", "mtu", g_variant_new_uint32(exit->mtu));
	g_variant_builder_add(&profile, "{sv}", "kill-switch", g_variant_new_boolean(options->kill_switch));
	g_variant_builder_add(&profile, "{sv}", "daita", g_variant_new_boolean(options->daita));
	g_variant_builder_add(&profile, "{sv}", "hops", g_variant_builder_end(&hops));
	return g_variant_builder_end(&profile);
}
