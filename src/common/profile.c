/* Validation of the Connect profile: every field checked, errors that name the field, secrets copied
 * straight into locked memory. */
#include "profile.h"

#include <arpa/inet.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "uapi/address.h"
#include "wirehop/tunnel.h"

G_DEFINE_QUARK(wirehop-profile-error-quark, profile_error)

enum {
	HOST_NAME_MAX_LEN = 253,
	NAME_MAX_LEN = 256,
};

/* Messages are "field: reason": the field is the profile's key and stays as it is (the app finds the
 * form row by it), the reason is translated. The domain is bound by the app only, so wirehopd and
 * wirehopctl say it in English. */
static gboolean fail(GError **error, const char *field, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean fail(GError **error, const char *field, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	g_autofree char *reason = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, PROFILE_ERROR, 0, "%s: %s", field, reason);
	return FALSE;
}

/* What wh_address_parse_prefix says is wrong (tunnel/uapi/address.c, which has no gettext), marked
 * here so that the template has it; _(problem) translates it where it is shown, here and in
 * wh-server.c. Keep the list in step with that file. */
static const char *const address_problems[] G_GNUC_UNUSED = {
	N_("no '/cidr'"),
	N_("scope in a prefix"),
	N_("cidr with a sign or a leading zero"),
	N_("cidr above 32 for IPv4"),
	N_("cidr above 128 for IPv6"),
	N_("cidr that is not a number"),
	N_("IPv4 field with a leading zero"),
	N_("IPv4 field above 255"),
	N_("empty IPv4 field"),
	N_("more than four IPv4 fields"),
	N_("unexpected character in an IPv4 address"),
	N_("fewer than four IPv4 fields"),
	N_("no address"),
	N_("IPv6 field of more than four hex digits"),
	N_("embedded IPv4 address not in the last two IPv6 fields"),
	N_("empty IPv6 field"),
	N_("characters after eight IPv6 fields"),
	N_("unexpected character in an IPv6 address"),
	N_("IPv6 address ending in a single colon"),
	N_("more than one \"::\" in an IPv6 address"),
	N_("fewer than eight IPv6 fields and no \"::\""),
	N_("\"::\" standing for no zero field"),
};

/* The value of key in dict if it has the expected type; a missing key is left for the caller. */
static gboolean lookup(GVariant *dict, const char *key, const char *type, GVariant **value, const char *field,
		       GError **error)
{
	*value = g_variant_lookup_value(dict, key, NULL);
	if (!*value)
		return TRUE;
	if (!g_variant_is_of_type(*value, G_VARIANT_TYPE(type))) {
		g_autofree char *field_name = g_strdup_printf("%s%s", field, key);
		fail(error, field_name, _("has type %s, expected %s"), g_variant_get_type_string(*value), type);
		g_clear_pointer(value, g_variant_unref);
		return FALSE;
	}
	return TRUE;
}

static gboolean check_keys(GVariant *dict, const char *const *known, const char *field, GError **error)
{
	GVariantIter iter;
	const char *key;
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_next(&iter, "{&sv}", &key, NULL)) {
		if (!g_strv_contains(known, key)) {
			g_autofree char *field_name = g_strdup_printf("%s%s", field, key);
			return fail(error, field_name, _("unknown key"));
		}
	}
	return TRUE;
}

/* A base64 key of 32 bytes. The text is not echoed back in errors: it may be a secret. */
static gboolean parse_key(const char *text, uint8_t key[PROFILE_KEY_SIZE], const char *field, GError **error)
{
	if (!wh_key_from_base64(key, text))
		return fail(error, field, _("is not a base64 key of 32 bytes (44 characters ending in '=')"));
	return TRUE;
}

static gboolean parse_prefix(const char *text, struct profile_prefix *prefix, const char *field, GError **error)
{
	uint16_t family;
	const char *problem = wh_address_parse_prefix(&family, prefix->addr, &prefix->cidr, text, strlen(text));
	if (problem)
		return fail(error, field, _("\"%.64s\" is not an IP prefix (%s)"), text, _(problem));
	prefix->family = family;
	return TRUE;
}

