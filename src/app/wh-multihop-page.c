/* The multihop page: the switches are bound to the settings "multihop" and "daita"; the two combo
 * rows show the store's servers and keep the settings "multihop-entry" and "multihop-exit" (server
 * ids) in step with what they show. */
#include "wh-multihop-page.h"

#include <glib/gi18n.h>

struct _WhMultihopPage {
	AdwBin parent_instance;

	WhServerStore *store;
	GSettings *settings;
	gboolean syncing; /* the combo rows are being set from the settings */

	GtkSwitch *multihop_switch;
	GtkSwitch *daita_switch;
	AdwComboRow *entry_row;
	AdwComboRow *exit_row;
	GtkLabel *route_error;
	GtkLabel *no_servers;
};

G_DEFINE_FINAL_TYPE(WhMultihopPage, wh_multihop_page, ADW_TYPE_BIN)

static guint position_of(GListModel *model, const char *id)
{
	for (guint i = 0; i < g_list_model_get_n_items(model); i++) {
		g_autoptr(WhServer) server = g_list_model_get_item(model, i);

		if (g_str_equal(wh_server_get_id(server), id))
			return i;
	}
	return GTK_INVALID_LIST_POSITION;
}

static void update_route_error(WhMultihopPage *self)
{
	g_autofree char *entry = g_settings_get_string(self->settings, "multihop-entry");
	g_autofree char *exit = g_settings_get_string(self->settings, "multihop-exit");
	guint n_servers = g_list_model_get_n_items(wh_server_store_get_model(self->store));
	gboolean on = g_settings_get_boolean(self->settings, "multihop");

	gtk_widget_set_visible(GTK_WIDGET(self->route_error), on && *entry != '\0' && g_str_equal(entry, exit));
	gtk_widget_set_visible(GTK_WIDGET(self->no_servers), n_servers < 2);
}

/* A setting naming no server in the list (empty, or a removed server) takes the server the row
 * shows: the first one for the entry, the second for the exit, so that they differ. */
static void sync_row(WhMultihopPage *self, AdwComboRow *row, const char *key, guint fallback)
{
	GListModel *model = wh_server_store_get_model(self->store);
	guint n_servers = g_list_model_get_n_items(model);
	g_autofree char *id = g_settings_get_string(self->settings, key);
	guint position = position_of(model, id);

	if (n_servers == 0)
		return;
	if (position == GTK_INVALID_LIST_POSITION) {
		g_autoptr(WhServer) server = g_list_model_get_item(model, MIN(fallback, n_servers - 1));

		position = MIN(fallback, n_servers - 1);
		g_settings_set_string(self->settings, key, wh_server_get_id(server));
	}
	adw_combo_row_set_selected(row, position);
}

static void sync_from_settings(WhMultihopPage *self)
{
	if (self->syncing)
		return;
	self->syncing = TRUE;
	sync_row(self, self->entry_row, "multihop-entry", 0);
	sync_row(self, self->exit_row, "multihop-exit", 1);
	self->syncing = FALSE;
	update_route_error(self);
}

/* While the model changes, the combo rows move their selection by themselves (a server added to an
 * empty list, the selected one removed): that is no choice of the user's to write to the settings,
 * and setting a selection from inside the selection's own update crashes GTK. So the rows are
 * synced once the model and the rows' handlers are done. */
static void on_model_changing(WhMultihopPage *self)
{
	self->syncing = TRUE;
}

static void on_model_changed(WhMultihopPage *self)
{
	self->syncing = FALSE;
	sync_from_settings(self);
}

static void on_selected_changed(AdwComboRow *row, GParamSpec *pspec, WhMultihopPage *self)
{
	WhServer *server = adw_combo_row_get_selected_item(row);

	(void)pspec;
	if (self->syncing || server == NULL)
		return;
	g_settings_set_string(self->settings, row == self->entry_row ? "multihop-entry" : "multihop-exit",
			      wh_server_get_id(server));
}

static void wh_multihop_page_dispose(GObject *object)
{
	WhMultihopPage *self = WH_MULTIHOP_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), WH_TYPE_MULTIHOP_PAGE);
	g_clear_object(&self->store);
	g_clear_object(&self->settings);
	G_OBJECT_CLASS(wh_multihop_page_parent_class)->dispose(object);
}

static void wh_multihop_page_class_init(WhMultihopPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = wh_multihop_page_dispose;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-multihop-page.ui");
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, multihop_switch);
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, daita_switch);
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, entry_row);
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, exit_row);
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, route_error);
	gtk_widget_class_bind_template_child(widget_class, WhMultihopPage, no_servers);
	gtk_widget_class_bind_template_callback(widget_class, on_selected_changed);
}

static void wh_multihop_page_init(WhMultihopPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_multihop_page_new(WhApplication *app)
{
	WhMultihopPage *self = g_object_new(WH_TYPE_MULTIHOP_PAGE, NULL);
	GListModel *model;

	self->store = g_object_ref(wh_application_get_store(app));
	self->settings = g_object_ref(wh_application_get_settings(app));
	model = wh_server_store_get_model(self->store);

	g_signal_connect_object(model, "items-changed", G_CALLBACK(on_model_changing), self, G_CONNECT_SWAPPED);
	self->syncing = TRUE;
	adw_combo_row_set_model(self->entry_row, model);
	adw_combo_row_set_model(self->exit_row, model);
	self->syncing = FALSE;
	g_signal_connect_object(model, "items-changed", G_CALLBACK(on_model_changed), self,
				G_CONNECT_SWAPPED | G_CONNECT_AFTER);

	g_settings_bind(self->settings, "multihop", self->multihop_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(self->settings, "daita", self->daita_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(self->settings, "multihop", self->entry_row, "sensitive", G_SETTINGS_BIND_GET);
	g_settings_bind(self->settings, "multihop", self->exit_row, "sensitive", G_SETTINGS_BIND_GET);
	g_signal_connect_object(self->settings, "changed::multihop-entry", G_CALLBACK(sync_from_settings), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(self->settings, "changed::multihop-exit", G_CALLBACK(sync_from_settings), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(self->settings, "changed::multihop", G_CALLBACK(update_route_error), self,
				G_CONNECT_SWAPPED);
	sync_from_settings(self);
	return GTK_WIDGET(self);
}
