/* WhNotifier: one GNotification, replaced as the connection moves between states. */
#include "wh-notifier.h"

#include <glib/gi18n.h>

#define NOTIFICATION_ID "connection"

struct _WhNotifier {
	GObject parent_instance;

	GApplication *app; /* not owned: the application owns the notifier */
	WhHelperClient *client;
	GSettings *settings;
	char *last_state; /* NULL until the helper's first state is known */
};

G_DEFINE_FINAL_TYPE(WhNotifier, wh_notifier, G_TYPE_OBJECT)

static void send(WhNotifier *self, const char *title, const char *body, const char *icon_name)
{
	if (!g_settings_get_boolean(self->settings, "notifications"))
		return;
	g_autoptr(GNotification) notification = g_notification_new(title);
	if (body && *body)
		g_notification_set_body(notification, body);
	g_autoptr(GIcon) icon = g_themed_icon_new(icon_name);
	g_notification_set_icon(notification, icon);
	g_notification_set_default_action(notification, "app.show-window");
	g_application_send_notification(self->app, NOTIFICATION_ID, notification);
}

static const char *lookup_string(GVariant *details, const char *key)
{
	const char *value = NULL;
	if (details && g_variant_lookup(details, key, "&s", &value) && *value)
		return value;
	return NULL;
}

static void on_changed(WhHelperClient *client, gpointer user_data)
{
	WhNotifier *self = user_data;
	const char *state = wh_helper_client_get_state(client);
	GVariant *details = wh_helper_client_get_details(client);
	g_autofree char *previous = g_steal_pointer(&self->last_state);
	self->last_state = g_strdup(state);
	/* The first state after start-up (or after the helper came back) is no news. */
	if (!previous || g_str_equal(previous, "unavailable") || g_str_equal(previous, state))
		return;

	const char *server = lookup_string(details, "profile");
	if (g_str_equal(state, "connected")) {
		g_autofree char *body = server ? g_strdup_printf(_("Your traffic goes through %s."), server)
					       : g_strdup(_("Your traffic goes through the tunnel."));
		send(self, _("Connected"), body, "io.github.wirehop.Wirehop-connected-symbolic");
	} else if (g_str_equal(state, "disconnected") &&
		   (g_str_equal(previous, "connected") || g_str_equal(previous, "disconnecting"))) {
		send(self, _("Disconnected"), _("Your traffic no longer goes through the tunnel."),
		     "io.github.wirehop.Wirehop-disconnected-symbolic");
	} else if (g_str_equal(state, "error")) {
		const char *message = lookup_string(details, "message");
		g_autofree char *title = server ? g_strdup_printf(_("Connection to %s failed"), server)
						: g_strdup(_("Connection failed"));
		send(self, title, message, "io.github.wirehop.Wirehop-error-symbolic");
	} else if (g_str_equal(state, "connecting") || g_str_equal(state, "disconnected")) {
		/* Whatever the last notification said is over. */
		g_application_withdraw_notification(self->app, NOTIFICATION_ID);
	}
}

void wh_notifier_notify_error(WhNotifier *self, const char *message)
{
	g_return_if_fail(WH_IS_NOTIFIER(self));
	send(self, _("Could not connect"), message, "io.github.wirehop.Wirehop-error-symbolic");
}

static void wh_notifier_finalize(GObject *object)
{
	WhNotifier *self = WH_NOTIFIER(object);
	g_clear_object(&self->client);
	g_clear_object(&self->settings);
	g_free(self->last_state);
	G_OBJECT_CLASS(wh_notifier_parent_class)->finalize(object);
}

static void wh_notifier_class_init(WhNotifierClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = wh_notifier_finalize;
}

static void wh_notifier_init(WhNotifier *self)
{
	(void)self;
}

WhNotifier *wh_notifier_new(GApplication *app, WhHelperClient *client, GSettings *settings)
{
	WhNotifier *self = g_object_new(WH_TYPE_NOTIFIER, NULL);
	self->app = app;
	self->client = g_object_ref(client);
	self->settings = g_object_ref(settings);
	g_signal_connect_object(client, "changed", G_CALLBACK(on_changed), self, 0);
	return self;
}