static gboolean parse_prefixes(GVariant *list, struct profile_prefix **out, size_t *n_out, const char *field,
			       GError **error)
{
	size_t n = g_variant_n_children(list);
	if (n > PROFILE_MAX_LIST)
		return fail(error, field, _("has %zu entries, at most %d are allowed"), n, PROFILE_MAX_LIST);
	g_autofree struct profile_prefix *prefixes = g_new0(struct profile_prefix, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		const char *text;
		g_variant_get_child(list, i, "&s", &text);
		g_autofree char *item = g_strdup_printf("%s[%zu]", field, i);
		if (!parse_prefix(text, &prefixes[i], item, error))
			return FALSE;
	}
	*out = g_steal_pointer(&prefixes);
	*n_out = n;
	return TRUE;
}

static bool is_host_name(const char *host)
{
	size_t len = strlen(host);
	if (len == 0 || len > HOST_NAME_MAX_LEN || host[0] == '-' || host[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = host[i];
		if (!g_ascii_isalnum(c) && c != '-' && c != '.')
			return false;
	}
	return true;
}

/* "host:port", "a.b.c.d:port" or "[v6]:port"; host names are resolved by the helper later. */
static gboolean parse_endpoint(const char *text, struct profile_hop *hop, const char *field, GError **error)
{
	const char *colon;
	g_autofree char *host = NULL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			return fail(error, field, _("\"%.64s\" is not [IPv6]:port"), text);
		host = g_strndup(text + 1, (size_t)(close - text - 1));
		uint8_t addr[16];
		if (inet_pton(AF_INET6, host, addr) != 1)
			return fail(error, field, _("\"%.64s\" is not an IPv6 address"), host);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			return fail(error, field, _("\"%.64s\" has no port (host:port)"), text);
		host = g_strndup(text, (size_t)(colon - text));
		if (strchr(host, ':'))
			return fail(error, field, _("\"%.64s\": an IPv6 address must be in brackets"), text);
		if (!is_host_name(host))
			return fail(error, field, _("\"%.64s\" is not an IP address or host name"), host);
	}
	uint64_t port;
	const char *port_text = colon + 1;
	if (wh_address_parse_decimal(port_text, strlen(port_text), 65535, &port) < 0 || port == 0)
		return fail(error, field, _("port \"%.16s\" is not a number from 1 to 65535"), port_text);
	hop->endpoint_host = g_steal_pointer(&host);
	hop->endpoint_port = (uint16_t)port;
	return TRUE;
}

static gboolean parse_hop(GVariant *dict, size_t index, struct profile *profile, GError **error)
{
	static const char *const known[] = {"public-key", "endpoint", "allowed-ips", "preshared-key",
					     "persistent-keepalive", NULL};
	struct profile_hop *hop = &profile->hops[index];
	g_autofree char *prefix = g_strdup_printf("hops[%zu].", index);
	if (!check_keys(dict, known, prefix, error))
		return FALSE;

	g_autoptr(GVariant) public_key = NULL, endpoint = NULL, allowed_ips = NULL, preshared_key = NULL,
			    keepalive = NULL;
	if (!lookup(dict, "public-key", "s", &public_key, prefix, error) ||
	    !lookup(dict, "endpoint", "s", &endpoint, prefix, error) ||
	    !lookup(dict, "allowed-ips", "as", &allowed_ips, prefix, error) ||
	    !lookup(dict, "preshared-key", "s", &preshared_key, prefix, error) ||
	    !lookup(dict, "persistent-keepalive", "u", &keepalive, prefix, error))
		return FALSE;

	g_autofree char *field = g_strconcat(prefix, "public-key", NULL);
	if (!public_key)
		return fail(error, field, _("is missing"));
	if (!parse_key(g_variant_get_string(public_key, NULL), hop->public_key, field, error))
		return FALSE;

	g_free(field);
	field = g_strconcat(prefix, "endpoint", NULL);
	if (!endpoint)
		return fail(error, field, _("is missing"));
	if (!parse_endpoint(g_variant_get_string(endpoint, NULL), hop, field, error))
		return FALSE;

	g_free(field);
	field = g_strconcat(prefix, "allowed-ips", NULL);
	if (!allowed_ips)
		return fail(error, field, _("is missing"));
	if (!parse_prefixes(allowed_ips, &hop->allowed_ips, &hop->n_allowed_ips, field, error))
		return FALSE;
	if (hop->n_allowed_ips == 0)
		return fail(error, field, _("is empty: no traffic would enter the tunnel"));

	if (preshared_key) {
		g_free(field);
		field = g_strconcat(prefix, "preshared-key", NULL);
		if (!parse_key(g_variant_get_string(preshared_key, NULL), profile->secrets->preshared_keys[index],
			       field, error))
			return FALSE;
		hop->has_preshared_key = true;
	}
	if (keepalive) {
		guint32 seconds = g_variant_get_uint32(keepalive);
		if (seconds > 65535) {
			g_free(field);
			field = g_strconcat(prefix, "persistent-keepalive", NULL);
			return fail(error, field, _("%u is above 65535 seconds"), seconds);
		}
		hop->persistent_keepalive = (uint16_t)seconds;
	}
	return TRUE;
}

