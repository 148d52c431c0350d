/* The app's servers: WhServer from wg-quick files, its validation and Connect profile (checked by the
 * helper's own validator), and the GKeyFile store: round trip, no secrets, damaged files left alone. */
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "profile.h"
#include "wgconf.h"
#include "wh-server-store.h"
#include "wh-server.h"

#define PRIVATE_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define EXIT_KEY "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q="
#define ENTRY_KEY "ycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+g="
#define PRESHARED_KEY "paWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaU="

/* As a provider hands it out, with Windows line ends, comments and a search domain. */
static const char provider_file[] =
	"# Wirehop test server, Zürich\r\n"
	"[Interface]\r\n"
	"PrivateKey = " PRIVATE_KEY "\r\n"
	"Address = 10.64.0.2/32, fc00:bbbb:bbbb:bb01::2/128\r\n"
	"DNS = 10.64.0.1, 2001:db8::53, corp.example.com\r\n"
	"MTU = 1380\r\n"
	"\r\n"
	"[Peer]\r\n"
	"# ch-zrh-wg-001\r\n"
	"PublicKey = " EXIT_KEY "\r\n"
	"PresharedKey = " PRESHARED_KEY "\r\n"
	"AllowedIPs = 0.0.0.0/0, ::/0\r\n"
	"Endpoint = [2001:db8:1::66]:51820\r\n"
	"PersistentKeepalive = 25\r\n";

static const char two_peers_file[] = "[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.64.0.2/32\n"
				     "[Peer]\nPublicKey = " EXIT_KEY "\nAllowedIPs = 0.0.0.0/0\n"
				     "Endpoint = 192.0.2.1:51820\n"
				     "[Peer]\nPublicKey = " ENTRY_KEY "\nAllowedIPs = ::/0\n"
				     "Endpoint = 192.0.2.2:51820\n";

static const char no_endpoint_file[] = "[Interface]\nPrivateKey = " PRIVATE_KEY "\nAddress = 10.64.0.2/32\n"
				       "[Peer]\nPublicKey = " EXIT_KEY "\nAllowedIPs = 0.0.0.0/0\n";

static void parse(const char *text, struct wgconf *conf)
{
	struct wgconf_diagnostics diag;

	if (wgconf_parse(text, strlen(text), conf, &diag) != 0)
		g_error("line %u: %s", diag.error_line, diag.error);
}

static WhServer *exit_server(void)
{
	const char *addresses[] = {"10.64.0.2/32", "fc00:bbbb::2/128", NULL};
	const char *dns[] = {"10.64.0.1", "2001:db8::53", NULL};
	const char *allowed_ips[] = {"0.0.0.0/0", "::/0", NULL};

	return g_object_new(WH_TYPE_SERVER, "name", "Zürich – Ёлка 東京", "endpoint", "[2001:db8:1::66]:51820",
			    "public-key", EXIT_KEY, "addresses", addresses, "dns", dns, "allowed-ips", allowed_ips,
			    "mtu", 1380u, "persistent-keepalive", 25u, "has-preshared-key", TRUE, NULL);
}

static WhServer *entry_server(const char *endpoint)
{
	const char *addresses[] = {"10.64.0.2/32", NULL};
	const char *allowed_ips[] = {"0.0.0.0/0", NULL};

	return g_object_new(WH_TYPE_SERVER, "name", "Stockholm", "endpoint", endpoint, "public-key", ENTRY_KEY,
			    "addresses", addresses, "allowed-ips", allowed_ips, NULL);
}

static char *make_temp_dir(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("wh-server-store-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

static void remove_tree(const char *path)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileEnumerator) children =
		g_file_enumerate_children(file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
					  NULL, NULL);
	GFileInfo *info;

	while (children && (info = g_file_enumerator_next_file(children, NULL, NULL))) {
		g_autofree char *child = g_build_filename(path, g_file_info_get_name(info), NULL);

		remove_tree(child);
		g_object_unref(info);
	}
	g_remove(path);
}

static char *read_text(const char *path)
{
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	return text;
}

