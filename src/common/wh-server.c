/* A server as the app keeps it, and the Connect profile made from it through the same builder as
 * wirehopctl's (wgconf-profile.c), so that both send the helper the same thing for the same server. */
#include "wh-server.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "profile.h"
#include "uapi/address.h"
#include "wgconf-profile.h"
#include "wirehop/tunnel.h"

/* A valid key that stands in for the private key when only the public parts are checked. */
#define DUMMY_PRIVATE_KEY "YAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

struct _WhServer {
	GObject parent_instance;

	char *id;
	char *name;
	char *endpoint;
	char *public_key;
	GStrv addresses;
	GStrv dns;
	GStrv allowed_ips;
	guint mtu;
	guint persistent_keepalive;
	gboolean has_preshared_key;
};

G_DEFINE_FINAL_TYPE(WhServer, wh_server, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_ID,
	PROP_NAME,
	PROP_ENDPOINT,
	PROP_PUBLIC_KEY,
	PROP_ADDRESSES,
	PROP_DNS,
	PROP_ALLOWED_IPS,
	PROP_MTU,
	PROP_PERSISTENT_KEEPALIVE,
	PROP_HAS_PRESHARED_KEY,
	N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const empty_strv[] = {NULL};

/* NULL reads as "": the getters never return NULL. */
static void set_string(WhServer *self, char **field, const char *value, int prop)
{
	if (!value)
		value = "";
	if (g_strcmp0(*field, value) == 0)
		return;
	g_free(*field);
	*field = g_strdup(value);
	g_object_notify_by_pspec(G_OBJECT(self), properties[prop]);
}

static void set_strv(WhServer *self, GStrv *field, const char *const *value, int prop)
{
	if (!value)
		value = empty_strv;
	if (g_strv_equal((const char *const *)*field, value))
		return;
	g_strfreev(*field);
	*field = g_strdupv((char **)value);
	g_object_notify_by_pspec(G_OBJECT(self), properties[prop]);
}

static void set_uint(WhServer *self, guint *field, guint value, int prop)
{
	if (*field == value)
		return;
	*field = value;
	g_object_notify_by_pspec(G_OBJECT(self), properties[prop]);
}

static void wh_server_constructed(GObject *object)
{
	WhServer *self = WH_SERVER(object);

	G_OBJECT_CLASS(wh_server_parent_class)->constructed(object);
	if (!self->id || self->id[0] == '\0') {
		g_free(self->id);
		self->id = g_uuid_string_random();
	}
}

static void wh_server_finalize(GObject *object)
{
	WhServer *self = WH_SERVER(object);

	g_free(self->id);
	g_free(self->name);
	g_free(self->endpoint);
	g_free(self->public_key);
	g_strfreev(self->addresses);
	g_strfreev(self->dns);
	g_strfreev(self->allowed_ips);
	G_OBJECT_CLASS(wh_server_parent_class)->finalize(object);
}

static void wh_server_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	WhServer *self = WH_SERVER(object);

	switch (prop_id) {
	case PROP_ID:
		g_value_set_string(value, self->id);
		break;
	case PROP_NAME:
		g_value_set_string(value, self->name);
		break;
	case PROP_ENDPOINT:
		g_value_set_string(value, self->endpoint);
		break;
	case PROP_PUBLIC_KEY:
		g_value_set_string(value, self->public_key);
		break;
	case PROP_ADDRESSES:
		g_value_set_boxed(value, self->addresses);
		break;
	case PROP_DNS:
		g_value_set_boxed(value, self->dns);
		break;
	case PROP_ALLOWED_IPS:
		g_value_set_boxed(value, self->allowed_ips);
		break;
	case PROP_MTU:
		g_value_set_uint(value, self->mtu);
		break;
	case PROP_PERSISTENT_KEEPALIVE:
		g_value_set_uint(value, self->persistent_keepalive);
		break;
	case PROP_HAS_PRESHARED_KEY:
		g_value_set_boolean(value, self->has_preshared_key);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void wh_server_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	WhServer *self = WH_SERVER(object);

	switch (prop_id) {
	case PROP_ID:
		set_string(self, &self->id, g_value_get_string(value), prop_id);
		break;
	case PROP_NAME:
		set_string(self, &self->name, g_value_get_string(value), prop_id);
		break;
	case PROP_ENDPOINT:
		set_string(self, &self->endpoint, g_value_get_string(value), prop_id);
		break;
	case PROP_PUBLIC_KEY:
		set_string(self, &self->public_key, g_value_get_string(value), prop_id);
		break;
	case PROP_ADDRESSES:
		set_strv(self, &self->addresses, g_value_get_boxed(value), prop_id);
		break;
	case PROP_DNS:
		set_strv(self, &self->dns, g_value_get_boxed(value), prop_id);
		break;
	case PROP_ALLOWED_IPS:
		set_strv(self, &self->allowed_ips, g_value_get_boxed(value), prop_id);
		break;
	case PROP_MTU:
		set_uint(self, &self->mtu, g_value_get_uint(value), prop_id);
		break;
	case PROP_PERSISTENT_KEEPALIVE:
		set_uint(self, &self->persistent_keepalive, g_value_get_uint(value), prop_id);
		break;
	case PROP_HAS_PRESHARED_KEY:
		if (self->has_preshared_key != g_value_get_boolean(value)) {
			self->has_preshared_key = g_value_get_boolean(value);
			g_object_notify_by_pspec(object, pspec);
		}
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void wh_server_class_init(WhServerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

	object_class->constructed = wh_server_constructed;
	object_class->finalize = wh_server_finalize;
	object_class->get_property = wh_server_get_property;
	object_class->set_property = wh_server_set_property;

	properties[PROP_ID] = g_param_spec_string("id", NULL, NULL, NULL, flags);
	properties[PROP_NAME] = g_param_spec_string("name", NULL, NULL, NULL, flags);
	properties[PROP_ENDPOINT] = g_param_spec_string("endpoint", NULL, NULL, NULL, flags);
	properties[PROP_PUBLIC_KEY] = g_param_spec_string("public-key", NULL, NULL, NULL, flags);
	properties[PROP_ADDRESSES] = g_param_spec_boxed("addresses", NULL, NULL, G_TYPE_STRV, flags);
	properties[PROP_DNS] = g_param_spec_boxed("dns", NULL, NULL, G_TYPE_STRV, flags);
	properties[PROP_ALLOWED_IPS] = g_param_spec_boxed("allowed-ips", NULL, NULL, G_TYPE_STRV, flags);
	properties[PROP_MTU] = g_param_spec_uint("mtu", NULL, NULL, 0, G_MAXUINT, 0, flags);
	properties[PROP_PERSISTENT_KEEPALIVE] =
		g_param_spec_uint("persistent-keepalive", NULL, NULL, 0, G_MAXUINT, 0, flags);
	properties[PROP_HAS_PRESHARED_KEY] = g_param_spec_boolean("has-preshared-key", NULL, NULL, FALSE, flags);
	g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void wh_server_init(WhServer *self)
{
	self->name = g_strdup("");
	self->endpoint = g_strdup("");
	self->public_key = g_strdup("");
	self->addresses = g_strdupv((char **)empty_strv);
	self->dns = g_strdupv((char **)empty_strv);
	self->allowed_ips = g_strdupv((char **)empty_strv);
}

WhServer *wh_server_new(const char *name)
{
	return g_object_new(WH_TYPE_SERVER, "name", name, NULL);
}

const char *wh_server_get_id(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return self->id;
}

const char *wh_server_get_name(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return self->name;
}

const char *wh_server_get_endpoint(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return self->endpoint;
}

const char *wh_server_get_public_key(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return self->public_key;
}

const char *const *wh_server_get_addresses(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return (const char *const *)self->addresses;
}

const char *const *wh_server_get_dns(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return (const char *const *)self->dns;
}

const char *const *wh_server_get_allowed_ips(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), NULL);
	return (const char *const *)self->allowed_ips;
}

guint wh_server_get_mtu(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), 0);
	return self->mtu;
}