static gboolean parse_hops(GVariant *hops, struct profile *profile, GError **error)
{
	size_t n = g_variant_n_children(hops);
	if (n == 0)
		return fail(error, "hops", _("is empty: give at least the server to connect to"));
	if (n > PROFILE_MAX_HOPS)
		return fail(error, "hops", _("has %zu servers, at most %d (entry and exit) are supported"), n,
			    PROFILE_MAX_HOPS);
	profile->hops = g_new0(struct profile_hop, n);
	profile->n_hops = n;
	for (size_t i = 0; i < n; i++) {
		g_autoptr(GVariant) hop = g_variant_get_child_value(hops, i);
		if (!parse_hop(hop, i, profile, error))
			return FALSE;
	}
	if (n == 2 && memcmp(profile->hops[0].public_key, profile->hops[1].public_key, PROFILE_KEY_SIZE) == 0)
		return fail(error, "hops", _("entry and exit are the same server"));
	return TRUE;
}

static gboolean parse_dns(GVariant *list, struct profile *profile, GError **error)
{
	size_t n = g_variant_n_children(list);
	if (n > PROFILE_MAX_LIST)
		return fail(error, "dns", _("has %zu entries, at most %d are allowed"), n, PROFILE_MAX_LIST);
	profile->dns = g_new0(char *, n + 1);
	for (size_t i = 0; i < n; i++) {
		const char *text;
		uint8_t addr[16];
		g_variant_get_child(list, i, "&s", &text);
		if (inet_pton(AF_INET, text, addr) != 1 && inet_pton(AF_INET6, text, addr) != 1) {
			g_autofree char *field = g_strdup_printf("dns[%zu]", i);
			return fail(error, field, _("\"%.64s\" is not an IP address"), text);
		}
		profile->dns[i] = g_strdup(text);
	}
	return TRUE;
}

static gboolean parse_name(GVariant *name, struct profile *profile, GError **error)
{
	size_t len;
	const char *text = g_variant_get_string(name, &len);
	if (len == 0)
		return fail(error, "name", _("is empty"));
	if (len > NAME_MAX_LEN)
		return fail(error, "name", _("is longer than %d bytes"), NAME_MAX_LEN);
	for (const char *c = text; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return fail(error, "name", _("contains control characters"));
	}
	profile->name = g_strdup(text);
	return TRUE;
}

