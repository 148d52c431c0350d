/* The StatusNotifierItem at /StatusNotifierItem (built on the skeleton gdbus-codegen makes from
 * data/org.kde.StatusNotifierItem.xml), its menu at /MenuBar, and its registration with the
 * desktop's StatusNotifierWatcher, renewed whenever a watcher appears. */
#include "wh-tray.h"

#include <glib/gi18n.h>

#include "wh-dbusmenu.h"
#include "wh-tray-generated.h"

#define APP_ID "io.github.wirehop.Wirehop"
#define ITEM_PATH "/StatusNotifierItem"
#define MENU_PATH "/MenuBar"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

struct _WhTray {
	GObject parent_instance;

	GActionGroup *actions;
	GObject *state_source;
	WhDbusmenu *menu;
	WhGenStatusNotifierItem *item;
	GCancellable *cancellable;
	GDBusConnection *connection;
	guint watcher_watch;
	guint host_registered_subscription;
	guint host_unregistered_subscription;
	gboolean registered;	  /* the watcher answered RegisterStatusNotifierItem */
	gboolean host_registered; /* the watcher says a host shows items */
	gboolean available;
};

G_DEFINE_FINAL_TYPE(WhTray, wh_tray, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_AVAILABLE,
	N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static const char *icon_for_state(const char *state)
{
	if (g_strcmp0(state, "connected") == 0)
		return APP_ID "-connected-symbolic";
	if (g_strcmp0(state, "connecting") == 0 || g_strcmp0(state, "disconnecting") == 0)
		return APP_ID "-connecting-symbolic";
	if (g_strcmp0(state, "error") == 0)
		return APP_ID "-error-symbolic";
	return APP_ID "-disconnected-symbolic";
}

/* details: the helper's a{sv} (keys "profile", "message"), or NULL. */
static char *describe_state(const char *state, GVariant *details)
{
	const char *profile = NULL;
	const char *message = NULL;

	if (details != NULL) {
		g_variant_lookup(details, "profile", "&s", &profile);
		g_variant_lookup(details, "message", "&s", &message);
	}
	if (g_strcmp0(state, "connected") == 0)
		/* Translators: tray tooltip; %s is the server's name */
		return profile != NULL ? g_strdup_printf(_("Connected to %s"), profile) : g_strdup(_("Connected"));
	if (g_strcmp0(state, "connecting") == 0)
		/* Translators: tray tooltip; %s is the server's name */
		return profile != NULL ? g_strdup_printf(_("Connecting to %s…"), profile)
				       : g_strdup(_("Connecting…"));
	if (g_strcmp0(state, "disconnecting") == 0)
		return g_strdup(_("Disconnecting…"));
	if (g_strcmp0(state, "error") == 0)
		/* Translators: tray tooltip; %s is the helper's message, e.g. "No handshake" */
		return message != NULL ? g_strdup_printf(_("Error: %s"), message) : g_strdup(_("Error"));
	if (g_strcmp0(state, "unavailable") == 0)
		return g_strdup(_("The Wirehop service is not running"));
	return g_strdup(_("Disconnected"));
}

static GVariant *no_pixmaps(void)
{
	return g_variant_new_array(G_VARIANT_TYPE("(iiay)"), NULL, 0);
}

static void on_state_changed(WhTray *self)
{
	g_autofree char *state = NULL;
	g_autoptr(GVariant) details = NULL;
	g_autofree char *description = NULL;
	const char *icon_name;

	g_object_get(self->state_source, "state", &state, NULL);
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(self->state_source), "details") != NULL)
		g_object_get(self->state_source, "details", &details, NULL);

	icon_name = icon_for_state(state);
	description = describe_state(state, details);
	wh_dbusmenu_set_state(self->menu, state);
	if (g_strcmp0(wh_gen_status_notifier_item_get_icon_name(self->item), icon_name) != 0) {
		wh_gen_status_notifier_item_set_icon_name(self->item, icon_name);
		wh_gen_status_notifier_item_emit_new_icon(self->item);
	}
	wh_gen_status_notifier_item_set_tool_tip(self->item, g_variant_new("(s@a(iiay)ss)", icon_name,
								  no_pixmaps(), "Wirehop", description));
	wh_gen_status_notifier_item_emit_new_tool_tip(self->item);
}

static void update_available(WhTray *self)
{
	gboolean available = self->registered && self->host_registered;

	if (available == self->available)
		return;
	self->available = available;
	g_debug("Tray icon %s", available ? "shown by the desktop" : "not shown (no StatusNotifierHost)");
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_AVAILABLE]);
}

