/* WhConnectionPage: shows the helper's state as it changes (wirehopctl's changes too) and turns the
 * switch into app.connect / app.disconnect. */
#include "wh-connection-page.h"

#include <glib/gi18n.h>

struct _WhConnectionPage {
	AdwBin parent_instance;

	WhApplication *app;
	WhHelperClient *client;
	GSettings *settings;

	GtkImage *state_icon;
	GtkLabel *state_label;
	GtkLabel *route_label;
	GtkLabel *detail_label;
	GtkSwitch *connect_switch;
	GtkWidget *error_box;
	GtkLabel *error_title;
	GtkLabel *error_message;
	GtkWidget *traffic_box;
	GtkLabel *rx_label;
	GtkLabel *tx_label;
	GtkLabel *handshake_label;
	GtkSwitch *daita_switch;
	AdwActionRow *kill_switch_row;

	char *state_class;
};

G_DEFINE_FINAL_TYPE(WhConnectionPage, wh_connection_page, ADW_TYPE_BIN)

/* The helper's error causes (docs/helper.md), as a title. */
static const struct {
	const char *cause;
	const char *title;
} cause_titles[] = {
	{"handshake-timeout", N_("The server does not answer")},
	{"auth-failed", N_("The server refused the key")},
	{"tunnel-device", N_("The tunnel device could not be set up")},
	{"netcfg", N_("The network could not be configured")},
	{"dns", N_("DNS could not be configured")},
	{"firewall", N_("The kill switch could not be set up")},
	{"offline", N_("The computer is offline")},
	{"invalid-config", N_("The server's settings are not valid")},
};

static const char *cause_title(const char *cause)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cause_titles); i++)
		if (g_strcmp0(cause, cause_titles[i].cause) == 0)
			return _(cause_titles[i].title);
	return _("The connection failed");
}

static const char *state_words(const char *state)
{
	if (g_str_equal(state, "connecting"))
		return _("Connecting…");
	if (g_str_equal(state, "connected"))
		return _("Connected");
	if (g_str_equal(state, "disconnecting"))
		return _("Disconnecting…");
	if (g_str_equal(state, "error"))
		return _("Error");
	if (g_str_equal(state, "unavailable"))
		return _("Unavailable");
	return _("Disconnected");
}

static void set_state_class(WhConnectionPage *self, const char *state)
{
	g_autofree char *css_class = g_strconcat("state-", state, NULL);
	if (self->state_class)
		gtk_widget_remove_css_class(GTK_WIDGET(self), self->state_class);
	gtk_widget_add_css_class(GTK_WIDGET(self), css_class);
	g_free(self->state_class);
	self->state_class = g_steal_pointer(&css_class);
}

/* On from the click to the end of the connection: connecting, connected, and an error the helper still
 * holds (its kill switch may block), so that turning it off always means Disconnect. */