guint wh_server_get_persistent_keepalive(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), 0);
	return self->persistent_keepalive;
}

gboolean wh_server_get_has_preshared_key(WhServer *self)
{
	g_return_val_if_fail(WH_IS_SERVER(self), FALSE);
	return self->has_preshared_key;
}

/* ---- From and to the wg-quick parser's structs ---------------------------------------------------- */

static GStrv prefix_texts(const struct wgconf_prefix *prefixes, size_t count)
{
	GStrv texts = g_new0(char *, count + 1);

	for (size_t i = 0; i < count; i++) {
		char text[WH_ADDRESS_TEXT_SIZE];

		wh_address_format_prefix(text, (uint16_t)prefixes[i].family, prefixes[i].addr, prefixes[i].cidr);
		texts[i] = g_strdup(text);
	}
	return texts;
}

WhServer *wh_server_new_from_wgconf(const struct wgconf *conf, const char *name, GError **error)
{
	const struct wgconf_peer *peer;
	char public_key[WH_KEY_BASE64_LEN + 1];
	g_auto(GStrv) addresses = NULL;
	g_auto(GStrv) allowed_ips = NULL;
	g_auto(GStrv) dns = NULL;
	g_autofree char *valid_name = NULL;

	g_return_val_if_fail(conf != NULL, NULL);
	if (conf->n_peers != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    ngettext("The file has %zu [Peer] section; a server’s file has exactly one",
				     "The file has %zu [Peer] sections; a server’s file has exactly one",
				     conf->n_peers),
			    conf->n_peers);
		return NULL;
	}
	peer = &conf->peers[0];
	if (peer->endpoint[0] == '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    _("The [Peer] section has no Endpoint: Wirehop would not know where to connect"));
		return NULL;
	}

	/* The name may come from a file name, which need not be UTF-8 as GKeyFile and GTK want. */
	valid_name = g_utf8_make_valid(name ? name : "", -1);
	wh_key_to_base64(public_key, peer->public_key);
	addresses = prefix_texts(conf->addresses, conf->n_addresses);
	allowed_ips = prefix_texts(peer->allowed_ips, peer->n_allowed_ips);
	/* Search domains are dropped: the helper routes all names through the tunnel's DNS (~.). */
	dns = g_new0(char *, conf->n_dns_servers + 1);
	for (size_t i = 0; i < conf->n_dns_servers; i++)
		dns[i] = g_strdup(conf->dns_servers[i]);

	return g_object_new(WH_TYPE_SERVER,
			    "name", valid_name,
			    "endpoint", peer->endpoint,
			    "public-key", public_key,
			    "addresses", addresses,
			    "dns", dns,
			    "allowed-ips", allowed_ips,
			    "mtu", (guint)conf->mtu,
			    "persistent-keepalive", (guint)peer->persistent_keepalive,
			    "has-preshared-key", (gboolean)peer->has_preshared_key,
			    NULL);
}

