/* The display-free part of importing wg-quick files: realistic files in a temporary folder, the
 * servers and secrets they give, and the line-numbered messages the user would read. */
#include <string.h>

#include <glib/gstdio.h>

#include "wh-import.h"

#define PRIVATE_KEY "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define SERVER_KEY "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define PRESHARED_KEY "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

/* As Mullvad's configuration generator writes it. */
static const char mullvad_conf[] =
	"[Interface]\n"
	"# Device: Happy Otter\n"
	"PrivateKey = " PRIVATE_KEY "\n"
	"Address = 10.64.12.34/32,fc00:bbbb:bbbb:bb01::1:c21/128\n"
	"DNS = 10.64.0.1\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " SERVER_KEY "\n"
	"AllowedIPs = 0.0.0.0/0,::0/0\n"
	"Endpoint = 185.213.154.68:51820\n";

static const char scripts_conf[] =
	"[Interface]\n"                                       /* 1 */
	"PrivateKey = " PRIVATE_KEY "\n"                      /* 2 */
	"Address = 10.8.0.2/24\n"                             /* 3 */
	"DNS = 1.1.1.1, 2606:4700:4700::1111, home.lan\n"     /* 4 */
	"Table = off\n"                                       /* 5 */
	"PostUp = iptables -A FORWARD -i %i -j ACCEPT\n"      /* 6 */
	"MTU = 1380\n"                                        /* 7 */
	"\n"                                                  /* 8 */
	"[Peer]\n"                                            /* 9 */
	"PublicKey = " SERVER_KEY "\n"                        /* 10 */
	"PresharedKey = " PRESHARED_KEY "\n"                  /* 11 */
	"AllowedIPs = 10.8.0.0/24\n"                          /* 12 */
	"Endpoint = vpn.example.org:51820\n"                  /* 13 */
	"PersistentKeepalive = 25\n";                         /* 14 */

static const char bad_key_conf[] =
	"[Interface]\n"                    /* 1 */
	"PrivateKey = " PRIVATE_KEY "\n"   /* 2 */
	"Address = 10.8.0.2/32\n"          /* 3 */
	"\n"                               /* 4 */
	"# the server\n"                   /* 5 */
	"[Peer]\n"                         /* 6 */
	"PublicKey = not-a-key\n"          /* 7 */
	"AllowedIPs = 0.0.0.0/0\n"
	"Endpoint = 192.0.2.1:51820\n";

static const char crlf_conf[] =
	"[Interface]\r\n"
	"PrivateKey = " PRIVATE_KEY "\r\n"
	"Address = 10.64.12.34/32\r\n"
	"DNS = 10.64.0.1\r\n"
	"\r\n"
	"[Peer]\r\n"
	"PublicKey = " SERVER_KEY "\r\n"
	"PresharedKey = " PRESHARED_KEY "\r\n"
	"AllowedIPs = 0.0.0.0/0, ::/0\r\n"
	"Endpoint = [2001:db8::1]:51820\r\n";

typedef struct {
	char *dir;
} Fixture;

static void fixture_set_up(Fixture *fixture, gconstpointer data)
{
	(void)data;
	fixture->dir = g_dir_make_tmp("wirehop-import-XXXXXX", NULL);
	g_assert_nonnull(fixture->dir);
}

static void remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			remove_tree(child);
		}
	}
	g_remove(path);
}

static void fixture_tear_down(Fixture *fixture, gconstpointer data)
{
	(void)data;
	remove_tree(fixture->dir);
	g_free(fixture->dir);
}

static GFile *write_file(Fixture *fixture, const char *name, const char *text, gssize length)
{
	g_autofree char *path = g_build_filename(fixture->dir, name, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(path, text, length, &error));
	g_assert_no_error(error);
	return g_file_new_for_path(path);
}

static WhImportResult *import_text(Fixture *fixture, const char *name, const char *text)
{
	g_autoptr(GFile) file = write_file(fixture, name, text, -1);

	return wh_import_file(file, NULL);
}

static void assert_strv(const char *const *got, const char *const *expected)
{
	g_assert_cmpstrv(got, expected);
}

static void test_mullvad(Fixture *fixture, gconstpointer data)
{
	g_autoptr(WhImportResult) result = import_text(fixture, "mullvad-se-got-wg-001.conf", mullvad_conf);
	const char *addresses[] = {"10.64.12.34/32", "fc00:bbbb:bbbb:bb01::1:c21/128", NULL};
	const char *dns[] = {"10.64.0.1", NULL};
	const char *allowed[] = {"0.0.0.0/0", "::/0", NULL};

	(void)data;
	g_assert_null(result->error);
	g_assert_cmpstr(result->file_name, ==, "mullvad-se-got-wg-001.conf");
	g_assert_cmpuint(result->warnings->len, ==, 0);
	g_assert_nonnull(result->server);
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "mullvad-se-got-wg-001");
	g_assert_cmpstr(wh_server_get_endpoint(result->server), ==, "185.213.154.68:51820");
	g_assert_cmpstr(wh_server_get_public_key(result->server), ==, SERVER_KEY);
	assert_strv(wh_server_get_addresses(result->server), addresses);
	assert_strv(wh_server_get_dns(result->server), dns);
	assert_strv(wh_server_get_allowed_ips(result->server), allowed);
	g_assert_cmpuint(wh_server_get_mtu(result->server), ==, 0);
	g_assert_false(wh_server_get_has_preshared_key(result->server));
	g_assert_cmpstr(result->private_key, ==, PRIVATE_KEY);
	g_assert_null(result->preshared_key);
}