static void write_text(const char *path, const char *text)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
}

/* Every property of a and b is equal. */
static void assert_same_server(WhServer *a, WhServer *b)
{
	guint n;
	g_autofree GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(a), &n);

	for (guint i = 0; i < n; i++) {
		g_auto(GValue) value_a = G_VALUE_INIT;
		g_auto(GValue) value_b = G_VALUE_INIT;

		g_object_get_property(G_OBJECT(a), specs[i]->name, &value_a);
		g_object_get_property(G_OBJECT(b), specs[i]->name, &value_b);
		if (G_VALUE_HOLDS(&value_a, G_TYPE_STRV)) {
			g_assert_true(g_strv_equal(g_value_get_boxed(&value_a), g_value_get_boxed(&value_b)));
		} else {
			g_autofree char *text_a = g_strdup_value_contents(&value_a);
			g_autofree char *text_b = g_strdup_value_contents(&value_b);

			g_test_message("%s: %s", specs[i]->name, text_a);
			g_assert_cmpstr(text_a, ==, text_b);
		}
	}
}

static void count_notify(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	GPtrArray *names = user_data;

	(void)object;
	g_ptr_array_add(names, g_strdup(pspec->name));
}

static void test_new_server_has_uuid_and_notifies(void)
{
	g_autoptr(WhServer) server = wh_server_new("Home");
	g_autoptr(WhServer) other = wh_server_new("Home");
	g_autoptr(WhServer) given = g_object_new(WH_TYPE_SERVER, "id", "kept-id", NULL);
	g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func(g_free);
	const char *dns[] = {"10.64.0.1", NULL};

	g_assert_true(g_uuid_string_is_valid(wh_server_get_id(server)));
	g_assert_cmpstr(wh_server_get_id(server), !=, wh_server_get_id(other));
	g_assert_cmpstr(wh_server_get_id(given), ==, "kept-id");
	g_assert_cmpuint(g_strv_length((char **)wh_server_get_addresses(server)), ==, 0);

	g_signal_connect(server, "notify", G_CALLBACK(count_notify), notified);
	g_object_set(server, "name", "Home", "addresses", NULL, NULL); /* unchanged */
	g_assert_cmpuint(notified->len, ==, 0);
	g_object_set(server, "name", "Work", "mtu", 1400u, "dns", dns, NULL);
	g_assert_cmpuint(notified->len, ==, 3);
	g_object_set(server, "mtu", 1400u, "dns", dns, NULL);
	g_assert_cmpuint(notified->len, ==, 3);
	g_assert_cmpstr(wh_server_get_name(server), ==, "Work");
	g_assert_cmpstr(wh_server_get_dns(server)[0], ==, "10.64.0.1");
}

static void test_round_trip(void)
{
	g_autofree char *dir = make_temp_dir();
	g_autofree char *path = g_build_filename(dir, "config", "wirehop", "servers.ini", NULL);
	g_autofree char *parent = g_path_get_dirname(path);
	g_autoptr(WhServerStore) store = wh_server_store_new(path);
	g_autoptr(WhServerStore) again = wh_server_store_new(path);
	g_autoptr(WhServer) zurich = exit_server();
	g_autoptr(WhServer) quoted = entry_server("vpn.example.net:443");
	g_autoptr(WhServer) plain = entry_server("192.0.2.7:51820");
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	GStatBuf info;
	GListModel *model;

	g_object_set(quoted, "name", " Leading space; semi;colons, \\ and a\nnewline", "dns", NULL, NULL);
	g_assert_true(wh_server_store_load(store, &error)); /* no file yet: an empty list */
	g_assert_no_error(error);
	g_assert_cmpuint(g_list_model_get_n_items(wh_server_store_get_model(store)), ==, 0);
	wh_server_store_add(store, zurich);
	wh_server_store_add(store, quoted);
	wh_server_store_add(store, plain);
	g_assert_true(wh_server_store_save(store, &error));
	g_assert_no_error(error);

	g_assert_cmpint(g_stat(path, &info), ==, 0);
	g_assert_cmpint(info.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(parent, &info), ==, 0);
	g_assert_cmpint(info.st_mode & 0777, ==, 0700);
	text = read_text(path);
	g_test_message("%s", text);
	g_assert_null(strstr(text, "\nPrivateKey"));
	g_assert_null(strstr(text, "\nPresharedKey"));
	g_assert_null(strstr(text, PRIVATE_KEY));
	g_assert_nonnull(strstr(text, EXIT_KEY));

	g_assert_true(wh_server_store_load(again, &error));
	g_assert_no_error(error);
	model = wh_server_store_get_model(again);
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 3);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(WhServer) saved = g_list_model_get_item(wh_server_store_get_model(store), i);
		g_autoptr(WhServer) loaded = g_list_model_get_item(model, i);

		assert_same_server(saved, loaded);
	}
	remove_tree(dir);
}