static gboolean field_error(GError **error, const char *field, const char *reason)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", field, reason);
	return FALSE;
}

/* Into memory that wgconf_free releases (it frees with free()). */
static gboolean parse_prefixes(const char *const *texts, struct wgconf_prefix **out, size_t *n_out,
			       const char *field, GError **error)
{
	size_t n = g_strv_length((char **)texts);

	if (n > WGCONF_MAX_LIST) {
		g_autofree char *reason = g_strdup_printf(_("has %zu entries, at most %d are allowed"), n,
							  WGCONF_MAX_LIST);
		return field_error(error, field, reason);
	}
	*out = calloc(n ? n : 1, sizeof(**out));
	g_assert(*out != NULL);
	*n_out = n;
	for (size_t i = 0; i < n; i++) {
		uint16_t family;
		const char *problem = wh_address_parse_prefix(&family, (*out)[i].addr, &(*out)[i].cidr, texts[i],
							      strlen(texts[i]));

		if (problem) {
			g_autofree char *item = g_strdup_printf("%s[%zu]", field, i);
			/* The problem is English from tunnel/uapi/address.c; profile.c marks its messages. */
			g_autofree char *reason = g_strdup_printf(_("“%.64s” is not an IP prefix (%s)"), texts[i],
								  _(problem));
			return field_error(error, item, reason);
		}
		(*out)[i].family = family;
	}
	return TRUE;
}

/* The server as the wg-quick parser would have left a file of it, without its secrets: what
 * wgconf_profile_build takes. conf must be zeroed; wgconf_free releases it on every path. */
static gboolean server_to_wgconf(WhServer *self, struct wgconf *conf, GError **error)
{
	struct wgconf_peer *peer;

	if (!parse_prefixes((const char *const *)self->addresses, &conf->addresses, &conf->n_addresses,
			    "addresses", error))
		return FALSE;
	if (g_strv_length(self->dns) > WGCONF_MAX_LIST) {
		g_autofree char *reason = g_strdup_printf(_("has %u entries, at most %d are allowed"),
							  g_strv_length(self->dns), WGCONF_MAX_LIST);
		return field_error(error, "dns", reason);
	}
	conf->n_dns_servers = g_strv_length(self->dns);
	conf->dns_servers = calloc(conf->n_dns_servers + 1, sizeof(char *));
	g_assert(conf->dns_servers != NULL);
	for (size_t i = 0; i < conf->n_dns_servers; i++)
		conf->dns_servers[i] = strdup(self->dns[i]);
	conf->mtu = self->mtu;

	conf->peers = calloc(1, sizeof(*conf->peers));
	g_assert(conf->peers != NULL);
	conf->n_peers = 1;
	peer = &conf->peers[0];
	if (self->public_key[0] == '\0')
		return field_error(error, "public-key", _("is missing"));
	if (!wh_key_from_base64(peer->public_key, self->public_key))
		return field_error(error, "public-key",
				   _("is not a base64 key of 32 bytes (44 characters ending in “=”)"));
	if (self->endpoint[0] == '\0')
		return field_error(error, "endpoint", _("is missing"));
	if (strlen(self->endpoint) >= sizeof(peer->endpoint))
		return field_error(error, "endpoint", _("is too long"));
	g_strlcpy(peer->endpoint, self->endpoint, sizeof(peer->endpoint));
	if (!parse_prefixes((const char *const *)self->allowed_ips, &peer->allowed_ips, &peer->n_allowed_ips,
			    "allowed-ips", error))
		return FALSE;
	if (self->persistent_keepalive > G_MAXUINT16) {
		g_autofree char *reason = g_strdup_printf(_("%u is above 65535 seconds"), self->persistent_keepalive);
		return field_error(error, "persistent-keepalive", reason);
	}
	peer->persistent_keepalive = (uint16_t)self->persistent_keepalive;
	return TRUE;
}

