/* The Connect profile made from wg-quick files: exactly the keys and types docs/dbus-api.md lists,
 * hops in order, and errors that say which file is wrong. */
#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <sodium.h>

#include "profile.h"
#include "wgconf-profile.h"
#include "wgconf.h"

#define PRIVATE_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define EXIT_KEY "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q="
#define ENTRY_KEY "ycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+g="
#define PRESHARED_KEY "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaU="

#define INTERFACE                                                                                              \
	"[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.64.0.2/32, fc00:bbbb::2/128\n"                     \
	"DNS = 10.64.0.1, corp.example.com\n"

static const char exit_file[] = INTERFACE "[Peer]\n"
					  "PublicKey = " EXIT_KEY "\n"
					  "PresharedKey = " PRESHARED_KEY "\n"
					  "AllowedIPs = 0.0.0.0/0, ::/0\n"
					  "Endpoint = 185.65.134.66:51820\n"
					  "PersistentKeepalive = 25\n";

static void parse(const char *text, struct wgconf *conf)
{
	struct wgconf_diagnostics diag;

	if (wgconf_parse(text, strlen(text), conf, &diag) != 0)
		g_error("line %u: %s", diag.error_line, diag.error);
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The dictionary's "key:type" entries, sorted and joined with commas. */
static char *dict_signature(GVariant *dict)
{
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_assert_cmpstr(g_variant_get_type_string(dict), ==, "a{sv}");
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_ptr_array_add(entries, g_strdup_printf("%s:%s", key, g_variant_get_type_string(value)));
		g_variant_unref(value);
	}
	g_ptr_array_sort(entries, compare_strings);
	g_ptr_array_add(entries, NULL);
	return g_strjoinv(",", (char **)entries->pdata);
}

static void assert_signature(GVariant *dict, const char *expected)
{
	g_autofree char *signature = dict_signature(dict);

	g_assert_cmpstr(signature, ==, expected);
}

static void assert_string(GVariant *dict, const char *key, const char *expected)
{
	const char *value = NULL;

	g_assert_true(g_variant_lookup(dict, key, "&s", &value));
	g_assert_cmpstr(value, ==, expected);
}

static void assert_strings(GVariant *dict, const char *key, const char *expected)
{
	g_autofree const char **values = NULL;
	g_autofree char *joined = NULL;

	g_assert_true(g_variant_lookup(dict, key, "^a&s", &values));
	joined = g_strjoinv(" ", (char **)values);
	g_assert_cmpstr(joined, ==, expected);
}

static GVariant *hop(GVariant *profile, size_t index)
{
	g_autoptr(GVariant) hops = g_variant_lookup_value(profile, "hops", G_VARIANT_TYPE("aa{sv}"));

	g_assert_nonnull(hops);
	g_assert_cmpuint(index, <, g_variant_n_children(hops));
	return g_variant_get_child_value(hops, index);
}

static void test_single_hop(void)
{
	struct wgconf exit = {0};
	struct wgconf_profile_options options = {.name = "Gothenburg", .kill_switch = true};
	g_autoptr(GVariant) profile = NULL;
	g_autoptr(GVariant) exit_hop = NULL;
	g_autoptr(GVariant) hops = NULL;
	gboolean flag = FALSE;
	guint32 keepalive = 0;

	parse(exit_file, &exit);
	profile = g_variant_ref_sink(wgconf_profile_build(&exit, &options, NULL));
	assert_signature(profile, "addresses:as,daita:b,dns:as,hops:aa{sv},kill-switch:b,name:s,private-key:s");
	assert_string(profile, "name", "Gothenburg");
	assert_string(profile, "private-key", PRIVATE_KEY);
	assert_strings(profile, "addresses", "10.64.0.2/32 fc00:bbbb::2/128");
	/* corp.example.com is a search domain: the profile carries servers only. */
	assert_strings(profile, "dns", "10.64.0.1");
	g_assert_true(g_variant_lookup(profile, "kill-switch", "b", &flag));
	g_assert_true(flag);
	g_assert_true(g_variant_lookup(profile, "daita", "b", &flag));
	g_assert_false(flag);

	exit_hop = hop(profile, 0);
	assert_signature(exit_hop, "allowed-ips:as,endpoint:s,persistent-keepalive:u,preshared-key:s,public-key:s");
	assert_string(exit_hop, "public-key", EXIT_KEY);
	assert_string(exit_hop, "preshared-key", PRESHARED_KEY);
	assert_string(exit_hop, "endpoint", "185.65.134.66:51820");
	assert_strings(exit_hop, "allowed-ips", "0.0.0.0/0 ::/0");
	g_assert_true(g_variant_lookup(exit_hop, "persistent-keepalive", "u", &keepalive));
	g_assert_cmpuint(keepalive, ==, 25);
	hops = g_variant_lookup_value(profile, "hops", NULL);
	g_assert_cmpuint(g_variant_n_children(hops), ==, 1);
	wgconf_free(&exit);
}