/* Keys a later version may write survive a save; secret keys someone typed into the file do not. */
static void test_unknown_keys_kept_secrets_dropped(void)
{
	g_autofree char *dir = make_temp_dir();
	g_autofree char *path = g_build_filename(dir, "servers.ini", NULL);
	g_autoptr(WhServerStore) store = wh_server_store_new(path);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	write_text(path, "[3f1c2a4e-0000-4000-8000-000000000001]\n"
			 "Name=Hand-edited\n"
			 "Endpoint=192.0.2.1:51820\n"
			 "PublicKey=" EXIT_KEY "\n"
			 "Address=10.64.0.2/32;\n"
			 "FutureOption=blue\n"
			 "PrivateKey=" PRIVATE_KEY "\n"
			 "PresharedKey=" PRESHARED_KEY "\n");
	g_assert_true(wh_server_store_load(store, &error));
	g_assert_no_error(error);
	g_assert_nonnull(wh_server_store_find(store, "3f1c2a4e-0000-4000-8000-000000000001"));
	g_assert_true(wh_server_store_save(store, &error));
	g_assert_no_error(error);
	text = read_text(path);
	g_assert_nonnull(strstr(text, "FutureOption=blue\n"));
	g_assert_null(strstr(text, "\nPrivateKey"));
	g_assert_null(strstr(text, PRIVATE_KEY));
	g_assert_null(strstr(text, PRESHARED_KEY));
	remove_tree(dir);
}

/* A damaged file: the error names the line (or the group and key); the store then refuses to save,
 * and the file stays byte for byte as it was. */
static void check_damaged(const char *contents, const char *expected)
{
	g_autofree char *dir = make_temp_dir();
	g_autofree char *path = g_build_filename(dir, "servers.ini", NULL);
	g_autoptr(WhServerStore) store = wh_server_store_new(path);
	g_autoptr(WhServer) server = wh_server_new("New");
	g_autoptr(GError) error = NULL;
	g_autofree char *after = NULL;

	write_text(path, contents);
	g_assert_false(wh_server_store_load(store, &error));
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, expected));
	g_clear_error(&error);

	wh_server_store_add(store, server);
	g_assert_false(wh_server_store_save(store, &error));
	g_assert_nonnull(error);
	after = read_text(path);
	g_assert_cmpstr(after, ==, contents);
	remove_tree(dir);
}

static void test_damaged_file_refused(void)
{
	check_damaged("[a]\nName=One\nEndpoint=192.0.2.1:51820\n\nthis line is no key\n[b]\nName=Two\n",
		      "line 5");
	check_damaged("Name=before any group\n", "line 1");
	check_damaged("[a]\nName=One\n[b]\nName=Two\nMTU=big\n", "group [b], key MTU");
	check_damaged("[a]\nName=One\nHasPresharedKey=perhaps\n", "group [a], key HasPresharedKey");
	check_damaged("[a]\nEndpoint=192.0.2.1:51820\n", "group [a], key Name");
	check_damaged("[a]\nName=One\nPersistentKeepalive=-1\n", "key PersistentKeepalive");
}

