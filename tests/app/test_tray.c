/* WhTray and WhDbusmenu on a private session bus, against a dbusmock StatusNotifierWatcher, with
 * a plain GSimpleActionGroup, a GListStore of fake servers and a fake helper state: no display. */
#include <signal.h>

#include <gio/gio.h>

#include "wh-tray.h"

#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
#define MOCK_INTERFACE "org.freedesktop.DBus.Mock"
#define ICON_PREFIX "io.github.wirehop.Wirehop-"
#define WAIT_SECONDS 20

/* A server of the list (id, name) or the helper's state (state, details): what the tray reads. */
#define TEST_TYPE_FAKE (test_fake_get_type())
G_DECLARE_FINAL_TYPE(TestFake, test_fake, TEST, FAKE, GObject)

enum { FAKE_PROP_0, FAKE_PROP_ID, FAKE_PROP_NAME, FAKE_PROP_STATE, FAKE_PROP_DETAILS, FAKE_N_PROPS };

struct _TestFake {
	GObject parent_instance;
	char *strings[FAKE_PROP_DETAILS]; /* indexed by the string properties' ids */
	GVariant *details;
};

G_DEFINE_FINAL_TYPE(TestFake, test_fake, G_TYPE_OBJECT)

static void test_fake_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	TestFake *self = TEST_FAKE(object);

	(void)pspec;
	if (prop_id == FAKE_PROP_DETAILS)
		g_value_set_variant(value, self->details);
	else
		g_value_set_string(value, self->strings[prop_id]);
}

static void test_fake_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
	TestFake *self = TEST_FAKE(object);

	(void)pspec;
	if (prop_id == FAKE_PROP_DETAILS) {
		g_clear_pointer(&self->details, g_variant_unref);
		self->details = g_value_dup_variant(value);
	} else {
		g_free(self->strings[prop_id]);
		self->strings[prop_id] = g_value_dup_string(value);
	}
}

static void test_fake_finalize(GObject *object)
{
	TestFake *self = TEST_FAKE(object);

	for (guint i = 0; i < G_N_ELEMENTS(self->strings); i++)
		g_free(self->strings[i]);
	g_clear_pointer(&self->details, g_variant_unref);
	G_OBJECT_CLASS(test_fake_parent_class)->finalize(object);
}

static void test_fake_class_init(TestFakeClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

	object_class->get_property = test_fake_get_property;
	object_class->set_property = test_fake_set_property;
	object_class->finalize = test_fake_finalize;
	g_object_class_install_property(object_class, FAKE_PROP_ID,
					g_param_spec_string("id", NULL, NULL, NULL, flags));
	g_object_class_install_property(object_class, FAKE_PROP_NAME,
					g_param_spec_string("name", NULL, NULL, NULL, flags));
	g_object_class_install_property(object_class, FAKE_PROP_STATE,
					g_param_spec_string("state", NULL, NULL, NULL, flags));
	g_object_class_install_property(object_class, FAKE_PROP_DETAILS,
					g_param_spec_variant("details", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
							     flags));
}

static void test_fake_init(TestFake *self)
{
	(void)self;
}

static GTestDBus *test_bus;
static GDBusConnection *session; /* the tray's side: the shared session connection */
static GDBusConnection *client;	 /* the host's side: a connection of its own */

static gboolean on_tick(gpointer data)
{
	(void)data;
	return G_SOURCE_CONTINUE;
}

/* Runs the main context until cond holds, failing after WAIT_SECONDS; the tick only wakes the
 * loop to look at the clock. */
#define WAIT_FOR(cond)                                                                         \
	G_STMT_START                                                                           \
	{                                                                                      \
		gint64 deadline_ = g_get_monotonic_time() + WAIT_SECONDS * G_USEC_PER_SEC;    \
		guint tick_ = g_timeout_add(20, on_tick, NULL);                                \
		while (!(cond) && g_get_monotonic_time() < deadline_)                          \
			g_main_context_iteration(NULL, TRUE);                                  \
		g_source_remove(tick_);                                                        \
		g_assert_true(cond);                                                           \
	}                                                                                      \
	G_STMT_END

struct pending_call {
	gboolean done;
	GVariant *reply;
	GError *error;
};

static void on_call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	struct pending_call *call = user_data;

	call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &call->error);
	call->done = TRUE;
}

