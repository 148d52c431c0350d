/* dns.c against a mocked systemd-resolved (python-dbusmock) on a private bus: the exact calls and arguments
 * it makes, old resolved without SetLinkDefaultRoute, refusals rolled back, and resolv.conf left alone. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "dns-test-files.h"
#include "dns.h"

#define RESOLVED_NAME "org.freedesktop.resolve1"
#define RESOLVED_PATH "/org/freedesktop/resolve1"
#define RESOLVED_MANAGER "org.freedesktop.resolve1.Manager"
#define MOCK_INTERFACE "org.freedesktop.DBus.Mock"
/* Generous: python3 and dbusmock start in well under a second, but CI machines stall. */
#define MOCK_START_DEADLINE_S 30

static const char original_resolv_conf[] = "nameserver 192.0.2.1\n";
static const char *const two_servers[] = { "10.64.0.1", "fd00::53", NULL };

struct fixture {
	GSubprocess *bus_daemon;
	char *bus_address;
	GDBusConnection *connection;
	GSubprocess *mock; /* NULL: no resolved on this bus */
	struct dns_test_dir dir; /* the state directory is never made: the resolved path must not need it */
	struct stat resolv_conf_before;
	struct dns_config config;
};

/* The bus and the mock go when the test does, even when an assertion aborts it. */
static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

struct name_wait {
	bool appeared;
	bool exited;
	bool deadline_passed;
};

static void on_name_appeared(GDBusConnection *connection, const char *name, const char *owner, gpointer data)
{
	(void)connection;
	(void)name;
	(void)owner;
	((struct name_wait *)data)->appeared = true;
}

static void on_mock_exited(GObject *source, GAsyncResult *result, gpointer data)
{
	if (g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL))
		((struct name_wait *)data)->exited = true;
}

static gboolean on_deadline(gpointer data)
{
	((struct name_wait *)data)->deadline_passed = true;
	return G_SOURCE_REMOVE;
}

/* Output not asked for goes to stderr: stdout is this test's TAP stream (dbusmock logs every call there). */
static GSubprocess *spawn(GSubprocessFlags flags, const char *bus_address, const char *const *argv)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(flags);
	g_autoptr(GError) error = NULL;

	if (bus_address)
		g_subprocess_launcher_setenv(launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
	if (!(flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE))
		g_subprocess_launcher_take_stdout_fd(launcher, dup(STDERR_FILENO));
	g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
	GSubprocess *process = g_subprocess_launcher_spawnv(launcher, argv, &error);
	g_assert_no_error(error);
	return process;
}

static void stop(GSubprocess **process)
{
	if (!*process)
		return;
	g_subprocess_send_signal(*process, SIGTERM);
	g_assert_true(g_subprocess_wait(*process, NULL, NULL));
	g_clear_object(process);
}