static void test_save_before_load_refused(void)
{
	g_autofree char *dir = make_temp_dir();
	g_autofree char *path = g_build_filename(dir, "servers.ini", NULL);
	g_autoptr(WhServerStore) store = wh_server_store_new(path);
	g_autoptr(WhServer) server = wh_server_new("New");
	g_autoptr(GError) error = NULL;

	wh_server_store_add(store, server);
	g_assert_false(wh_server_store_save(store, &error));
	g_assert_nonnull(error);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	remove_tree(dir);
}

static void test_default_path(void)
{
	g_autofree char *expected = g_build_filename(g_getenv("XDG_CONFIG_HOME"), "wirehop", "servers.ini", NULL);
	g_autoptr(WhServerStore) store = wh_server_store_new(NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(wh_server_store_load(store, &error));
	g_assert_true(wh_server_store_save(store, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_test(expected, G_FILE_TEST_IS_REGULAR));
}

static void test_find_add_remove(void)
{
	g_autoptr(WhServerStore) store = wh_server_store_new("/nonexistent/servers.ini");
	g_autoptr(WhServer) a = wh_server_new("A");
	g_autoptr(WhServer) b = wh_server_new("B");
	g_autoptr(WhServer) c = wh_server_new("C");
	g_autoptr(WhServer) b_edited = g_object_new(WH_TYPE_SERVER, "id", wh_server_get_id(b), "name", "B2", NULL);
	GListModel *model = wh_server_store_get_model(store);

	wh_server_store_add(store, a);
	wh_server_store_add(store, b);
	wh_server_store_add(store, c);
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 3);
	g_assert_true(wh_server_store_find(store, wh_server_get_id(b)) == b);
	g_assert_null(wh_server_store_find(store, "no-such-id"));

	wh_server_store_add(store, b_edited); /* same id: replaces in place */
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 3);
	g_assert_true(wh_server_store_find(store, wh_server_get_id(b)) == b_edited);

	wh_server_store_remove(store, wh_server_get_id(b));
	g_assert_null(wh_server_store_find(store, wh_server_get_id(b)));
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 2);
	wh_server_store_remove(store, "no-such-id");
	g_assert_cmpuint(g_list_model_get_n_items(model), ==, 2);
	g_assert_true(wh_server_store_find(store, wh_server_get_id(a)) == a);
	g_assert_true(wh_server_store_find(store, wh_server_get_id(c)) == c);
}

static void assert_strv(const char *const *values, const char *expected)
{
	g_autofree char *joined = g_strjoinv(",", (char **)values);

	g_assert_cmpstr(joined, ==, expected);
}

/* No property of the server holds the file's secrets. */
static void assert_no_secret(WhServer *server)
{
	guint n;
	g_autofree GParamSpec **specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(server), &n);

	for (guint i = 0; i < n; i++) {
		g_auto(GValue) value = G_VALUE_INIT;
		g_autofree char *text = NULL;

		g_object_get_property(G_OBJECT(server), specs[i]->name, &value);
		text = g_strdup_value_contents(&value);
		g_assert_null(strstr(text, PRIVATE_KEY));
		g_assert_null(strstr(text, PRESHARED_KEY));
	}
}

