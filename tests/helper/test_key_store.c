/* The key store against a real gnome-keyring-daemon: the program re-runs itself under
 * dbus-run-session with HOME and the XDG directories in a temporary directory, unlocks a fresh login
 * keyring there, and checks round trips, absent keys, key generation against `wg pubkey`, and that no
 * key text reaches a file. */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "wh-key-store.h"

/* Set in the re-run program: the temporary HOME the outer program made. */
#define INNER_ENV "WH_KEY_STORE_TEST_HOME"

enum {
	BUS_NAME_TIMEOUT_S = 30,
};

/* A private key and its public key as `wg pubkey` printed it when this test was written; the test
 * asks wg again as well. */
#define FIXED_PRIVATE "6HTPbEyl5QdB96bW7T1GwN1A+H2zGcY/lmXKj9YUnFo="
#define FIXED_PUBLIC "pNZbD69T/iYCTfS6pKlCaE8qYfUQbXdvPDivM35QPGQ="

static GSubprocess *keyring_daemon;

static void die_with_parent(gpointer user_data)
{
	(void)user_data;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* ---- the outer program: a temporary HOME and a private session bus ------------------------------- */

static void remove_tree(const char *path)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileEnumerator) children = g_file_enumerate_children(
		file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
	GFileInfo *info;

	while (children && (info = g_file_enumerator_next_file(children, NULL, NULL))) {
		g_autofree char *child = g_build_filename(path, g_file_info_get_name(info), NULL);

		if (g_file_info_get_file_type(info) == G_FILE_TYPE_DIRECTORY)
			remove_tree(child);
		else
			g_remove(child);
		g_object_unref(info);
	}
	g_remove(path);
}

static int run_outer(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *home = g_dir_make_tmp("wh-key-store-XXXXXX", &error);
	g_autofree char *runtime = NULL;
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GSubprocess) inner = NULL;
	int status = 1;

	g_assert_no_error(error);
	runtime = g_build_filename(home, "runtime", NULL);
	g_assert_cmpint(g_mkdir(runtime, 0700), ==, 0);
	g_subprocess_launcher_setenv(launcher, INNER_ENV, home, TRUE);
	g_subprocess_launcher_setenv(launcher, "HOME", home, TRUE);
	g_subprocess_launcher_setenv(launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
	g_subprocess_launcher_unsetenv(launcher, "XDG_DATA_HOME");
	g_subprocess_launcher_unsetenv(launcher, "XDG_CONFIG_HOME");
	g_subprocess_launcher_unsetenv(launcher, "XDG_CACHE_HOME");
	g_subprocess_launcher_unsetenv(launcher, "DBUS_SESSION_BUS_ADDRESS");
	g_subprocess_launcher_unsetenv(launcher, "GNOME_KEYRING_CONTROL");
	g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);

	g_ptr_array_add(args, "dbus-run-session");
	g_ptr_array_add(args, "--");
	for (int i = 0; i < argc; i++)
		g_ptr_array_add(args, argv[i]);
	g_ptr_array_add(args, NULL);
	inner = g_subprocess_launcher_spawnv(launcher, (const char *const *)args->pdata, &error);
	if (inner && g_subprocess_wait(inner, NULL, &error))
		status = g_subprocess_get_if_exited(inner) ? g_subprocess_get_exit_status(inner) : 1;
	if (error)
		g_printerr("cannot run the test under dbus-run-session: %s\n", error->message);
	remove_tree(home);
	return status;
}

/* ---- the inner program: gnome-keyring-daemon on the private bus ---------------------------------- */

static void on_name_appeared(GDBusConnection *connection, const char *name, const char *owner,
			     gpointer user_data)
{
	(void)connection;
	(void)name;
	(void)owner;
	*(gboolean *)user_data = TRUE;
}