/* Asynchronous underneath: the tray answers from this same main context. */
static GVariant *call(const char *destination, const char *path, const char *interface,
		      const char *method, GVariant *args, GError **error)
{
	struct pending_call pending = { 0 };

	g_dbus_connection_call(client, destination, path, interface, method, args, NULL,
			       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_call_done, &pending);
	WAIT_FOR(pending.done);
	if (pending.error != NULL)
		g_propagate_error(error, pending.error);
	return pending.reply;
}

static GVariant *call_ok(const char *destination, const char *path, const char *interface,
			 const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply = call(destination, path, interface, method, args, &error);

	g_assert_no_error(error);
	return reply;
}

static const char *tray_bus_name(void)
{
	return g_dbus_connection_get_unique_name(session);
}

/* NULL while the item is not exported (yet). */
static GVariant *item_property(const char *name)
{
	g_autoptr(GVariant) reply = call(tray_bus_name(), "/StatusNotifierItem",
					 "org.freedesktop.DBus.Properties", "Get",
					 g_variant_new("(ss)", ITEM_INTERFACE, name), NULL);
	GVariant *value = NULL;

	if (reply != NULL)
		g_variant_get(reply, "(v)", &value);
	return value;
}

static gboolean item_string_is(const char *name, const char *expected)
{
	g_autoptr(GVariant) value = item_property(name);

	return value != NULL && g_strcmp0(g_variant_get_string(value, NULL), expected) == 0;
}

/* ---- the app's side: actions that record their activations, servers, helper state ---- */

static GPtrArray *activations;

static void on_action_activated(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	const char *name = g_action_get_name(G_ACTION(action));

	(void)user_data;
	if (parameter != NULL)
		g_ptr_array_add(activations, g_strdup_printf("%s:%s", name, g_variant_get_string(parameter, NULL)));
	else
		g_ptr_array_add(activations, g_strdup(name));
}

static GActionGroup *make_actions(void)
{
	static const GActionEntry entries[] = {
		{ .name = "connect", .activate = on_action_activated },
		{ .name = "disconnect", .activate = on_action_activated },
		{ .name = "connect-server", .activate = on_action_activated, .parameter_type = "s" },
		{ .name = "show-window", .activate = on_action_activated },
		{ .name = "quit", .activate = on_action_activated },
	};
	GSimpleActionGroup *group = g_simple_action_group_new();

	g_action_map_add_action_entries(G_ACTION_MAP(group), entries, G_N_ELEMENTS(entries), NULL);
	return G_ACTION_GROUP(group);
}

static gboolean activated(const char *what)
{
	for (guint i = 0; i < activations->len; i++) {
		if (g_str_equal(g_ptr_array_index(activations, i), what))
			return TRUE;
	}
	return FALSE;
}

static void add_server(GListStore *servers, const char *id, const char *name)
{
	g_autoptr(TestFake) server = g_object_new(TEST_TYPE_FAKE, "id", id, "name", name, NULL);

	g_list_store_append(servers, server);
}

struct app {
	GActionGroup *actions;
	GListStore *servers;
	TestFake *helper;
	WhTray *tray;
};

static void app_start(struct app *app)
{
	g_ptr_array_set_size(activations, 0);
	app->actions = make_actions();
	app->servers = g_list_store_new(TEST_TYPE_FAKE);
	add_server(app->servers, "alpha-id", "Alpha");
	add_server(app->servers, "beta-id", "Beta_2");
	app->helper = g_object_new(TEST_TYPE_FAKE, "state", "disconnected", NULL);
	app->tray = wh_tray_new(app->actions, G_LIST_MODEL(app->servers), G_OBJECT(app->helper));
	WAIT_FOR(item_string_is("Id", "io.github.wirehop.Wirehop"));
}

static void app_stop(struct app *app)
{
	g_clear_object(&app->tray);
	g_clear_object(&app->helper);
	g_clear_object(&app->servers);
	g_clear_object(&app->actions);
}

/* ---- the watcher: dbusmock, taught RegisterStatusNotifierItem over its Mock interface ---- */

static void on_name_appeared(GDBusConnection *connection, const char *name, const char *owner,
			     gpointer user_data)
{
	(void)connection;
	(void)name;
	(void)owner;
	*(gboolean *)user_data = TRUE;
}

static void on_name_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	(void)connection;
	(void)name;
	*(gboolean *)user_data = FALSE;
}

static void wait_watcher_owned(gboolean owned)
{
	gboolean appeared = !owned;
	guint watch = g_bus_watch_name_on_connection(client, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
						     on_name_appeared, on_name_vanished, &appeared, NULL);

	WAIT_FOR(appeared == owned);
	g_bus_unwatch_name(watch);
}