static void test_from_wgconf(void)
{
	struct wgconf conf = {0};
	struct wgconf empty = {0};
	g_autoptr(WhServer) server = NULL;
	g_autoptr(GError) error = NULL;

	parse(provider_file, &conf);
	server = wh_server_new_from_wgconf(&conf, "ch-zrh-wg-001", &error);
	g_assert_no_error(error);
	g_assert_true(g_uuid_string_is_valid(wh_server_get_id(server)));
	g_assert_cmpstr(wh_server_get_name(server), ==, "ch-zrh-wg-001");
	g_assert_cmpstr(wh_server_get_endpoint(server), ==, "[2001:db8:1::66]:51820");
	g_assert_cmpstr(wh_server_get_public_key(server), ==, EXIT_KEY);
	assert_strv(wh_server_get_addresses(server), "10.64.0.2/32,fc00:bbbb:bbbb:bb01::2/128");
	assert_strv(wh_server_get_dns(server), "10.64.0.1,2001:db8::53");
	assert_strv(wh_server_get_allowed_ips(server), "0.0.0.0/0,::/0");
	g_assert_cmpuint(wh_server_get_mtu(server), ==, 1380);
	g_assert_cmpuint(wh_server_get_persistent_keepalive(server), ==, 25);
	g_assert_true(wh_server_get_has_preshared_key(server));
	assert_no_secret(server);
	g_assert_true(wh_server_validate(server, &error));
	g_assert_no_error(error);
	g_clear_object(&server);

	/* A name from a file name that is not UTF-8 becomes valid text (GKeyFile would refuse it). */
	server = wh_server_new_from_wgconf(&conf, "caf\xe9.conf", &error);
	g_assert_no_error(error);
	g_assert_true(g_utf8_validate(wh_server_get_name(server), -1, NULL));
	g_assert_true(g_str_has_prefix(wh_server_get_name(server), "caf"));
	wgconf_free(&conf);

	g_assert_null(wh_server_new_from_wgconf(&empty, "none", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "0 [Peer]"));
	g_clear_error(&error);

	parse(two_peers_file, &conf);
	g_assert_null(wh_server_new_from_wgconf(&conf, "two", &error));
	g_assert_nonnull(strstr(error->message, "2 [Peer]"));
	g_clear_error(&error);
	wgconf_free(&conf);

	parse(no_endpoint_file, &conf);
	g_assert_null(wh_server_new_from_wgconf(&conf, "nowhere", &error));
	g_assert_nonnull(strstr(error->message, "Endpoint"));
	wgconf_free(&conf);
}

/* One property set to a bad value; the error starts with the name of the field. */
static void check_invalid(const char *property, const GValue *value, const char *expected)
{
	g_autoptr(WhServer) server = exit_server();
	g_autoptr(GError) error = NULL;

	g_object_set_property(G_OBJECT(server), property, value);
	g_assert_false(wh_server_validate(server, &error));
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
	g_assert_true(g_str_has_prefix(error->message, expected));
}

static void check_invalid_string(const char *property, const char *value, const char *expected)
{
	g_auto(GValue) gvalue = G_VALUE_INIT;

	g_value_init(&gvalue, G_TYPE_STRING);
	g_value_set_string(&gvalue, value);
	check_invalid(property, &gvalue, expected);
}

static void check_invalid_strv(const char *property, const char *const *value, const char *expected)
{
	g_auto(GValue) gvalue = G_VALUE_INIT;

	g_value_init(&gvalue, G_TYPE_STRV);
	g_value_set_boxed(&gvalue, value);
	check_invalid(property, &gvalue, expected);
}

static void check_invalid_uint(const char *property, guint value, const char *expected)
{
	g_auto(GValue) gvalue = G_VALUE_INIT;

	g_value_init(&gvalue, G_TYPE_UINT);
	g_value_set_uint(&gvalue, value);
	check_invalid(property, &gvalue, expected);
}

static void test_validate_names_field(void)
{
	g_autoptr(WhServer) good = exit_server();
	g_autoptr(GError) error = NULL;

	g_assert_true(wh_server_validate(good, &error));
	g_assert_no_error(error);

	check_invalid_string("name", "", "name: is empty");
	check_invalid_string("name", "tab\there", "name:");
	check_invalid_string("endpoint", "", "endpoint: is missing");
	check_invalid_string("endpoint", "192.0.2.1", "endpoint:");
	check_invalid_string("endpoint", "2001:db8::1:51820", "endpoint:");
	check_invalid_string("endpoint", "192.0.2.1:0", "endpoint:");
	check_invalid_string("endpoint", "bad host!:51820", "endpoint:");
	check_invalid_string("public-key", "", "public-key: is missing");
	check_invalid_string("public-key", "AAAA", "public-key:");
	check_invalid_strv("addresses", (const char *[]){NULL}, "addresses: is empty");
	check_invalid_strv("addresses", (const char *[]){"10.64.0.2/32", "10.64.0.300/32", NULL}, "addresses[1]:");
	check_invalid_strv("addresses", (const char *[]){"10.64.0.2/33", NULL}, "addresses[0]:");
	check_invalid_strv("dns", (const char *[]){"10.64.0.1", "corp.example.com", NULL}, "dns[1]:");
	check_invalid_strv("allowed-ips", (const char *[]){NULL}, "allowed-ips: is empty");
	check_invalid_strv("allowed-ips", (const char *[]){"0.0.0.0", NULL}, "allowed-ips[0]:");
	check_invalid_uint("mtu", 576, "mtu:");
	check_invalid_uint("mtu", 9000, "mtu:");
	check_invalid_uint("persistent-keepalive", 70000, "persistent-keepalive:");
}