static gboolean on_deadline(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Starts the daemon with a new login keyring unlocked by a password on its stdin (as PAM would) and
 * waits, with a deadline, until it owns org.freedesktop.secrets. */
static void start_keyring(void)
{
	g_autoptr(GSubprocessLauncher) launcher =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
	g_autoptr(GError) error = NULL;
	gboolean appeared = FALSE, expired = FALSE;
	guint watch, deadline;

	g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
	keyring_daemon = g_subprocess_launcher_spawn(launcher, &error, "gnome-keyring-daemon", "--foreground",
						     "--unlock", "--components=secrets", NULL);
	g_assert_no_error(error);
	g_output_stream_write_all(g_subprocess_get_stdin_pipe(keyring_daemon), "pass", 4, NULL, NULL, &error);
	g_assert_no_error(error);
	g_output_stream_close(g_subprocess_get_stdin_pipe(keyring_daemon), NULL, &error);
	g_assert_no_error(error);

	watch = g_bus_watch_name(G_BUS_TYPE_SESSION, "org.freedesktop.secrets", G_BUS_NAME_WATCHER_FLAGS_NONE,
				 on_name_appeared, NULL, &appeared, NULL);
	deadline = g_timeout_add_seconds(BUS_NAME_TIMEOUT_S, on_deadline, &expired);
	while (!appeared && !expired)
		g_main_context_iteration(NULL, TRUE);
	g_bus_unwatch_name(watch);
	if (!expired)
		g_source_remove(deadline);
	if (!appeared)
		g_error("gnome-keyring-daemon did not own org.freedesktop.secrets within %d s", BUS_NAME_TIMEOUT_S);
}

static void stop_keyring(void)
{
	if (!keyring_daemon)
		return;
	g_subprocess_send_signal(keyring_daemon, SIGTERM);
	g_subprocess_wait(keyring_daemon, NULL, NULL);
	g_clear_object(&keyring_daemon);
}

/* ---- helpers ------------------------------------------------------------------------------------- */

static char *wg_pubkey(const char *private_key)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) wg = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
						     &error, "wg", "pubkey", NULL);
	g_autofree char *input = g_strdup_printf("%s\n", private_key);
	char *output = NULL;

	g_assert_no_error(error);
	g_subprocess_communicate_utf8(wg, input, NULL, &output, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_get_successful(wg));
	return g_strchomp(output);
}

static void assert_lookup(const char *server_id, WhKeyKind kind, const char *expected)
{
	g_autoptr(GError) error = NULL;
	char *key = wh_key_store_lookup_sync(server_id, kind, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(key, ==, expected);
	wh_key_store_free_key(key);
}

/* The async forms, run to completion on the default main context. */
static void on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	(void)source;
	*(GAsyncResult **)user_data = g_object_ref(result);
}

static GAsyncResult *wait_for(GAsyncResult **slot)
{
	while (!*slot)
		g_main_context_iteration(NULL, TRUE);
	return *slot;
}

static void save_async(const char *server_id, WhKeyKind kind, const char *key)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;

	wh_key_store_save(server_id, kind, key, NULL, NULL, on_done, &result);
	g_assert_true(wh_key_store_save_finish(wait_for(&result), &error));
	g_assert_no_error(error);
}

static char *lookup_async(const char *server_id, WhKeyKind kind)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;
	char *key;

	wh_key_store_lookup(server_id, kind, NULL, on_done, &result);
	key = wh_key_store_lookup_finish(wait_for(&result), &error);
	g_assert_no_error(error);
	return key;
}

static void delete_async(const char *server_id, WhKeyKind kind)
{
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GError) error = NULL;

	wh_key_store_delete(server_id, kind, NULL, on_done, &result);
	g_assert_true(wh_key_store_delete_finish(wait_for(&result), &error));
	g_assert_no_error(error);
}