static void mock_call(const char *method, GVariant *args)
{
	g_autoptr(GVariant) reply = call_ok(WATCHER_NAME, WATCHER_PATH, MOCK_INTERFACE, method, args);
}

/* host: what IsStatusNotifierHostRegistered says. */
static GSubprocess *start_watcher(gboolean host)
{
	g_autoptr(GError) error = NULL;
	GSubprocess *watcher = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, "/usr/bin/python3",
						"-m", "dbusmock", WATCHER_NAME, WATCHER_PATH, WATCHER_NAME, NULL);

	g_assert_no_error(error);
	wait_watcher_owned(TRUE);
	mock_call("AddMethod", g_variant_new("(sssss)", "", "RegisterStatusNotifierItem", "s", "", ""));
	mock_call("AddProperty", g_variant_new("(ssv)", WATCHER_NAME, "IsStatusNotifierHostRegistered",
					       g_variant_new_boolean(host)));
	return watcher;
}

static void stop_watcher(GSubprocess *watcher)
{
	g_subprocess_send_signal(watcher, SIGTERM);
	g_assert_true(g_subprocess_wait(watcher, NULL, NULL));
	g_object_unref(watcher);
	wait_watcher_owned(FALSE);
}

/* The watcher recorded RegisterStatusNotifierItem with the tray's bus name. */
static gboolean watcher_registered_tray(void)
{
	g_autoptr(GVariant) reply = call_ok(WATCHER_NAME, WATCHER_PATH, MOCK_INTERFACE, "GetCalls", NULL);
	g_autoptr(GVariant) calls = g_variant_get_child_value(reply, 0);
	g_autoptr(GVariantIter) args = NULL;
	GVariantIter iter;
	const char *method;

	g_variant_iter_init(&iter, calls);
	while (g_variant_iter_next(&iter, "(t&sav)", NULL, &method, &args)) {
		g_autoptr(GVariant) arg = NULL;

		if (g_str_equal(method, "RegisterStatusNotifierItem") && g_variant_iter_next(args, "v", &arg) &&
		    g_strcmp0(g_variant_get_string(arg, NULL), tray_bus_name()) == 0)
			return TRUE;
		g_clear_pointer(&args, g_variant_iter_free);
	}
	return FALSE;
}

/* ---- the menu, read as a host reads it ---- */

/* Labels of the root's children in order ("-" for a separator); ids in the same order. */
static guint menu_layout(GPtrArray *labels, GArray *ids)
{
	g_autoptr(GVariant) reply = call_ok(tray_bus_name(), "/MenuBar", MENU_INTERFACE, "GetLayout",
					    g_variant_new("(ii^as)", 0, -1, (const char *const[]){ NULL }));
	g_autoptr(GVariantIter) children = NULL;
	g_autoptr(GVariant) root_properties = NULL;
	GVariant *child;
	guint revision;
	int root_id;

	g_variant_get(reply, "(u(i@a{sv}av))", &revision, &root_id, &root_properties, &children);
	g_assert_cmpint(root_id, ==, 0);
	while (g_variant_iter_next(children, "v", &child)) {
		g_autoptr(GVariant) node = child;
		g_autoptr(GVariant) properties = NULL;
		const char *label = "-";
		int id;

		g_variant_get(node, "(i@a{sv}av)", &id, &properties, NULL);
		g_variant_lookup(properties, "label", "&s", &label);
		g_ptr_array_add(labels, g_strdup(label));
		g_array_append_val(ids, id);
	}
	return revision;
}

static int menu_id(const char *label)
{
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

	menu_layout(labels, ids);
	for (guint i = 0; i < labels->len; i++) {
		if (g_str_equal(g_ptr_array_index(labels, i), label))
			return g_array_index(ids, int, i);
	}
	g_assert_not_reached();
}

static void click(const char *label)
{
	g_autoptr(GVariant) reply = call_ok(tray_bus_name(), "/MenuBar", MENU_INTERFACE, "Event",
					    g_variant_new("(isvu)", menu_id(label), "clicked",
							  g_variant_new_int32(0), 0));
}

static void assert_menu(const char *const *expected)
{
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));

	menu_layout(labels, ids);
	g_ptr_array_add(labels, NULL);
	g_assert_cmpstrv((const char *const *)labels->pdata, expected);
}