static void on_host_queried(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	g_autoptr(GVariant) value = NULL;
	WhTray *self = user_data;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (reply != NULL)
		g_variant_get(reply, "(v)", &value);
	/* A watcher that cannot tell is trusted: it took the item, so something is likely to show it. */
	self->host_registered = value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN) ||
				g_variant_get_boolean(value);
	update_available(self);
}

static void query_host(WhTray *self)
{
	g_dbus_connection_call(self->connection, WATCHER_NAME, WATCHER_PATH,
			       "org.freedesktop.DBus.Properties", "Get",
			       g_variant_new("(ss)", WATCHER_INTERFACE, "IsStatusNotifierHostRegistered"),
			       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
			       on_host_queried, self);
}

static void on_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	WhTray *self = user_data;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self->registered = reply != NULL;
	if (!self->registered) {
		/* Not alarming: the window stays the way to use the app. */
		g_debug("The StatusNotifierWatcher did not take the tray item: %s", error->message);
		update_available(self);
		return;
	}
	query_host(self);
}

/* The item is known by the connection's unique name; the watcher finds it at /StatusNotifierItem. */
static void register_item(WhTray *self)
{
	g_dbus_connection_call(self->connection, WATCHER_NAME, WATCHER_PATH, WATCHER_INTERFACE,
			       "RegisterStatusNotifierItem",
			       g_variant_new("(s)", g_dbus_connection_get_unique_name(self->connection)),
			       NULL, G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_registered, self);
}

static void on_watcher_appeared(GDBusConnection *connection, const char *name, const char *owner,
				gpointer user_data)
{
	(void)connection;
	(void)name;
	(void)owner;
	register_item(user_data);
}

static void on_watcher_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	WhTray *self = user_data;

	(void)connection;
	(void)name;
	self->registered = FALSE;
	self->host_registered = FALSE;
	update_available(self);
}

/* StatusNotifierHostRegistered/Unregistered. A watcher that refused the item (one still starting
 * up) is asked again when it announces a host. */
static void on_host_signal(GDBusConnection *connection, const char *sender, const char *object_path,
			   const char *interface, const char *signal, GVariant *parameters,
			   gpointer user_data)
{
	WhTray *self = user_data;

	(void)connection;
	(void)sender;
	(void)object_path;
	(void)interface;
	(void)parameters;
	if (!self->registered) {
		if (g_str_equal(signal, "StatusNotifierHostRegistered"))
			register_item(self);
		return;
	}
	query_host(self);
}

static guint subscribe_watcher_signal(WhTray *self, const char *signal)
{
	return g_dbus_connection_signal_subscribe(self->connection, WATCHER_NAME, WATCHER_INTERFACE, signal,
						  WATCHER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_host_signal,
						  self, NULL);
}

static void on_bus_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *connection = g_bus_get_finish(result, &error);
	WhTray *self = user_data;

	(void)source;
	if (connection == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("No session bus, so no tray icon: %s", error->message);
		return;
	}
	self->connection = connection;
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->item), connection, ITEM_PATH,
					      &error) ||
	    !wh_dbusmenu_export(self->menu, connection, MENU_PATH, &error)) {
		g_warning("Cannot export the tray icon: %s", error->message);
		return;
	}
	self->host_registered_subscription = subscribe_watcher_signal(self, "StatusNotifierHostRegistered");
	self->host_unregistered_subscription = subscribe_watcher_signal(self, "StatusNotifierHostUnregistered");
	self->watcher_watch = g_bus_watch_name_on_connection(connection, WATCHER_NAME,
							     G_BUS_NAME_WATCHER_FLAGS_NONE, on_watcher_appeared,
							     on_watcher_vanished, self, NULL);
}

static void show_window(WhTray *self)
{
	if (g_action_group_has_action(self->actions, "show-window"))
		g_action_group_activate_action(self->actions, "show-window", NULL);
}

/* Activate (a click on the icon) and ContextMenu, which only hosts that cannot show the dbusmenu
 * ask for (without GTK here, the window stands in for the menu): both complete with no reply. */