/* True when needle occurs in any regular file under path. */
static gboolean tree_contains(const char *path, const void *needle, size_t needle_len, guint *n_files)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (!dir) {
		g_autofree char *contents = NULL;
		gsize length;

		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents(path, &contents, &length, NULL))
			return FALSE;
		(*n_files)++;
		return memmem(contents, length, needle, needle_len) != NULL;
	}
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (!g_file_test(child, G_FILE_TEST_IS_SYMLINK) && tree_contains(child, needle, needle_len, n_files))
			return TRUE;
	}
	return FALSE;
}

/* ---- tests --------------------------------------------------------------------------------------- */

static void test_round_trip_two_servers(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *a_private = wh_key_generate();
	g_autofree char *a_preshared = wh_key_generate();
	g_autofree char *b_private = wh_key_generate();
	g_autofree char *b_preshared = wh_key_generate();
	char *key;

	g_assert_true(wh_key_store_save_sync("server-a", WH_KEY_PRIVATE, a_private, "A private", &error));
	g_assert_no_error(error);
	g_assert_true(wh_key_store_save_sync("server-a", WH_KEY_PRESHARED, a_preshared, NULL, &error));
	g_assert_no_error(error);
	save_async("server-b", WH_KEY_PRIVATE, b_private);
	save_async("server-b", WH_KEY_PRESHARED, b_preshared);

	assert_lookup("server-a", WH_KEY_PRIVATE, a_private);
	assert_lookup("server-a", WH_KEY_PRESHARED, a_preshared);
	key = lookup_async("server-b", WH_KEY_PRIVATE);
	g_assert_cmpstr(key, ==, b_private);
	wh_key_store_free_key(key);
	assert_lookup("server-b", WH_KEY_PRESHARED, b_preshared);

	/* Saving again replaces, it does not add a second item. */
	g_assert_true(wh_key_store_save_sync("server-a", WH_KEY_PRIVATE, b_preshared, NULL, &error));
	assert_lookup("server-a", WH_KEY_PRIVATE, b_preshared);
	g_assert_true(wh_key_store_save_sync("server-a", WH_KEY_PRIVATE, a_private, NULL, &error));

	g_assert_true(wh_key_store_delete_sync("server-a", WH_KEY_PRIVATE, &error));
	g_assert_no_error(error);
	assert_lookup("server-a", WH_KEY_PRIVATE, NULL);
	assert_lookup("server-a", WH_KEY_PRESHARED, a_preshared);
	assert_lookup("server-b", WH_KEY_PRIVATE, b_private);

	delete_async("server-b", WH_KEY_PRESHARED);
	key = lookup_async("server-b", WH_KEY_PRESHARED);
	g_assert_null(key);
	assert_lookup("server-b", WH_KEY_PRIVATE, b_private);

	g_assert_true(wh_key_store_delete_sync("server-a", WH_KEY_PRESHARED, &error));
	g_assert_true(wh_key_store_delete_sync("server-b", WH_KEY_PRIVATE, &error));
	g_assert_no_error(error);
	assert_lookup("server-a", WH_KEY_PRESHARED, NULL);
	assert_lookup("server-b", WH_KEY_PRIVATE, NULL);
}

static void test_missing_key(void)
{
	g_autoptr(GError) error = NULL;

	assert_lookup("no-such-server", WH_KEY_PRIVATE, NULL);
	g_assert_null(lookup_async("no-such-server", WH_KEY_PRESHARED));
	/* Deleting what is not there is not an error either. */
	g_assert_true(wh_key_store_delete_sync("no-such-server", WH_KEY_PRIVATE, &error));
	g_assert_no_error(error);
	delete_async("no-such-server", WH_KEY_PRESHARED);
}

