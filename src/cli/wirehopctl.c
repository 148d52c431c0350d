/* wirehopctl: a thin command-line client of wirehopd. Reads wg-quick files, sends the Connect
 * profile, and prints what the helper reports. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <sodium.h>

#include "profile.h"
#include "wgconf-profile.h"
#include "wgconf.h"
#include "wh-helper1-generated.h"

#define BUS_NAME "io.github.wirehop.Helper1"
#define OBJECT_PATH "/io/github/wirehop/Helper1"

enum {
	EXIT_USAGE = 2,
	MAX_CONF_SIZE = 1024 * 1024,
	WAIT_SECONDS = 30,
};

static const char *program = "wirehopctl";

static int usage(void)
{
	g_printerr("Usage:\n"
		   "  %s connect FILE.conf [--via ENTRY.conf] [--daita] [--kill-switch] [--name NAME] [--no-wait]\n"
		   "  %s disconnect\n"
		   "  %s status\n"
		   "  %s watch\n",
		   program, program, program, program);
	return EXIT_USAGE;
}

/* Reads and parses one wg-quick file, printing its warnings; errors say file and line. */
static bool load_conf(const char *path, struct wgconf *conf)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	gsize len;
	if (!g_file_get_contents(path, &text, &len, &error)) {
		g_printerr("%s: cannot read %s: %s\n", program, path, error->message);
		return false;
	}
	if (len > MAX_CONF_SIZE) {
		g_printerr("%s: %s is larger than 1 MiB: not a WireGuard configuration\n", program, path);
		sodium_memzero(text, len);
		return false;
	}
	struct wgconf_diagnostics diag;
	memset(&diag, 0, sizeof(diag));
	int ret = wgconf_parse(text, len, conf, &diag);
	sodium_memzero(text, len);
	for (size_t i = 0; i < diag.n_warnings; i++)
		g_printerr("%s:%u: warning: %s\n", path, diag.warnings[i].line, diag.warnings[i].message);
	if (ret < 0) {
		if (diag.error_line)
			g_printerr("%s:%u: %s\n", path, diag.error_line, diag.error);
		else
			g_printerr("%s: %s\n", path, diag.error);
		return false;
	}
	return true;
}

static bool is_missing_helper(const GError *error)
{
	return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
	       g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED);
}

static void print_call_error(const char *what, GError *error)
{
	if (is_missing_helper(error)) {
		g_printerr("%s: the Wirehop helper (%s) is not running on the system bus; start it with "
			   "\"systemctl start wirehopd\"\n",
			   program, BUS_NAME);
		return;
	}
	g_dbus_error_strip_remote_error(error);
	g_printerr("%s: %s: %s\n", program, what, error->message);
}

static WhHelper1 *helper_proxy(void)
{
	g_autoptr(GError) error = NULL;
	WhHelper1 *proxy = wh_helper1_proxy_new_for_bus_sync(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME,
							     OBJECT_PATH, NULL, &error);
	if (!proxy)
		g_printerr("%s: cannot reach the system bus: %s\n", program, error->message);
	return proxy;
}

static void print_details(const char *state, GVariant *details)
{
	g_print("state: %s\n", state);
	GVariantIter iter;
	const char *key;
	GVariant *value;
	g_variant_iter_init(&iter, details);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
			g_print("  %s: %s\n", key, g_variant_get_string(value, NULL));
		} else if ((g_str_equal(key, "connected-since") || g_str_equal(key, "last-handshake")) &&
			   g_variant_is_of_type(value, G_VARIANT_TYPE_INT64)) {
			g_autoptr(GDateTime) time = g_date_time_new_from_unix_local(g_variant_get_int64(value));
			g_autofree char *text = time ? g_date_time_format(time, "%F %T") : g_strdup("?");
			g_print("  %s: %s\n", key, text);
		} else {
			g_autofree char *text = g_variant_print(value, FALSE);
			g_print("  %s: %s\n", key, text);
		}
		g_variant_unref(value);
	}
}

/* Waiting for a state after a call, with a deadline. */
struct waiter {
	GMainLoop *loop;
	const char *wanted;
	int status;
	bool quiet;
};