static struct profile *check_profile(GVariant *profile)
{
	g_autoptr(GError) error = NULL;
	struct profile *checked;

	g_assert_nonnull(profile);
	checked = profile_from_variant(profile, &error);
	g_assert_no_error(error);
	return checked;
}

static void assert_hop_strings(GVariant *hop, const char *key, const char *expected)
{
	g_autofree const char **values = NULL;
	g_autofree char *joined = NULL;

	g_assert_true(g_variant_lookup(hop, key, "^a&s", &values));
	joined = g_strjoinv(",", (char **)values);
	g_assert_cmpstr(joined, ==, expected);
}

static void test_build_single_hop(void)
{
	g_autoptr(WhServer) server = exit_server();
	g_autoptr(GVariant) profile = NULL;
	g_autoptr(GVariant) hops = NULL;
	g_autoptr(GVariant) hop = NULL;
	g_autoptr(GError) error = NULL;
	struct profile *checked;
	const char *text;

	profile = wh_server_build_profile(server, NULL, PRIVATE_KEY, PRESHARED_KEY, NULL, FALSE, TRUE, &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_is_floating(profile));
	g_variant_ref_sink(profile);
	checked = check_profile(profile);
	g_assert_cmpuint(checked->n_hops, ==, 1);
	g_assert_cmpuint(checked->mtu, ==, 1380);
	g_assert_true(checked->kill_switch);
	g_assert_false(checked->daita);
	g_assert_true(checked->hops[0].has_preshared_key);
	g_assert_cmpstr(checked->hops[0].endpoint_host, ==, "2001:db8:1::66");
	g_assert_cmpuint(checked->hops[0].persistent_keepalive, ==, 25);
	g_assert_cmpuint(checked->n_addresses, ==, 2);
	g_assert_cmpstr(checked->dns[1], ==, "2001:db8::53");
	profile_free(checked);

	g_assert_true(g_variant_lookup(profile, "private-key", "&s", &text));
	g_assert_cmpstr(text, ==, PRIVATE_KEY);
	g_assert_true(g_variant_lookup(profile, "name", "&s", &text));
	g_assert_cmpstr(text, ==, "Zürich – Ёлка 東京");
	hops = g_variant_lookup_value(profile, "hops", G_VARIANT_TYPE("aa{sv}"));
	hop = g_variant_get_child_value(hops, 0);
	g_assert_true(g_variant_lookup(hop, "preshared-key", "&s", &text));
	g_assert_cmpstr(text, ==, PRESHARED_KEY);
	assert_hop_strings(hop, "allowed-ips", "0.0.0.0/0,::/0");

	/* The server says it has a preshared key but none was found: no silent connect without it. */
	g_assert_null(wh_server_build_profile(server, NULL, PRIVATE_KEY, NULL, NULL, FALSE, FALSE, &error));
	g_assert_nonnull(strstr(error->message, "preshared key"));
	g_clear_error(&error);
	/* A damaged private key is reported without its text. */
	g_assert_null(wh_server_build_profile(server, NULL, "not a key", PRESHARED_KEY, NULL, FALSE, FALSE, &error));
	g_assert_nonnull(strstr(error->message, "private key"));
	g_assert_null(strstr(error->message, "not a key"));
}