/* A base64 secret into the parsed form; the text is never echoed back (it is a secret). */
static gboolean parse_secret(const char *text, uint8_t key[WGCONF_KEY_SIZE], const char *field, GError **error)
{
	if (!wh_key_from_base64(key, text))
		return field_error(error, field, _("is not a base64 key of 32 bytes (44 characters ending in “=”)"));
	return TRUE;
}

static gboolean add_preshared_key(WhServer *self, struct wgconf *conf, const char *preshared_key, GError **error)
{
	g_autofree char *field = g_strdup_printf(_("the preshared key of “%s”"), self->name);

	if (!preshared_key) {
		if (self->has_preshared_key)
			return field_error(error, field, _("is not in the keyring"));
		return TRUE;
	}
	conf->peers[0].has_preshared_key = true;
	return parse_secret(preshared_key, conf->peers[0].preshared_key, field, error);
}

/* "Entry → Exit" for a multihop route, as long as it fits the profile's limit on names. */
static char *profile_name(WhServer *exit, WhServer *entry)
{
	g_autofree char *route = NULL;

	if (!entry)
		return g_strdup(exit->name);
	route = g_strdup_printf("%s → %s", entry->name, exit->name);
	if (strlen(route) > 256)
		return g_strdup(exit->name);
	return g_steal_pointer(&route);
}

GVariant *wh_server_build_profile(WhServer *exit, WhServer *entry, const char *private_key,
				  const char *exit_preshared_key, const char *entry_preshared_key, gboolean daita,
				  gboolean kill_switch, GError **error)
{
	struct wgconf exit_conf = {0};
	struct wgconf entry_conf = {0};
	g_autofree char *name = NULL;
	GVariant *profile = NULL;

	g_return_val_if_fail(WH_IS_SERVER(exit), NULL);
	g_return_val_if_fail(entry == NULL || WH_IS_SERVER(entry), NULL);
	g_return_val_if_fail(private_key != NULL, NULL);

	name = profile_name(exit, entry);
	if (server_to_wgconf(exit, &exit_conf, error) &&
	    parse_secret(private_key, exit_conf.private_key, _("private key"), error) &&
	    add_preshared_key(exit, &exit_conf, exit_preshared_key, error) &&
	    (!entry || (server_to_wgconf(entry, &entry_conf, error) &&
			add_preshared_key(entry, &entry_conf, entry_preshared_key, error)))) {
		struct wgconf_profile_options options = {
			.name = name,
			.entry = entry ? &entry_conf : NULL,
			.daita = daita,
			.kill_switch = kill_switch,
		};

		exit_conf.has_private_key = true;
		profile = wgconf_profile_build(&exit_conf, &options, error);
	}
	wgconf_free(&exit_conf);
	wgconf_free(&entry_conf);
	return profile;
}

/* The helper's validator names fields of the profile ("hops[0].endpoint: ..."); a single-hop profile
 * of one server has its fields under the same names as the server's properties once "hops[0]." goes. */
gboolean wh_server_validate(WhServer *self, GError **error)
{
	g_autoptr(GVariant) profile = NULL;
	g_autoptr(GError) local_error = NULL;
	struct profile *checked;
	const char *message;

	g_return_val_if_fail(WH_IS_SERVER(self), FALSE);
	/* The validator keeps keys in sodium_malloc memory, which needs libsodium started. */
	if (sodium_init() < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("libsodium cannot start"));
		return FALSE;
	}
	profile = wh_server_build_profile(self, NULL, DUMMY_PRIVATE_KEY,
					  self->has_preshared_key ? DUMMY_PRIVATE_KEY : NULL, NULL, FALSE, FALSE,
					  error);
	if (!profile)
		return FALSE;
	g_variant_ref_sink(profile);
	checked = profile_from_variant(profile, &local_error);
	if (checked) {
		profile_free(checked);
		return TRUE;
	}
	message = local_error->message;
	if (g_str_has_prefix(message, "hops[0]."))
		message += strlen("hops[0].");
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
	return FALSE;
}