static void on_wait_state_changed(WhHelper1 *proxy, const char *state, GVariant *details, gpointer user_data)
{
	struct waiter *waiter = user_data;
	(void)proxy;
	if (g_str_equal(state, waiter->wanted)) {
		if (!waiter->quiet)
			print_details(state, details);
		waiter->status = EXIT_SUCCESS;
		g_main_loop_quit(waiter->loop);
	} else if (g_str_equal(state, "error")) {
		const char *cause = "unknown", *message = "";
		g_variant_lookup(details, "cause", "&s", &cause);
		g_variant_lookup(details, "message", "&s", &message);
		g_printerr("%s: error (%s): %s\n", program, cause, message);
		waiter->status = EXIT_FAILURE;
		g_main_loop_quit(waiter->loop);
	}
}

static gboolean on_wait_timeout(gpointer user_data)
{
	struct waiter *waiter = user_data;
	g_printerr("%s: still not %s after %d s; see \"%s status\"\n", program, waiter->wanted, WAIT_SECONDS, program);
	waiter->status = EXIT_FAILURE;
	g_main_loop_quit(waiter->loop);
	return G_SOURCE_REMOVE;
}

/* Subscribes before calling so no state change is missed, then waits for wanted or error. */
static int call_and_wait(WhHelper1 *proxy, const char *wanted, bool wait, bool quiet,
			 gboolean (*call)(WhHelper1 *proxy, void *ctx, GError **error), void *ctx, const char *what)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	struct waiter waiter = {.loop = loop, .wanted = wanted, .status = EXIT_FAILURE, .quiet = quiet};
	gulong handler = g_signal_connect(proxy, "state-changed", G_CALLBACK(on_wait_state_changed), &waiter);
	g_autoptr(GError) error = NULL;
	if (!call(proxy, ctx, &error)) {
		g_signal_handler_disconnect(proxy, handler);
		print_call_error(what, error);
		return EXIT_FAILURE;
	}
	if (!wait) {
		g_signal_handler_disconnect(proxy, handler);
		return EXIT_SUCCESS;
	}
	/* Already there (a Disconnect while disconnected emits nothing). */
	g_autofree char *state = wh_helper1_dup_state(proxy);
	if (state && g_str_equal(state, wanted) && g_str_equal(wanted, "disconnected")) {
		g_signal_handler_disconnect(proxy, handler);
		if (!quiet)
			g_print("state: %s\n", state);
		return EXIT_SUCCESS;
	}
	guint timeout = g_timeout_add_seconds(WAIT_SECONDS, on_wait_timeout, &waiter);
	g_main_loop_run(loop);
	g_source_remove(timeout);
	g_signal_handler_disconnect(proxy, handler);
	return waiter.status;
}

static gboolean call_connect(WhHelper1 *proxy, void *ctx, GError **error)
{
	return wh_helper1_call_connect_sync(proxy, ctx, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, NULL,
					    error);
}

static gboolean call_disconnect(WhHelper1 *proxy, void *ctx, GError **error)
{
	(void)ctx;
	return wh_helper1_call_disconnect_sync(proxy, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, NULL, error);
}

/* Builds the profile from the parsed files, sends it and (unless told not to) waits for the result. */
static int connect_with(const char *path, const char *name, const struct wgconf *entry, const struct wgconf *exit_conf,
			bool daita, bool kill_switch, bool wait)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *base = g_path_get_basename(path);
	if (g_str_has_suffix(base, ".conf"))
		base[strlen(base) - strlen(".conf")] = '\0';
	struct wgconf_profile_options options = {
		.name = name ? name : base,
		.entry = entry,
		.daita = daita,
		.kill_switch = kill_switch,
	};
	GVariant *profile = wgconf_profile_build(exit_conf, &options, &error);
	if (!profile) {
		g_printerr("%s: %s\n", program, error->message);
		return EXIT_FAILURE;
	}
	g_variant_ref_sink(profile);
	int status = EXIT_FAILURE;
	g_autoptr(WhHelper1) proxy = helper_proxy();
	if (proxy)
		status = call_and_wait(proxy, "connected", wait, false, call_connect, profile, "cannot connect");
	profile_wipe_secret_text(profile);
	g_variant_unref(profile);
	return status;
}