static void test_warnings(Fixture *fixture, gconstpointer data)
{
	g_autoptr(WhImportResult) result = import_text(fixture, "office.conf", scripts_conf);

	(void)data;
	g_assert_null(result->error);
	g_assert_nonnull(result->server);
	g_assert_cmpuint(result->warnings->len, ==, 2);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(result->warnings, 0), "office.conf line 5: Table is ignored"));
	g_assert_true(g_str_has_prefix(g_ptr_array_index(result->warnings, 1), "office.conf line 6: PostUp is ignored"));
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "office");
	g_assert_cmpstr(wh_server_get_endpoint(result->server), ==, "vpn.example.org:51820");
	g_assert_cmpuint(wh_server_get_mtu(result->server), ==, 1380);
	g_assert_cmpuint(wh_server_get_persistent_keepalive(result->server), ==, 25);
	g_assert_true(wh_server_get_has_preshared_key(result->server));
	g_assert_cmpstr(result->preshared_key, ==, PRESHARED_KEY);
	g_assert_cmpstr(result->private_key, ==, PRIVATE_KEY);
}

static void test_bad_key(Fixture *fixture, gconstpointer data)
{
	g_autoptr(WhImportResult) result = import_text(fixture, "broken.conf", bad_key_conf);

	(void)data;
	g_assert_null(result->server);
	g_assert_null(result->private_key);
	g_assert_nonnull(result->error);
	g_test_message("%s", result->error);
	g_assert_true(g_str_has_prefix(result->error, "broken.conf line 7: "));
	g_assert_nonnull(strstr(result->error, "not-a-key"));
}

static void test_crlf(Fixture *fixture, gconstpointer data)
{
	g_autoptr(WhImportResult) result = import_text(fixture, "windows.conf", crlf_conf);
	const char *allowed[] = {"0.0.0.0/0", "::/0", NULL};

	(void)data;
	g_assert_null(result->error);
	g_assert_cmpuint(result->warnings->len, ==, 0);
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "windows");
	g_assert_cmpstr(wh_server_get_endpoint(result->server), ==, "[2001:db8::1]:51820");
	g_assert_cmpstr(wh_server_get_public_key(result->server), ==, SERVER_KEY);
	assert_strv(wh_server_get_allowed_ips(result->server), allowed);
	g_assert_cmpstr(result->private_key, ==, PRIVATE_KEY);
	g_assert_cmpstr(result->preshared_key, ==, PRESHARED_KEY);
}

static void test_two_peers(Fixture *fixture, gconstpointer data)
{
	g_autofree char *text = g_strconcat(mullvad_conf, "\n[Peer]\nPublicKey = " PRESHARED_KEY "\n"
					    "AllowedIPs = 10.0.0.0/8\nEndpoint = 192.0.2.9:51820\n", NULL);
	g_autoptr(WhImportResult) result = import_text(fixture, "mesh.conf", text);

	(void)data;
	g_assert_null(result->server);
	g_assert_null(result->private_key);
	g_test_message("%s", result->error);
	g_assert_true(g_str_has_prefix(result->error, "mesh.conf: "));
}