static gboolean on_handle_show_window(WhGenStatusNotifierItem *item, GDBusMethodInvocation *invocation,
				      int x, int y, gpointer user_data)
{
	(void)item;
	(void)x;
	(void)y;
	show_window(user_data);
	g_dbus_method_invocation_return_value(invocation, NULL);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A middle click does what the menu's first item does: connect or disconnect. */
static gboolean on_handle_secondary_activate(WhGenStatusNotifierItem *item,
					     GDBusMethodInvocation *invocation, int x, int y,
					     gpointer user_data)
{
	WhTray *self = user_data;

	(void)x;
	(void)y;
	wh_dbusmenu_activate_toggle(self->menu);
	wh_gen_status_notifier_item_complete_secondary_activate(item, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Scrolling over the icon means nothing for a VPN; answered so hosts see no error. */
static gboolean on_handle_scroll(WhGenStatusNotifierItem *item, GDBusMethodInvocation *invocation,
				 int delta, const char *orientation, gpointer user_data)
{
	(void)delta;
	(void)orientation;
	(void)user_data;
	wh_gen_status_notifier_item_complete_scroll(item, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void wh_tray_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	WhTray *self = WH_TRAY(object);

	switch (prop_id) {
	case PROP_AVAILABLE:
		g_value_set_boolean(value, self->available);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void wh_tray_dispose(GObject *object)
{
	WhTray *self = WH_TRAY(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_handle_id(&self->watcher_watch, g_bus_unwatch_name);
	if (self->connection != NULL) {
		g_dbus_connection_signal_unsubscribe(self->connection, self->host_registered_subscription);
		g_dbus_connection_signal_unsubscribe(self->connection, self->host_unregistered_subscription);
		self->host_registered_subscription = 0;
		self->host_unregistered_subscription = 0;
	}
	if (self->item != NULL &&
	    g_dbus_interface_skeleton_get_object_path(G_DBUS_INTERFACE_SKELETON(self->item)) != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->item));
	if (self->state_source != NULL)
		g_signal_handlers_disconnect_by_data(self->state_source, self);
	g_clear_object(&self->state_source);
	g_clear_object(&self->actions);
	g_clear_object(&self->menu);
	g_clear_object(&self->item);
	g_clear_object(&self->connection);
	g_clear_object(&self->cancellable);
	G_OBJECT_CLASS(wh_tray_parent_class)->dispose(object);
}

static void wh_tray_class_init(WhTrayClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = wh_tray_get_property;
	object_class->dispose = wh_tray_dispose;

	properties[PROP_AVAILABLE] = g_param_spec_boolean("available", NULL, NULL, FALSE,
							  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
								  G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void wh_tray_init(WhTray *self)
{
	self->cancellable = g_cancellable_new();
	self->item = wh_gen_status_notifier_item_skeleton_new();
	wh_gen_status_notifier_item_set_category(self->item, "ApplicationStatus");
	wh_gen_status_notifier_item_set_id(self->item, APP_ID);
	wh_gen_status_notifier_item_set_title(self->item, "Wirehop");
	wh_gen_status_notifier_item_set_status(self->item, "Active");
	wh_gen_status_notifier_item_set_window_id(self->item, 0);
	wh_gen_status_notifier_item_set_icon_theme_path(self->item, "");
	wh_gen_status_notifier_item_set_menu(self->item, MENU_PATH);
	wh_gen_status_notifier_item_set_item_is_menu(self->item, FALSE);
	wh_gen_status_notifier_item_set_icon_pixmap(self->item, no_pixmaps());
	wh_gen_status_notifier_item_set_overlay_icon_name(self->item, "");
	wh_gen_status_notifier_item_set_overlay_icon_pixmap(self->item, no_pixmaps());
	wh_gen_status_notifier_item_set_attention_icon_name(self->item, "");
	wh_gen_status_notifier_item_set_attention_icon_pixmap(self->item, no_pixmaps());
	wh_gen_status_notifier_item_set_attention_movie_name(self->item, "");
	g_signal_connect(self->item, "handle-activate", G_CALLBACK(on_handle_show_window), self);
	g_signal_connect(self->item, "handle-secondary-activate", G_CALLBACK(on_handle_secondary_activate),
			 self);
	g_signal_connect(self->item, "handle-context-menu", G_CALLBACK(on_handle_show_window), self);
	g_signal_connect(self->item, "handle-scroll", G_CALLBACK(on_handle_scroll), self);
}

WhTray *wh_tray_new(GActionGroup *actions, GListModel *servers, GObject *state_source)
{
	WhTray *self;

	g_return_val_if_fail(G_IS_ACTION_GROUP(actions), NULL);
	g_return_val_if_fail(G_IS_LIST_MODEL(servers), NULL);
	g_return_val_if_fail(G_IS_OBJECT(state_source), NULL);

	self = g_object_new(WH_TYPE_TRAY, NULL);
	self->actions = g_object_ref(actions);
	self->state_source = g_object_ref(state_source);
	self->menu = wh_dbusmenu_new(actions, servers);
	g_signal_connect_swapped(state_source, "notify::state", G_CALLBACK(on_state_changed), self);
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(state_source), "details") != NULL)
		g_signal_connect_swapped(state_source, "notify::details", G_CALLBACK(on_state_changed), self);
	on_state_changed(self);
	g_bus_get(G_BUS_TYPE_SESSION, self->cancellable, on_bus_ready, self);
	return self;
}

gboolean wh_tray_get_available(WhTray *self)
{
	g_return_val_if_fail(WH_IS_TRAY(self), FALSE);

	return self->available;
}