static int command_connect(int argc, char **argv)
{
	gboolean daita = FALSE, kill_switch = FALSE, no_wait = FALSE;
	g_autofree char *via = NULL, *name = NULL;
	GOptionEntry entries[] = {
		{"via", 0, 0, G_OPTION_ARG_FILENAME, &via, "Enter through this server (multihop)", "ENTRY.conf"},
		{"daita", 0, 0, G_OPTION_ARG_NONE, &daita, "Defend against traffic analysis (DAITA)", NULL},
		{"kill-switch", 0, 0, G_OPTION_ARG_NONE, &kill_switch, "Block traffic outside the tunnel", NULL},
		{"name", 0, 0, G_OPTION_ARG_STRING, &name, "The name shown for this connection", "NAME"},
		{"no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, "Return once the helper took the request", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) context = g_option_context_new("FILE.conf - connect to a WireGuard server");
	g_option_context_add_main_entries(context, entries, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("%s connect: %s\n", program, error->message);
		return EXIT_USAGE;
	}
	if (argc != 2) {
		g_printerr("%s connect: give exactly one FILE.conf\n", program);
		return EXIT_USAGE;
	}
	struct wgconf exit_conf, entry_conf;
	memset(&exit_conf, 0, sizeof(exit_conf));
	memset(&entry_conf, 0, sizeof(entry_conf));
	int status = EXIT_FAILURE;
	if (load_conf(argv[1], &exit_conf) && (!via || load_conf(via, &entry_conf)))
		status = connect_with(argv[1], name, via ? &entry_conf : NULL, &exit_conf, daita, kill_switch, !no_wait);
	wgconf_free(&exit_conf);
	wgconf_free(&entry_conf);
	return status;
}

static int command_disconnect(void)
{
	g_autoptr(WhHelper1) proxy = helper_proxy();
	if (!proxy)
		return EXIT_FAILURE;
	return call_and_wait(proxy, "disconnected", true, false, call_disconnect, NULL, "cannot disconnect");
}

static int command_status(void)
{
	g_autoptr(WhHelper1) proxy = helper_proxy();
	if (!proxy)
		return EXIT_FAILURE;
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	g_autoptr(GVariant) details = NULL;
	if (!wh_helper1_call_get_state_sync(proxy, G_DBUS_CALL_FLAGS_NONE, -1, &state, &details, NULL, &error)) {
		print_call_error("cannot read the state", error);
		return EXIT_FAILURE;
	}
	print_details(state, details);
	return EXIT_SUCCESS;
}

static void on_watch_state_changed(WhHelper1 *proxy, const char *state, GVariant *details, gpointer user_data)
{
	(void)proxy;
	(void)user_data;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *stamp = g_date_time_format(now, "%T");
	g_print("[%s] ", stamp);
	print_details(state, details);
	fflush(stdout);
}

static void on_owner_changed(GObject *object, GParamSpec *pspec, gpointer user_data)
{
	(void)pspec;
	(void)user_data;
	g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(object));
	g_print("%s\n", owner ? "helper: running" : "helper: gone");
	fflush(stdout);
}

static gboolean on_quit_signal(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

static int command_watch(void)
{
	g_autoptr(WhHelper1) proxy = helper_proxy();
	if (!proxy)
		return EXIT_FAILURE;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_signal_connect(proxy, "state-changed", G_CALLBACK(on_watch_state_changed), NULL);
	g_signal_connect(proxy, "notify::g-name-owner", G_CALLBACK(on_owner_changed), NULL);
	g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(proxy));
	if (!owner)
		g_printerr("%s: the helper is not running yet; waiting for it\n", program);
	g_unix_signal_add(SIGINT, on_quit_signal, loop);
	g_unix_signal_add(SIGTERM, on_quit_signal, loop);
	g_print("watching (Ctrl-C to stop)\n");
	fflush(stdout);
	g_main_loop_run(loop);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (sodium_init() < 0) {
		g_printerr("%s: cannot initialise libsodium\n", program);
		return EXIT_FAILURE;
	}
	if (argc < 2)
		return usage();
	const char *command = argv[1];
	if (g_str_equal(command, "connect"))
		return command_connect(argc - 1, argv + 1);
	if (argc != 2)
		return usage();
	if (g_str_equal(command, "disconnect"))
		return command_disconnect();
	if (g_str_equal(command, "status"))
		return command_status();
	if (g_str_equal(command, "watch"))
		return command_watch();
	if (g_str_equal(command, "--help") || g_str_equal(command, "-h") || g_str_equal(command, "help")) {
		usage();
		return EXIT_SUCCESS;
	}
	g_printerr("%s: unknown command \"%s\"\n", program, command);
	return usage();
}