static void test_optional_keys(void)
{
	static const char text[] = "[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.0.0.2/24\nMTU = 1380\n"
				   "DNS = lan\n"
				   "[Peer]\nPublicKey = " EXIT_KEY "\nEndpoint = [2001:db8::1]:51820\n"
				   "AllowedIPs = 10.0.0.0/24\nPersistentKeepalive = off\n";
	struct wgconf exit = {0};
	g_autoptr(GVariant) profile = NULL;
	g_autoptr(GVariant) exit_hop = NULL;
	guint32 mtu = 0;

	parse(text, &exit);
	profile = g_variant_ref_sink(wgconf_profile_build(&exit, NULL, NULL));
	assert_signature(profile,
			 "addresses:as,daita:b,dns:as,hops:aa{sv},kill-switch:b,mtu:u,name:s,private-key:s");
	assert_string(profile, "name", "exit");
	g_assert_true(g_variant_lookup(profile, "mtu", "u", &mtu));
	g_assert_cmpuint(mtu, ==, 1380);
	assert_strings(profile, "dns", "");
	exit_hop = hop(profile, 0);
	assert_signature(exit_hop, "allowed-ips:as,endpoint:s,public-key:s");
	assert_string(exit_hop, "endpoint", "[2001:db8::1]:51820");
	wgconf_free(&exit);
}

static void test_non_utf8_name(void)
{
	struct wgconf exit = {0};
	struct wgconf_profile_options options = {.name = "caf\xe9.conf"};
	g_autoptr(GVariant) profile = NULL;
	const char *name = NULL;

	parse(exit_file, &exit);
	profile = g_variant_ref_sink(wgconf_profile_build(&exit, &options, NULL));
	g_assert_true(g_variant_lookup(profile, "name", "&s", &name));
	g_assert_true(g_utf8_validate(name, -1, NULL));
	g_assert_true(g_str_has_prefix(name, "caf"));
	wgconf_free(&exit);
}

static GVariant *build_multihop(const char *exit_endpoint, struct wgconf *entry, struct wgconf *exit)
{
	g_autofree char *exit_text = g_strdup_printf(INTERFACE "[Peer]\nPublicKey = " EXIT_KEY "\n"
						     "AllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = %s\n",
						     exit_endpoint);
	struct wgconf_profile_options options = {.entry = entry, .daita = true};
	g_autoptr(GError) error = NULL;
	GVariant *profile;

	parse(INTERFACE "[Peer]\nPublicKey = " ENTRY_KEY "\nAllowedIPs = 0.0.0.0/0, ::/0\n"
			"Endpoint = se-got-wg-001.relays.example.net:3\n",
	      entry);
	parse(exit_text, exit);
	profile = wgconf_profile_build(exit, &options, &error);
	g_assert_no_error(error);
	return g_variant_ref_sink(profile);
}