static void test_folder(Fixture *fixture, gconstpointer data)
{
	g_autofree char *folder_path = g_build_filename(fixture->dir, "wireguard", NULL);
	g_autofree char *nested = g_build_filename(folder_path, "old.conf", NULL);
	g_autoptr(GFile) folder = g_file_new_for_path(folder_path);
	g_autoptr(GFile) single = write_file(fixture, "single.conf", mullvad_conf, -1);
	g_autoptr(GPtrArray) files = g_ptr_array_new();
	g_autoptr(GPtrArray) results = NULL;
	WhImportResult *result;

	(void)data;
	g_assert_cmpint(g_mkdir(folder_path, 0700), ==, 0);
	g_assert_cmpint(g_mkdir(nested, 0700), ==, 0); /* a folder named .conf is not a file */
	g_object_unref(write_file(fixture, "wireguard/se-got.conf", mullvad_conf, -1));
	g_object_unref(write_file(fixture, "wireguard/broken.conf", bad_key_conf, -1));
	g_object_unref(write_file(fixture, "wireguard/office.conf", scripts_conf, -1));
	g_object_unref(write_file(fixture, "wireguard/README.txt", "not a configuration\n", -1));
	g_object_unref(write_file(fixture, "wireguard/empty.conf", "", -1));

	g_ptr_array_add(files, folder);
	g_ptr_array_add(files, single);
	results = wh_import_files(files, NULL);

	g_assert_cmpuint(results->len, ==, 5);
	result = g_ptr_array_index(results, 0);
	g_assert_cmpstr(result->file_name, ==, "broken.conf");
	g_assert_true(g_str_has_prefix(result->error, "broken.conf line 7: "));
	result = g_ptr_array_index(results, 1);
	g_assert_cmpstr(result->file_name, ==, "empty.conf");
	g_assert_nonnull(result->error);
	g_assert_null(result->server);
	result = g_ptr_array_index(results, 2);
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "office");
	g_assert_cmpuint(result->warnings->len, ==, 2);
	result = g_ptr_array_index(results, 3);
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "se-got");
	result = g_ptr_array_index(results, 4);
	g_assert_cmpstr(wh_server_get_name(result->server), ==, "single");
	g_assert_null(result->error);
}

static void test_empty_folder(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GFile) folder = g_file_new_for_path(fixture->dir);
	g_autoptr(GPtrArray) files = g_ptr_array_new();
	g_autoptr(GPtrArray) results = NULL;
	WhImportResult *result;

	(void)data;
	g_object_unref(write_file(fixture, "notes.txt", "nothing\n", -1));
	g_ptr_array_add(files, folder);
	results = wh_import_files(files, NULL);
	g_assert_cmpuint(results->len, ==, 1);
	result = g_ptr_array_index(results, 0);
	g_assert_null(result->server);
	g_assert_nonnull(strstr(result->error, "no .conf files"));
}

static char *garbage(gsize length)
{
	char *bytes = g_malloc(length);
	g_autoptr(GRand) rand = g_rand_new_with_seed(6);

	for (gsize i = 0; i < length; i++)
		bytes[i] = (char)g_rand_int_range(rand, 0, 256);
	return bytes;
}

static void test_too_large(Fixture *fixture, gconstpointer data)
{
	g_autofree char *bytes = garbage(WH_IMPORT_MAX_FILE_SIZE + 1);
	g_autoptr(GFile) file = write_file(fixture, "huge.conf", bytes, WH_IMPORT_MAX_FILE_SIZE + 1);
	g_autoptr(WhImportResult) result = wh_import_file(file, NULL);

	(void)data;
	g_assert_null(result->server);
	g_assert_cmpstr(result->error, ==, "huge.conf: larger than 1 MiB, not a WireGuard configuration");
}

/* Exactly the limit is read and parsed: refused by the parser, with a line, not by its size. */
static void test_at_limit(Fixture *fixture, gconstpointer data)
{
	g_autofree char *bytes = garbage(WH_IMPORT_MAX_FILE_SIZE);
	g_autoptr(GFile) file = write_file(fixture, "limit.conf", bytes, WH_IMPORT_MAX_FILE_SIZE);
	g_autoptr(WhImportResult) result = wh_import_file(file, NULL);

	(void)data;
	g_assert_null(result->server);
	g_test_message("%s", result->error);
	g_assert_true(g_str_has_prefix(result->error, "limit.conf line "));
}

static void test_missing(Fixture *fixture, gconstpointer data)
{
	g_autofree char *path = g_build_filename(fixture->dir, "gone.conf", NULL);
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(WhImportResult) result = wh_import_file(file, NULL);

	(void)data;
	g_assert_null(result->server);
	g_assert_true(g_str_has_prefix(result->error, "gone.conf: "));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/import/mullvad", Fixture, NULL, fixture_set_up, test_mullvad, fixture_tear_down);
	g_test_add("/import/warnings", Fixture, NULL, fixture_set_up, test_warnings, fixture_tear_down);
	g_test_add("/import/bad-key", Fixture, NULL, fixture_set_up, test_bad_key, fixture_tear_down);
	g_test_add("/import/crlf", Fixture, NULL, fixture_set_up, test_crlf, fixture_tear_down);
	g_test_add("/import/two-peers", Fixture, NULL, fixture_set_up, test_two_peers, fixture_tear_down);
	g_test_add("/import/folder", Fixture, NULL, fixture_set_up, test_folder, fixture_tear_down);
	g_test_add("/import/empty-folder", Fixture, NULL, fixture_set_up, test_empty_folder, fixture_tear_down);
	g_test_add("/import/too-large", Fixture, NULL, fixture_set_up, test_too_large, fixture_tear_down);
	g_test_add("/import/at-limit", Fixture, NULL, fixture_set_up, test_at_limit, fixture_tear_down);
	g_test_add("/import/missing", Fixture, NULL, fixture_set_up, test_missing, fixture_tear_down);
	return g_test_run();
}