struct profile *profile_from_variant(GVariant *dict, GError **error)
{
	static const char *const known[] = {"name", "private-key", "addresses", "dns", "mtu",
					     "kill-switch", "daita", "hops", NULL};
	if (!g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT)) {
		fail(error, "profile", _("has type %s, expected a{sv}"), g_variant_get_type_string(dict));
		return NULL;
	}
	if (!check_keys(dict, known, "", error))
		return NULL;

	g_autoptr(GVariant) name = NULL, private_key = NULL, addresses = NULL, dns = NULL, mtu = NULL,
			    kill_switch = NULL, daita = NULL, hops = NULL;
	if (!lookup(dict, "name", "s", &name, "", error) || !lookup(dict, "private-key", "s", &private_key, "", error) ||
	    !lookup(dict, "addresses", "as", &addresses, "", error) || !lookup(dict, "dns", "as", &dns, "", error) ||
	    !lookup(dict, "mtu", "u", &mtu, "", error) || !lookup(dict, "kill-switch", "b", &kill_switch, "", error) ||
	    !lookup(dict, "daita", "b", &daita, "", error) || !lookup(dict, "hops", "aa{sv}", &hops, "", error))
		return NULL;

	struct profile *profile = g_new0(struct profile, 1);
	profile->secrets = sodium_malloc(sizeof(*profile->secrets));
	if (!profile->secrets) {
		g_free(profile);
		fail(error, "private-key", _("no locked memory is available for it"));
		return NULL;
	}
	sodium_memzero(profile->secrets, sizeof(*profile->secrets));

	gboolean ok = FALSE;
	if (!name) {
		fail(error, "name", _("is missing"));
	} else if (!parse_name(name, profile, error)) {
	} else if (!private_key) {
		fail(error, "private-key", _("is missing"));
	} else if (!parse_key(g_variant_get_string(private_key, NULL), profile->secrets->private_key, "private-key",
			      error)) {
	} else if (!addresses) {
		fail(error, "addresses", _("is missing"));
	} else if (!parse_prefixes(addresses, &profile->addresses, &profile->n_addresses, "addresses", error)) {
	} else if (profile->n_addresses == 0) {
		fail(error, "addresses", _("is empty: the tunnel needs an address"));
	} else if (dns && !parse_dns(dns, profile, error)) {
	} else if (!hops) {
		fail(error, "hops", _("is missing"));
	} else if (!parse_hops(hops, profile, error)) {
	} else {
		profile->kill_switch = kill_switch && g_variant_get_boolean(kill_switch);
		profile->daita = daita && g_variant_get_boolean(daita);
		profile->mtu = profile->n_hops > 1 ? PROFILE_DEFAULT_MTU_MULTIHOP : PROFILE_DEFAULT_MTU;
		if (mtu)
			profile->mtu = g_variant_get_uint32(mtu);
		if (profile->mtu < PROFILE_MIN_MTU || profile->mtu > PROFILE_MAX_MTU)
			fail(error, "mtu", _("%u is outside %d..%d"), profile->mtu, PROFILE_MIN_MTU, PROFILE_MAX_MTU);
		else
			ok = TRUE;
	}
	if (!profile->dns)
		profile->dns = g_new0(char *, 1);
	if (!ok) {
		profile_free(profile);
		return NULL;
	}
	return profile;
}

void profile_free(struct profile *profile)
{
	if (!profile)
		return;
	sodium_free(profile->secrets); /* wipes it */
	for (size_t i = 0; i < profile->n_hops; i++) {
		g_free(profile->hops[i].endpoint_host);
		g_free(profile->hops[i].allowed_ips);
	}
	g_free(profile->hops);
	g_free(profile->addresses);
	g_strfreev(profile->dns);
	g_free(profile->name);
	g_free(profile);
}

static void wipe_string(GVariant *dict, const char *key)
{
	const char *text;
	if (g_variant_lookup(dict, key, "&s", &text))
		sodium_memzero((char *)text, strlen(text));
}

void profile_wipe_secret_text(GVariant *dict)
{
	if (!g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT))
		return;
	wipe_string(dict, "private-key");
	g_autoptr(GVariant) hops = g_variant_lookup_value(dict, "hops", G_VARIANT_TYPE("aa{sv}"));
	if (!hops)
		return;
	for (size_t i = 0; i < g_variant_n_children(hops); i++) {
		g_autoptr(GVariant) hop = g_variant_get_child_value(hops, i);
		wipe_string(hop, "preshared-key");
	}
}