static void test_multihop(void)
{
	static const struct {
		const char *exit_endpoint;
		const char *entry_allowed_ips;
	} cases[] = {
		{"185.65.134.66:51820", "185.65.134.66/32"},
		{"[2a03:1b20:1:f011::a01f]:51820", "2a03:1b20:1:f011::a01f/128"},
		/* A host name is resolved later: the entry file's AllowedIPs stand. */
		{"nl-ams-wg-002.relays.example.net:51820", "0.0.0.0/0 ::/0"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct wgconf entry = {0}, exit = {0};
		g_autoptr(GVariant) profile = build_multihop(cases[i].exit_endpoint, &entry, &exit);
		g_autoptr(GVariant) hops = g_variant_lookup_value(profile, "hops", G_VARIANT_TYPE("aa{sv}"));
		g_autoptr(GVariant) entry_hop = hop(profile, 0);
		g_autoptr(GVariant) exit_hop = hop(profile, 1);
		gboolean daita = FALSE;

		g_assert_cmpuint(g_variant_n_children(hops), ==, 2);
		g_assert_true(g_variant_lookup(profile, "daita", "b", &daita));
		g_assert_true(daita);
		assert_string(profile, "private-key", PRIVATE_KEY);
		assert_signature(entry_hop, "allowed-ips:as,endpoint:s,public-key:s");
		assert_string(entry_hop, "public-key", ENTRY_KEY);
		assert_string(entry_hop, "endpoint", "se-got-wg-001.relays.example.net:3");
		assert_strings(entry_hop, "allowed-ips", cases[i].entry_allowed_ips);
		assert_string(exit_hop, "public-key", EXIT_KEY);
		assert_string(exit_hop, "endpoint", cases[i].exit_endpoint);
		assert_strings(exit_hop, "allowed-ips", "0.0.0.0/0 ::/0");
		wgconf_free(&entry);
		wgconf_free(&exit);
	}
}

/* What the client builds, the helper takes: profile_from_variant is what Connect runs on it. */
static void test_helper_accepts(void)
{
	struct wgconf entry = {0}, exit = {0};
	g_autoptr(GVariant) multihop = build_multihop("185.65.134.66:51820", &entry, &exit);
	g_autoptr(GVariant) single_hop = g_variant_ref_sink(wgconf_profile_build(&exit, NULL, NULL));
	g_autoptr(GError) error = NULL;
	struct profile *profile;

	profile = profile_from_variant(single_hop, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(profile->n_hops, ==, 1);
	g_assert_cmpmem(profile->secrets->private_key, WGCONF_KEY_SIZE, exit.private_key, WGCONF_KEY_SIZE);
	profile_free(profile);

	profile = profile_from_variant(multihop, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(profile->n_hops, ==, 2);
	g_assert_cmpmem(profile->hops[0].public_key, WGCONF_KEY_SIZE, entry.peers[0].public_key, WGCONF_KEY_SIZE);
	g_assert_cmpstr(profile->hops[0].endpoint_host, ==, "se-got-wg-001.relays.example.net");
	g_assert_cmpuint(profile->hops[0].n_allowed_ips, ==, 1);
	g_assert_cmpuint(profile->hops[0].allowed_ips[0].cidr, ==, 32);
	g_assert_true(profile->daita);
	profile_free(profile);
	wgconf_free(&entry);
	wgconf_free(&exit);
}

static void assert_build_fails(const struct wgconf *exit, const struct wgconf *entry, const char *message)
{
	struct wgconf_profile_options options = {.entry = entry};
	g_autoptr(GError) error = NULL;

	g_assert_null(wgconf_profile_build(exit, &options, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message, ==, message);
}

static void test_errors(void)
{
	struct wgconf good = {0}, two_peers = {0}, no_endpoint = {0};

	parse(exit_file, &good);
	parse(INTERFACE "[Peer]\nPublicKey = " EXIT_KEY "\nEndpoint = 185.65.134.66:51820\n"
			"[Peer]\nPublicKey = " ENTRY_KEY "\nEndpoint = 185.65.134.67:51820\n",
	      &two_peers);
	parse(INTERFACE "[Peer]\nPublicKey = " EXIT_KEY "\nAllowedIPs = 0.0.0.0/0\n", &no_endpoint);

	assert_build_fails(&two_peers, NULL, "exit file: has 2 [Peer] sections; a server's file has exactly one");
	assert_build_fails(&no_endpoint, NULL, "exit file: its [Peer] has no Endpoint");
	assert_build_fails(&good, &two_peers, "entry file: has 2 [Peer] sections; a server's file has exactly one");
	assert_build_fails(&good, &no_endpoint, "entry file: its [Peer] has no Endpoint");
	wgconf_free(&good);
	wgconf_free(&two_peers);
	wgconf_free(&no_endpoint);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (sodium_init() < 0)
		g_error("libsodium did not start");
	g_test_add_func("/wgconf-profile/single-hop", test_single_hop);
	g_test_add_func("/wgconf-profile/optional-keys", test_optional_keys);
	g_test_add_func("/wgconf-profile/non-utf8-name", test_non_utf8_name);
	g_test_add_func("/wgconf-profile/multihop", test_multihop);
	g_test_add_func("/wgconf-profile/helper-accepts", test_helper_accepts);
	g_test_add_func("/wgconf-profile/errors", test_errors);
	return g_test_run();
}