static void on_layout_updated(GDBusConnection *connection, const char *sender, const char *path,
			      const char *interface, const char *signal, GVariant *parameters,
			      gpointer user_data)
{
	(void)connection;
	(void)sender;
	(void)path;
	(void)interface;
	(void)signal;
	g_variant_get(parameters, "(ui)", (guint *)user_data, NULL);
}

/* ---- tests ---- */

static void test_no_watcher(void)
{
	struct app app = { 0 };
	g_autoptr(GVariant) reply = NULL;

	app_start(&app);
	/* A round trip through the bus after the export: the name watch has answered by now. */
	reply = call_ok("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
			"NameHasOwner", g_variant_new("(s)", WATCHER_NAME));
	g_assert_false(wh_tray_get_available(app.tray));
	/* The item and its menu work all the same. */
	click("Connect");
	WAIT_FOR(activated("connect"));
	g_assert_false(wh_tray_get_available(app.tray));
	app_stop(&app);
}

static void test_states(void)
{
	static const struct {
		const char *state;
		const char *icon;
	} cases[] = {
		{ "connecting", ICON_PREFIX "connecting-symbolic" },
		{ "connected", ICON_PREFIX "connected-symbolic" },
		{ "disconnecting", ICON_PREFIX "connecting-symbolic" },
		{ "error", ICON_PREFIX "error-symbolic" },
		{ "unavailable", ICON_PREFIX "disconnected-symbolic" },
		{ "disconnected", ICON_PREFIX "disconnected-symbolic" },
	};
	struct app app = { 0 };
	g_autoptr(GVariant) details = g_variant_ref_sink(g_variant_new_parsed("{'profile': <'Alpha'>}"));
	g_autoptr(GVariant) tooltip = NULL;
	const char *description;

	app_start(&app);
	g_assert_true(item_string_is("IconName", ICON_PREFIX "disconnected-symbolic"));
	g_assert_true(item_string_is("Category", "ApplicationStatus"));
	g_assert_true(item_string_is("Title", "Wirehop"));
	g_assert_true(item_string_is("Status", "Active"));
	g_assert_true(item_string_is("Menu", "/MenuBar"));
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_object_set(app.helper, "state", cases[i].state, NULL);
		WAIT_FOR(item_string_is("IconName", cases[i].icon));
	}
	g_object_set(app.helper, "details", details, "state", "connected", NULL);
	WAIT_FOR(item_string_is("IconName", ICON_PREFIX "connected-symbolic"));
	tooltip = item_property("ToolTip");
	g_variant_get(tooltip, "(&s@a(iiay)&s&s)", NULL, NULL, NULL, &description);
	g_assert_cmpstr(description, ==, "Connected to Alpha");
	app_stop(&app);
}

static void test_menu(void)
{
	static const char *const disconnected[] = { "Connect", "-", "Alpha", "Beta__2", "-",
						    "Show Wirehop", "Quit", NULL };
	static const char *const connected[] = { "Disconnect", "-", "Alpha", "Beta__2", "Gamma", "-",
						 "Show Wirehop", "Quit", NULL };
	struct app app = { 0 };
	g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));
	g_autoptr(GVariant) version = NULL;
	g_autoptr(GVariant) reply = NULL;
	guint signalled_revision = 0;
	guint revision;
	guint subscription;

	app_start(&app);
	reply = call_ok(tray_bus_name(), "/MenuBar", "org.freedesktop.DBus.Properties", "Get",
			g_variant_new("(ss)", MENU_INTERFACE, "Version"));
	g_variant_get(reply, "(v)", &version);
	g_assert_cmpuint(g_variant_get_uint32(version), ==, 3);

	assert_menu(disconnected);
	click("Connect");
	click("Beta__2");
	click("Show Wirehop");
	click("Quit");
	WAIT_FOR(activated("connect") && activated("connect-server:beta-id") && activated("show-window") &&
		 activated("quit"));

	subscription = g_dbus_connection_signal_subscribe(client, tray_bus_name(), MENU_INTERFACE,
							  "LayoutUpdated", "/MenuBar", NULL,
							  G_DBUS_SIGNAL_FLAGS_NONE, on_layout_updated,
							  &signalled_revision, NULL);
	revision = menu_layout(labels, ids);
	/* The subscription reaches the bus before this round trip returns. */
	g_clear_pointer(&reply, g_variant_unref);
	reply = call_ok(tray_bus_name(), "/MenuBar", MENU_INTERFACE, "AboutToShow", g_variant_new("(i)", 0));
	add_server(app.servers, "gamma-id", "Gamma");
	WAIT_FOR(signalled_revision > revision);
	g_dbus_connection_signal_unsubscribe(client, subscription);

	g_object_set(app.helper, "state", "connected", NULL);
	assert_menu(connected);
	click("Disconnect");
	click("Gamma");
	WAIT_FOR(activated("disconnect") && activated("connect-server:gamma-id"));

	/* A click on the icon itself shows the window; a middle click disconnects. */
	g_ptr_array_set_size(activations, 0);
	g_clear_pointer(&reply, g_variant_unref);
	reply = call_ok(tray_bus_name(), "/StatusNotifierItem", ITEM_INTERFACE, "Activate",
			g_variant_new("(ii)", 0, 0));
	g_clear_pointer(&reply, g_variant_unref);
	reply = call_ok(tray_bus_name(), "/StatusNotifierItem", ITEM_INTERFACE, "SecondaryActivate",
			g_variant_new("(ii)", 0, 0));
	WAIT_FOR(activated("show-window") && activated("disconnect"));
	app_stop(&app);
}

