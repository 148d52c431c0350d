/* wirehopd: cleans up after a helper that died, owns io.github.wirehop.Helper1 on the system bus and
 * serves it until SIGTERM, then removes everything it set up. */
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>

#include "authority.h"
#include "connection.h"
#include "service.h"
#include "wirehop/tunnel.h"

#define BUS_NAME "io.github.wirehop.Helper1"

struct daemon {
	GMainLoop *loop;
	int exit_status;
};

static gboolean on_signal(gpointer user_data)
{
	struct daemon *daemon = user_data;
	g_message("stopping on a signal");
	g_main_loop_quit(daemon->loop);
	return G_SOURCE_CONTINUE;
}

static void on_name_acquired(GDBusConnection *bus, const char *name, gpointer user_data)
{
	(void)bus;
	(void)user_data;
	g_message("serving %s", name);
}

static void on_name_lost(GDBusConnection *bus, const char *name, gpointer user_data)
{
	struct daemon *daemon = user_data;
	(void)bus;
	g_printerr("wirehopd: cannot own %s on the bus (another helper runs, or the bus policy refuses it)\n", name);
	daemon->exit_status = EXIT_FAILURE;
	g_main_loop_quit(daemon->loop);
}

int main(int argc, char **argv)
{
	gboolean session_bus = FALSE, no_polkit = FALSE;
	g_autofree char *state_dir = NULL, *settings = NULL, *ifname = NULL, *resolv_conf = NULL;
	int handshake_timeout = HELPER_DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000;
	GOptionEntry entries[] = {
		{"session-bus", 0, 0, G_OPTION_ARG_NONE, &session_bus, "Serve on the session bus (tests only)", NULL},
		{"no-polkit", 0, 0, G_OPTION_ARG_NONE, &no_polkit, "Allow every caller (tests only)", NULL},
		{"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "Where crash-recovery state lives (/run/wirehop)",
		 "DIR"},
		{"settings", 0, 0, G_OPTION_ARG_FILENAME, &settings,
		 "The settings file (/var/lib/wirehop/settings.ini)", "FILE"},
		{"interface", 0, 0, G_OPTION_ARG_STRING, &ifname, "The tunnel interface's name (wirehop0)", "NAME"},
		{"resolv-conf", 0, 0, G_OPTION_ARG_FILENAME, &resolv_conf,
		 "The file to point at the tunnel's DNS when systemd-resolved is absent (/etc/resolv.conf)", "FILE"},
		{"handshake-timeout", 0, 0, G_OPTION_ARG_INT, &handshake_timeout,
		 "Seconds to wait for the first handshake before giving up (15)", "SECONDS"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GError) error = NULL;

	setlocale(LC_ALL, "");
	g_autoptr(GOptionContext) context = g_option_context_new("- the Wirehop VPN helper service");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("wirehopd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (handshake_timeout < 1 || handshake_timeout > 600) {
		g_printerr("wirehopd: --handshake-timeout must be 1..600 seconds\n");
		return EXIT_FAILURE;
	}
	if (ifname && (!*ifname || strlen(ifname) >= 16)) {
		g_printerr("wirehopd: --interface must be 1..15 characters\n");
		return EXIT_FAILURE;
	}
	if (wh_init() < 0) {
		g_printerr("wirehopd: cannot initialise libsodium\n");
		return EXIT_FAILURE;
	}

	g_autoptr(GDBusConnection) bus =
		g_bus_get_sync(session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus) {
		g_printerr("wirehopd: cannot reach the %s bus: %s\n", session_bus ? "session" : "system", error->message);
		return EXIT_FAILURE;
	}
	struct helper_options options = {
		.ifname = ifname ? ifname : "wirehop0",
		.state_dir = state_dir ? state_dir : "/run/wirehop",
		.resolv_conf = resolv_conf,
		.system_bus = bus,
		.table = HELPER_DEFAULT_TABLE,
		.fwmark = HELPER_DEFAULT_FWMARK,
		.rule_priority = HELPER_DEFAULT_RULE_PRIORITY,
		.handshake_timeout_ms = (unsigned)handshake_timeout * 1000,
	};
	if (!connection_recover(&options, &error)) {
		/* Serve anyway: the user can still connect, and the next Disconnect cleans up again. */
		g_warning("cleaning up after a previous helper failed: %s", error->message);
		g_clear_error(&error);
	}
	struct authority *authority = authority_new(!no_polkit, &error);
	if (!authority) {
		g_printerr("wirehopd: cannot reach polkit: %s\n", error->message);
		return EXIT_FAILURE;
	}
	struct service *service = service_new(bus, &options, authority,
					      settings ? settings : "/var/lib/wirehop/settings.ini", &error);
	if (!service) {
		g_printerr("wirehopd: cannot export the helper object: %s\n", error->message);
		authority_free(authority);
		return EXIT_FAILURE;
	}

	struct daemon daemon = {.loop = g_main_loop_new(NULL, FALSE), .exit_status = EXIT_SUCCESS};
	g_unix_signal_add(SIGTERM, on_signal, &daemon);
	g_unix_signal_add(SIGINT, on_signal, &daemon);
	guint owner = g_bus_own_name_on_connection(bus, BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired,
						   on_name_lost, &daemon, NULL);
	g_main_loop_run(daemon.loop);
	g_bus_unown_name(owner);
	service_free(service); /* disconnects: nothing of ours stays behind */
	authority_free(authority);
	g_main_loop_unref(daemon.loop);
	return daemon.exit_status;
}