static void test_build_multihop(void)
{
	g_autoptr(WhServer) exit = exit_server();
	g_autoptr(WhServer) entry = entry_server("198.51.100.9:51820");
	g_autoptr(WhServer) named_exit = exit_server();
	g_autoptr(GVariant) profile = NULL;
	g_autoptr(GVariant) hops = NULL;
	g_autoptr(GVariant) first = NULL;
	g_autoptr(GVariant) second = NULL;
	g_autoptr(GError) error = NULL;
	struct profile *checked;
	const char *text;

	profile = wh_server_build_profile(exit, entry, PRIVATE_KEY, PRESHARED_KEY, NULL, TRUE, FALSE, &error);
	g_assert_no_error(error);
	g_variant_ref_sink(profile);
	checked = check_profile(profile);
	g_assert_cmpuint(checked->n_hops, ==, 2);
	g_assert_true(checked->daita);
	g_assert_cmpstr(checked->hops[0].endpoint_host, ==, "198.51.100.9");
	g_assert_cmpstr(checked->hops[1].endpoint_host, ==, "2001:db8:1::66");
	g_assert_false(checked->hops[0].has_preshared_key);
	g_assert_true(checked->hops[1].has_preshared_key);
	profile_free(checked);

	g_assert_true(g_variant_lookup(profile, "name", "&s", &text));
	g_assert_cmpstr(text, ==, "Stockholm → Zürich – Ёлка 東京");
	hops = g_variant_lookup_value(profile, "hops", G_VARIANT_TYPE("aa{sv}"));
	first = g_variant_get_child_value(hops, 0);
	second = g_variant_get_child_value(hops, 1);
	g_assert_true(g_variant_lookup(first, "public-key", "&s", &text));
	g_assert_cmpstr(text, ==, ENTRY_KEY);
	g_assert_true(g_variant_lookup(second, "public-key", "&s", &text));
	g_assert_cmpstr(text, ==, EXIT_KEY);
	/* The entry carries only the exit server's own address (an IPv6 literal: /128). */
	assert_hop_strings(first, "allowed-ips", "2001:db8:1::66/128");
	g_clear_pointer(&profile, g_variant_unref);
	g_clear_pointer(&hops, g_variant_unref);
	g_clear_pointer(&first, g_variant_unref);

	/* An exit known by host name: the entry's own AllowedIPs stand in, as for wirehopctl. */
	g_object_set(named_exit, "endpoint", "zrh.example.net:51820", NULL);
	profile = g_variant_ref_sink(
		wh_server_build_profile(named_exit, entry, PRIVATE_KEY, PRESHARED_KEY, NULL, FALSE, FALSE, &error));
	g_assert_no_error(error);
	checked = check_profile(profile);
	profile_free(checked);
	hops = g_variant_lookup_value(profile, "hops", G_VARIANT_TYPE("aa{sv}"));
	first = g_variant_get_child_value(hops, 0);
	assert_hop_strings(first, "allowed-ips", "0.0.0.0/0");
}

int main(int argc, char **argv)
{
	g_autofree char *config_home = make_temp_dir();
	int status;

	/* Before GLib first reads it: the default store path must land in the temporary directory. */
	g_setenv("XDG_CONFIG_HOME", config_home, TRUE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/new", test_new_server_has_uuid_and_notifies);
	g_test_add_func("/server/from-wgconf", test_from_wgconf);
	g_test_add_func("/server/validate", test_validate_names_field);
	g_test_add_func("/server/profile-single-hop", test_build_single_hop);
	g_test_add_func("/server/profile-multihop", test_build_multihop);
	g_test_add_func("/store/round-trip", test_round_trip);
	g_test_add_func("/store/unknown-keys", test_unknown_keys_kept_secrets_dropped);
	g_test_add_func("/store/damaged", test_damaged_file_refused);
	g_test_add_func("/store/save-before-load", test_save_before_load_refused);
	g_test_add_func("/store/default-path", test_default_path);
	g_test_add_func("/store/find-add-remove", test_find_add_remove);
	status = g_test_run();
	remove_tree(config_home);
	return status;
}