/* The watcher changes its mind about hosts: it sets the property and emits the signal. */
static void watcher_announce_host(gboolean host)
{
	g_autoptr(GVariant) reply = call_ok(WATCHER_NAME, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Set",
					    g_variant_new("(ssv)", WATCHER_NAME, "IsStatusNotifierHostRegistered",
							  g_variant_new_boolean(host)));

	mock_call("EmitSignal", g_variant_new("(sss@av)", WATCHER_NAME,
					      host ? "StatusNotifierHostRegistered" : "StatusNotifierHostUnregistered",
					      "", g_variant_new_array(G_VARIANT_TYPE_VARIANT, NULL, 0)));
}

static void test_watcher(void)
{
	struct app app = { 0 };
	GSubprocess *watcher = start_watcher(TRUE);

	app_start(&app);
	WAIT_FOR(wh_tray_get_available(app.tray));
	g_assert_true(watcher_registered_tray());

	stop_watcher(watcher);
	WAIT_FOR(!wh_tray_get_available(app.tray));

	/* The new watcher may refuse the first registration (its method is taught after it took the
	 * name); announcing a host makes the tray ask again, as a real watcher does. */
	watcher = start_watcher(TRUE);
	watcher_announce_host(TRUE);
	WAIT_FOR(wh_tray_get_available(app.tray));
	g_assert_true(watcher_registered_tray());

	app_stop(&app);
	stop_watcher(watcher);
}

static void test_skip(void)
{
	g_test_skip("python3-dbusmock is not installed for /usr/bin/python3");
}

/* A watcher with no host shows nothing: the item is registered but not "available". */
static void test_watcher_without_host(void)
{
	struct app app = { 0 };
	GSubprocess *watcher = start_watcher(FALSE);

	app_start(&app);
	WAIT_FOR(watcher_registered_tray());
	g_assert_false(wh_tray_get_available(app.tray));
	watcher_announce_host(TRUE);
	WAIT_FOR(wh_tray_get_available(app.tray));
	watcher_announce_host(FALSE);
	WAIT_FOR(!wh_tray_get_available(app.tray));
	app_stop(&app);
	stop_watcher(watcher);
}

int main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	if (!g_spawn_command_line_sync("/usr/bin/python3 -c 'import dbusmock'", NULL, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_test_add_func("/tray/skipped", test_skip);
		return g_test_run();
	}

	test_bus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(test_bus);
	client = g_dbus_connection_new_for_address_sync(g_test_dbus_get_bus_address(test_bus),
							G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
								G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
							NULL, NULL, NULL);
	g_assert_nonnull(client);
	/* The same connection the tray gets from g_bus_get. */
	session = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
	activations = g_ptr_array_new_with_free_func(g_free);

	g_test_add_func("/tray/no-watcher", test_no_watcher);
	g_test_add_func("/tray/states", test_states);
	g_test_add_func("/tray/menu", test_menu);
	g_test_add_func("/tray/watcher", test_watcher);
	g_test_add_func("/tray/watcher-without-host", test_watcher_without_host);
	status = g_test_run();

	g_ptr_array_unref(activations);
	g_dbus_connection_close_sync(client, NULL, NULL);
	g_clear_object(&client);
	g_clear_object(&session);
	g_test_dbus_down(test_bus);
	g_clear_object(&test_bus);
	return status;
}