static void test_generate_agrees_with_wg(void)
{
	g_autofree char *fixed_public = wh_key_public_from_private_text(FIXED_PRIVATE);
	g_autofree char *wg_fixed_public = wg_pubkey(FIXED_PRIVATE);
	uint8_t bytes[32];
	size_t length;

	g_assert_cmpstr(fixed_public, ==, FIXED_PUBLIC);
	g_assert_cmpstr(wg_fixed_public, ==, FIXED_PUBLIC);

	for (int i = 0; i < 4; i++) {
		char *private_key = wh_key_generate();
		char *other = wh_key_generate();
		g_autofree char *public_key = wh_key_public_from_private_text(private_key);
		g_autofree char *wg_public = wg_pubkey(private_key);

		g_assert_cmpuint(strlen(private_key), ==, 44);
		g_assert_cmpstr(private_key, !=, other);
		g_assert_cmpstr(public_key, ==, wg_public);
		g_assert_cmpint(sodium_base642bin(bytes, sizeof(bytes), private_key, 44, NULL, &length, NULL,
						  sodium_base64_VARIANT_ORIGINAL), ==, 0);
		g_assert_cmpuint(length, ==, 32);
		/* Clamped as WireGuard does. */
		g_assert_cmpuint(bytes[0] & 7, ==, 0);
		g_assert_cmpuint(bytes[31] & 0x80, ==, 0);
		g_assert_cmpuint(bytes[31] & 0x40, ==, 0x40);
		wh_key_store_free_key(private_key);
		wh_key_store_free_key(other);
	}

	g_assert_null(wh_key_public_from_private_text(""));
	g_assert_null(wh_key_public_from_private_text("not a key"));
	g_assert_null(wh_key_public_from_private_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); /* no '=' */
	g_assert_null(wh_key_public_from_private_text("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")); /* zero key */
	g_assert_null(wh_key_public_from_private_text(NULL));
}

/* The keyring keeps its items in encrypted files under the temporary HOME: they exist, and neither
 * the key's text nor its bytes appear in any file there. */
static void test_no_plain_text_on_disk(void)
{
	const char *home = g_getenv(INNER_ENV);
	g_autofree char *keyrings = g_build_filename(home, ".local", "share", "keyrings", NULL);
	g_autofree char *login = g_build_filename(keyrings, "login.keyring", NULL);
	g_autoptr(GError) error = NULL;
	char *key = wh_key_generate();
	uint8_t bytes[32];
	guint n_files = 0;

	g_assert_true(wh_key_store_save_sync("disk-check", WH_KEY_PRIVATE, key, NULL, &error));
	g_assert_no_error(error);
	assert_lookup("disk-check", WH_KEY_PRIVATE, key);
	g_assert_true(g_file_test(login, G_FILE_TEST_IS_REGULAR));

	g_assert_false(tree_contains(home, key, strlen(key), &n_files));
	g_assert_cmpuint(n_files, >, 0);
	g_assert_cmpint(sodium_base642bin(bytes, sizeof(bytes), key, strlen(key), NULL, NULL, NULL,
					  sodium_base64_VARIANT_ORIGINAL), ==, 0);
	g_assert_false(tree_contains(home, bytes, sizeof(bytes), &n_files));
	g_test_message("%u files under %s hold no key", n_files, home);
	sodium_memzero(bytes, sizeof(bytes));
	g_assert_true(wh_key_store_delete_sync("disk-check", WH_KEY_PRIVATE, &error));
	wh_key_store_free_key(key);
}

int main(int argc, char **argv)
{
	int status;

	if (!g_getenv(INNER_ENV))
		return run_outer(argc, argv);

	/* Go with dbus-run-session, and with it the keyring daemon (our child, killed the same way). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(sodium_init(), >=, 0);
	start_keyring();
	g_test_add_func("/keyring/round-trip-two-servers", test_round_trip_two_servers);
	g_test_add_func("/keyring/missing-key", test_missing_key);
	g_test_add_func("/keys/generate-agrees-with-wg", test_generate_agrees_with_wg);
	g_test_add_func("/keyring/no-plain-text-on-disk", test_no_plain_text_on_disk);
	status = g_test_run();
	stop_keyring();
	return status;
}