/* A private bus: dbus-daemon prints its address once it listens, or exits (end of file here). */
static void start_bus(struct fixture *fixture)
{
	static const char *const argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
	g_autoptr(GError) error = NULL;

	fixture->bus_daemon = spawn(G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, argv);
	g_autoptr(GDataInputStream) output =
		g_data_input_stream_new(g_subprocess_get_stdout_pipe(fixture->bus_daemon));
	fixture->bus_address = g_data_input_stream_read_line_utf8(output, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(fixture->bus_address);

	fixture->connection = g_dbus_connection_new_for_address_sync(
		fixture->bus_address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
		NULL, &error);
	g_assert_no_error(error);
}

static void start_mock(struct fixture *fixture)
{
	static const char *const argv[] = { "/usr/bin/python3", "-m", "dbusmock", "--session", RESOLVED_NAME,
					    RESOLVED_PATH, RESOLVED_MANAGER, NULL };

	fixture->mock = spawn(G_SUBPROCESS_FLAGS_NONE, fixture->bus_address, argv);

	struct name_wait wait = { 0 };
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	guint watch = g_bus_watch_name_on_connection(fixture->connection, RESOLVED_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
						     on_name_appeared, NULL, &wait, NULL);
	guint deadline = g_timeout_add_seconds(MOCK_START_DEADLINE_S, on_deadline, &wait);
	g_subprocess_wait_async(fixture->mock, cancellable, on_mock_exited, &wait);
	while (!wait.appeared && !wait.exited && !wait.deadline_passed)
		g_main_context_iteration(NULL, TRUE);
	g_cancellable_cancel(cancellable);
	g_bus_unwatch_name(watch);
	if (!wait.deadline_passed)
		g_source_remove(deadline);
	/* Let the cancelled wait deliver its callback while wait is still alive. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	if (!wait.appeared)
		g_error("dbusmock did not own %s (%s); is python3-dbusmock installed for /usr/bin/python3?",
			RESOLVED_NAME, wait.exited ? "it exited" : "deadline passed");
}

static void fixture_set_up(struct fixture *fixture, gconstpointer with_resolved)
{
	g_autoptr(GError) error = NULL;

	start_bus(fixture);
	if (GPOINTER_TO_INT(with_resolved))
		start_mock(fixture);

	dns_test_dir_make(&fixture->dir);
	dns_test_write_file(fixture->dir.resolv_conf, original_resolv_conf, strlen(original_resolv_conf));
	g_assert_cmpint(stat(fixture->dir.resolv_conf, &fixture->resolv_conf_before), ==, 0);
	fixture->config = (struct dns_config){
		.system_bus = fixture->connection,
		.resolv_conf = fixture->dir.resolv_conf,
		.state_dir = fixture->dir.state_dir,
	};
}

static void fixture_tear_down(struct fixture *fixture, gconstpointer with_resolved)
{
	(void)with_resolved;
	stop(&fixture->mock);
	g_dbus_connection_close_sync(fixture->connection, NULL, NULL);
	g_clear_object(&fixture->connection);
	stop(&fixture->bus_daemon);
	g_free(fixture->bus_address);
	dns_test_dir_remove(&fixture->dir);
}

static GVariant *call_mock(struct fixture *fixture, const char *method, GVariant *parameters,
			   const GVariantType *reply_type)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply = g_dbus_connection_call_sync(fixture->connection, RESOLVED_NAME, RESOLVED_PATH,
						      MOCK_INTERFACE, method, parameters, reply_type,
						      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

	g_assert_no_error(error);
	return reply;
}

/* code: Python run by the mock for each call ("" does nothing but log it). */
static void add_method(struct fixture *fixture, const char *name, const char *in_signature, const char *code)
{
	g_autoptr(GVariant) reply = call_mock(fixture, "AddMethod",
					      g_variant_new("(sssss)", "", name, in_signature, "", code), NULL);
}

/* What resolved >= 240 offers of what dns.c uses. */
static void add_resolved_methods(struct fixture *fixture)
{
	add_method(fixture, "SetLinkDNS", "ia(iay)", "");
	add_method(fixture, "SetLinkDomains", "ia(sb)", "");
	add_method(fixture, "SetLinkDefaultRoute", "ib", "");
	add_method(fixture, "RevertLink", "i", "");
}

static void clear_calls(struct fixture *fixture)
{
	g_autoptr(GVariant) reply = call_mock(fixture, "ClearCalls", NULL, NULL);
}

/* The mock's log as [(method, <(arguments)>)], printed with types so a wrong type shows as a difference. */
static char *call_log(struct fixture *fixture)
{
	g_autoptr(GVariant) reply = call_mock(fixture, "GetCalls", NULL, G_VARIANT_TYPE("(a(tsav))"));
	g_autoptr(GVariantIter) calls = NULL;
	GVariantBuilder log;
	const char *method;
	GVariantIter *arguments;

	g_variant_builder_init(&log, G_VARIANT_TYPE("a(sv)"));
	g_variant_get(reply, "(a(tsav))", &calls);
	while (g_variant_iter_loop(calls, "(t&sav)", NULL, &method, &arguments)) {
		GVariantBuilder tuple;
		GVariant *argument;

		g_variant_builder_init(&tuple, G_VARIANT_TYPE_TUPLE);
		while (g_variant_iter_loop(arguments, "v", &argument))
			g_variant_builder_add_value(&tuple, argument);
		g_variant_builder_add(&log, "(sv)", method, g_variant_builder_end(&tuple));
	}
	g_autoptr(GVariant) printed = g_variant_ref_sink(g_variant_builder_end(&log));
	return g_variant_print(printed, TRUE);
}

static void assert_calls(struct fixture *fixture, GVariant *expected)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(expected);
	g_autofree char *expected_text = g_variant_print(owned, TRUE);
	g_autofree char *actual_text = call_log(fixture);

	g_assert_cmpstr(actual_text, ==, expected_text);
}

static void assert_resolv_conf_untouched(struct fixture *fixture)
{
	struct stat status;

	dns_test_assert_file_is(fixture->dir.resolv_conf, original_resolv_conf, strlen(original_resolv_conf));
	g_assert_cmpint(stat(fixture->dir.resolv_conf, &status), ==, 0);
	g_assert_cmpuint(status.st_ino, ==, fixture->resolv_conf_before.st_ino);
	g_assert_cmpint(status.st_mtim.tv_sec, ==, fixture->resolv_conf_before.st_mtim.tv_sec);
	g_assert_cmpint(status.st_mtim.tv_nsec, ==, fixture->resolv_conf_before.st_mtim.tv_nsec);
	/* No backup either: the resolved path never looks at the file. */
	g_assert_false(g_file_test(fixture->dir.state_dir, G_FILE_TEST_EXISTS));
}

/* SetLinkDNS's a(iay) for two_servers: 10.64.0.1 and fd00::53. */
#define TWO_SERVERS_ADDRESSES                                                                               \
	"[(%i, [byte 10, 64, 0, 1]), (%i, [byte 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53])]"

static void test_apply_and_revert(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	add_resolved_methods(fixture);
	g_assert_cmpstr(dns_backend_name(&fixture->config), ==, "resolved");

	dns_test_apply(&fixture->config, two_servers);
	assert_calls(fixture, g_variant_new_parsed("[('SetLinkDNS', <(%i, " TWO_SERVERS_ADDRESSES ")>),"
						   " ('SetLinkDomains', <(%i, [('~.', true)])>),"
						   " ('SetLinkDefaultRoute', <(%i, true)>)]",
						   DNS_TEST_IFINDEX, AF_INET, AF_INET6, DNS_TEST_IFINDEX, DNS_TEST_IFINDEX));
	clear_calls(fixture);

	dns_test_revert(&fixture->config);
	assert_calls(fixture, g_variant_new_parsed("[('RevertLink', <(%i,)>)]", DNS_TEST_IFINDEX));
	assert_resolv_conf_untouched(fixture);
}

/* systemd < 240 has no SetLinkDefaultRoute: its UnknownMethod is no failure, "~." already routes all. */
static void test_resolved_without_default_route(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	add_method(fixture, "SetLinkDNS", "ia(iay)", "");
	add_method(fixture, "SetLinkDomains", "ia(sb)", "");
	add_method(fixture, "RevertLink", "i", "");

	dns_test_apply(&fixture->config, two_servers);
	assert_calls(fixture, g_variant_new_parsed("[('SetLinkDNS', <(%i, " TWO_SERVERS_ADDRESSES ")>),"
						   " ('SetLinkDomains', <(%i, [('~.', true)])>)]",
						   DNS_TEST_IFINDEX, AF_INET, AF_INET6, DNS_TEST_IFINDEX));
	assert_resolv_conf_untouched(fixture);
}

/* Servers without the "~." route would leak queries for other domains: a refusal takes them back. */
static void test_refusal_rolls_back(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	g_autoptr(GError) error = NULL;

	add_resolved_methods(fixture);
	add_method(fixture, "SetLinkDomains", "ia(sb)",
		   "raise dbus.exceptions.DBusException('Access denied', "
		   "name='org.freedesktop.DBus.Error.AccessDenied')");

	g_assert_false(dns_apply(&fixture->config, DNS_TEST_IFINDEX, two_servers, &error));
	g_assert_error(error, DNS_ERROR, DNS_ERROR_RESOLVED);
	g_test_message("refused: %s", error->message);
	g_assert_nonnull(strstr(error->message, "SetLinkDomains"));
	g_assert_nonnull(strstr(error->message, "Access denied"));
	assert_calls(fixture, g_variant_new_parsed("[('SetLinkDNS', <(%i, " TWO_SERVERS_ADDRESSES ")>),"
						   " ('SetLinkDomains', <(%i, [('~.', true)])>),"
						   " ('RevertLink', <(%i,)>)]",
						   DNS_TEST_IFINDEX, AF_INET, AF_INET6, DNS_TEST_IFINDEX, DNS_TEST_IFINDEX));
	assert_resolv_conf_untouched(fixture);
}

/* The tunnel link is often gone by the time of revert; resolved forgot it then, which is the goal. */
static void test_revert_of_gone_link(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	add_method(fixture, "RevertLink", "i",
		   "raise dbus.exceptions.DBusException('Link 7 not known', "
		   "name='org.freedesktop.resolve1.NoSuchLink')");

	dns_test_revert(&fixture->config);
	assert_calls(fixture, g_variant_new_parsed("[('RevertLink', <(%i,)>)]", DNS_TEST_IFINDEX));
}

static void test_revert_refused(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	g_autoptr(GError) error = NULL;

	add_method(fixture, "RevertLink", "i",
		   "raise dbus.exceptions.DBusException('Access denied', "
		   "name='org.freedesktop.DBus.Error.AccessDenied')");

	g_assert_false(dns_revert(&fixture->config, DNS_TEST_IFINDEX, &error));
	g_assert_error(error, DNS_ERROR, DNS_ERROR_RESOLVED);
	g_test_message("refused: %s", error->message);
}

/* Invalid servers are refused before anything reaches resolved. */
static void test_invalid_servers_make_no_call(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	static const char *const invalid[] = { "10.64.0.1", "resolver.example", NULL };
	g_autoptr(GError) error = NULL;

	add_resolved_methods(fixture);
	g_assert_false(dns_apply(&fixture->config, DNS_TEST_IFINDEX, invalid, &error));
	g_assert_error(error, DNS_ERROR, DNS_ERROR_INVALID);
	assert_calls(fixture, g_variant_new_parsed("@a(sv) []"));
	assert_resolv_conf_untouched(fixture);
}

/* resolved started after a crash that left a resolv.conf backup: revert does both undos. */
static void test_revert_restores_old_backup_too(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	const struct dns_config without_bus = { .resolv_conf = fixture->dir.resolv_conf,
						.state_dir = fixture->dir.state_dir };

	add_resolved_methods(fixture);
	dns_test_apply(&without_bus, two_servers);

	dns_test_revert(&fixture->config);
	assert_calls(fixture, g_variant_new_parsed("[('RevertLink', <(%i,)>)]", DNS_TEST_IFINDEX));
	dns_test_assert_file_is(fixture->dir.resolv_conf, original_resolv_conf, strlen(original_resolv_conf));
}

static void test_bus_without_resolved(struct fixture *fixture, gconstpointer data)
{
	(void)data;
	static const char generated[] = "# Generated by wirehopd while connected; restored on disconnect\n"
					"nameserver 10.64.0.1\nnameserver fd00::53\n";

	g_assert_cmpstr(dns_backend_name(&fixture->config), ==, "resolv.conf");
	dns_test_apply(&fixture->config, two_servers);
	dns_test_assert_file_is(fixture->dir.resolv_conf, generated, strlen(generated));
	dns_test_revert(&fixture->config);
	dns_test_assert_file_is(fixture->dir.resolv_conf, original_resolv_conf, strlen(original_resolv_conf));
}

/* What `ip netns exec` does: /etc/resolv.conf becomes a bind mount of /etc/netns/NAME/resolv.conf, which
 * nothing can be renamed over. Needs a mount namespace, so root, and runs in a child of its own. */
static void bind_mounted_in_child(void)
{
	static const char original[] = "nameserver 192.0.2.53\n";
	struct dns_test_dir dir;

	g_assert_cmpint(unshare(CLONE_NEWNS), ==, 0);
	g_assert_cmpint(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
	dns_test_dir_make(&dir);
	g_autofree char *netns_file = g_build_filename(dir.directory, "netns-resolv.conf", NULL);
	g_autofree char *other = g_build_filename(dir.directory, "other", NULL);
	dns_test_write_file(netns_file, original, strlen(original));
	dns_test_write_file(dir.resolv_conf, "", 0);
	dns_test_write_file(other, "", 0);
	g_assert_cmpint(mount(netns_file, dir.resolv_conf, NULL, MS_BIND, NULL), ==, 0);
	g_assert_cmpint(rename(other, dir.resolv_conf), ==, -1);
	g_assert_cmpint(errno, ==, EBUSY);

	const struct dns_config config = { .resolv_conf = dir.resolv_conf, .state_dir = dir.state_dir };
	dns_test_apply(&config, two_servers);
	g_autofree char *applied = NULL;
	g_assert_true(g_file_get_contents(netns_file, &applied, NULL, NULL));
	g_assert_nonnull(strstr(applied, "nameserver 10.64.0.1\n"));
	dns_test_revert(&config);
	dns_test_assert_file_is(netns_file, original, strlen(original));
	dns_test_assert_file_is(dir.resolv_conf, original, strlen(original));

	g_assert_cmpint(umount(dir.resolv_conf), ==, 0);
	dns_test_dir_remove(&dir);
}

static void test_bind_mounted_resolv_conf(void)
{
	if (g_test_subprocess()) {
		bind_mounted_in_child();
		return;
	}
	if (geteuid() != 0) {
		g_test_skip("a bind mount needs root");
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
	g_test_trap_assert_passed();
}

static void add(const char *path, bool with_resolved, void (*test)(struct fixture *, gconstpointer))
{
	g_test_add(path, struct fixture, GINT_TO_POINTER(with_resolved), fixture_set_up, test, fixture_tear_down);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add("/dns/resolved/apply-and-revert", true, test_apply_and_revert);
	add("/dns/resolved/without-default-route", true, test_resolved_without_default_route);
	add("/dns/resolved/refusal-rolls-back", true, test_refusal_rolls_back);
	add("/dns/resolved/revert-of-gone-link", true, test_revert_of_gone_link);
	add("/dns/resolved/revert-refused", true, test_revert_refused);
	add("/dns/resolved/invalid-servers-make-no-call", true, test_invalid_servers_make_no_call);
	add("/dns/resolved/revert-restores-old-backup-too", true, test_revert_restores_old_backup_too);
	add("/dns/no-resolved/falls-back-to-resolv-conf", false, test_bus_without_resolved);
	g_test_add_func("/dns/no-resolved/bind-mounted-resolv-conf", test_bind_mounted_resolv_conf);
	return g_test_run();
}