static void set_switch(WhConnectionPage *self, gboolean on)
{
	g_signal_handlers_block_matched(self->connect_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
	gtk_switch_set_active(self->connect_switch, on);
	gtk_switch_set_state(self->connect_switch, on);
	g_signal_handlers_unblock_matched(self->connect_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void update_statistics(WhConnectionPage *self)
{
	g_autofree char *rx = g_format_size((guint64)wh_helper_client_get_rx_rate(self->client));
	g_autofree char *tx = g_format_size((guint64)wh_helper_client_get_tx_rate(self->client));
	/* Translators: a transfer rate, "1.2 MB/s". */
	g_autofree char *rx_text = g_strdup_printf(_("%s/s"), rx);
	g_autofree char *tx_text = g_strdup_printf(_("%s/s"), tx);
	gtk_label_set_label(self->rx_label, rx_text);
	gtk_label_set_label(self->tx_label, tx_text);

	gint64 age = wh_helper_client_get_handshake_age(self->client);
	g_autofree char *handshake = NULL;
	if (age < 0)
		handshake = g_strdup(_("Waiting for the first handshake"));
	else if (age < 120)
		handshake = g_strdup_printf(_("Last handshake %d s ago"), (int)age);
	else
		handshake = g_strdup_printf(_("Last handshake %d min ago"), (int)(age / 60));
	gtk_label_set_label(self->handshake_label, handshake);
}

static void on_statistics(GObject *client, GParamSpec *pspec, gpointer user_data)
{
	(void)client;
	(void)pspec;
	update_statistics(user_data);
}

static void update_kill_switch(WhConnectionPage *self)
{
	gboolean on = g_settings_get_boolean(self->settings, "kill-switch");
	adw_action_row_set_subtitle(self->kill_switch_row,
				    on ? _("On: nothing leaves outside the tunnel while it is up or failing")
				       : _("Off"));
}

static void update(WhConnectionPage *self)
{
	const char *state = wh_helper_client_get_state(self->client);
	GVariant *details = wh_helper_client_get_details(self->client);
	gboolean busy = wh_application_get_busy(self->app);
	const char *connect_error = wh_application_get_connect_error(self->app);
	gboolean has_connection = g_str_equal(state, "connecting") || g_str_equal(state, "connected") ||
				  g_str_equal(state, "disconnecting") || g_str_equal(state, "error");
	/* Until the helper answers, the app's own request is the news. */
	const char *shown = busy && !has_connection ? "connecting" : state;

	gtk_label_set_label(self->state_label, state_words(shown));
	g_autofree char *icon = g_strdup_printf("io.github.wirehop.Wirehop-%s-symbolic",
						g_str_equal(shown, "unavailable") ? "disconnected"
						: g_str_equal(shown, "disconnecting") ? "connecting"
										       : shown);
	gtk_image_set_from_icon_name(self->state_icon, icon);
	set_state_class(self, shown);

	g_autofree char *route = wh_application_describe_route(self->app);
	gtk_label_set_label(self->route_label, route ? route : _("No server chosen"));

	const char *detail = NULL;
	if (g_str_equal(shown, "unavailable"))
		detail = _("The Wirehop helper (wirehopd) is not running. It starts when you connect, if it is installed.");
	else if (!route)
		detail = _("Add a server on the Servers page, or import a .conf file.");
	gtk_label_set_label(self->detail_label, detail ? detail : "");
	gtk_widget_set_visible(GTK_WIDGET(self->detail_label), detail != NULL);

	set_switch(self, busy || has_connection);

	const char *message = NULL;
	if (connect_error) {
		gtk_label_set_label(self->error_title, _("Could not connect"));
		message = connect_error;
	} else if (g_str_equal(state, "error")) {
		const char *cause = NULL;
		g_variant_lookup(details, "cause", "&s", &cause);
		g_variant_lookup(details, "message", "&s", &message);
		gtk_label_set_label(self->error_title, cause_title(cause));
		if (!message)
			message = cause ? cause : "";
	}
	gtk_label_set_label(self->error_message, message ? message : "");
	gtk_widget_set_visible(self->error_box, message != NULL);

	gtk_widget_set_visible(self->traffic_box, g_str_equal(state, "connected"));
	update_statistics(self);
}

static void on_changed(gpointer user_data)
{
	update(WH_CONNECTION_PAGE(user_data));
}

static void on_settings_changed(GSettings *settings, const char *key, gpointer user_data)
{
	(void)settings;
	WhConnectionPage *self = user_data;
	if (g_str_equal(key, "kill-switch"))
		update_kill_switch(self);
	else
		update(self);
}

static gboolean on_connect_switch_state_set(GtkSwitch *connect_switch, gboolean state, gpointer user_data)
{
	WhConnectionPage *self = user_data;
	gtk_widget_activate_action(GTK_WIDGET(connect_switch), state ? "app.connect" : "app.disconnect", NULL);
	/* The switch's state follows the helper, not the click. */
	update(self);
	return TRUE;
}

static void wh_connection_page_dispose(GObject *object)
{
	WhConnectionPage *self = WH_CONNECTION_PAGE(object);
	gtk_widget_dispose_template(GTK_WIDGET(self), WH_TYPE_CONNECTION_PAGE);
	g_clear_object(&self->settings);
	g_clear_object(&self->client);
	g_clear_object(&self->app);
	G_OBJECT_CLASS(wh_connection_page_parent_class)->dispose(object);
}

static void wh_connection_page_finalize(GObject *object)
{
	g_free(WH_CONNECTION_PAGE(object)->state_class);
	G_OBJECT_CLASS(wh_connection_page_parent_class)->finalize(object);
}

static void wh_connection_page_class_init(WhConnectionPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	object_class->dispose = wh_connection_page_dispose;
	object_class->finalize = wh_connection_page_finalize;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-connection-page.ui");
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, state_icon);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, state_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, route_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, detail_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, connect_switch);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, error_box);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, error_title);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, error_message);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, traffic_box);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, rx_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, tx_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, handshake_label);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, daita_switch);
	gtk_widget_class_bind_template_child(widget_class, WhConnectionPage, kill_switch_row);
	gtk_widget_class_bind_template_callback(widget_class, on_connect_switch_state_set);
}

static void wh_connection_page_init(WhConnectionPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_connection_page_new(WhApplication *app)
{
	WhConnectionPage *self = g_object_new(WH_TYPE_CONNECTION_PAGE, NULL);
	self->app = g_object_ref(app);
	self->client = g_object_ref(wh_application_get_client(app));
	self->settings = g_object_ref(wh_application_get_settings(app));

	g_settings_bind(self->settings, "daita", self->daita_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_signal_connect_object(self->settings, "changed", G_CALLBACK(on_settings_changed), self, 0);
	g_signal_connect_object(self->client, "changed", G_CALLBACK(on_changed), self, G_CONNECT_SWAPPED);
	g_signal_connect_object(self->client, "notify::rx-rate", G_CALLBACK(on_statistics), self, 0);
	g_signal_connect_object(self->client, "notify::tx-rate", G_CALLBACK(on_statistics), self, 0);
	g_signal_connect_object(self->client, "notify::handshake-age", G_CALLBACK(on_statistics), self, 0);
	g_signal_connect_object(app, "notify::busy", G_CALLBACK(on_changed), self, G_CONNECT_SWAPPED);
	g_signal_connect_object(app, "notify::connect-error", G_CALLBACK(on_changed), self, G_CONNECT_SWAPPED);
	g_signal_connect_object(wh_server_store_get_model(wh_application_get_store(app)), "items-changed",
				G_CALLBACK(on_changed), self, G_CONNECT_SWAPPED);
	update_kill_switch(self);
	update(self);
	return GTK_WIDGET(self);
}
