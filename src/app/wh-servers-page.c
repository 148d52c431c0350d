/* The servers page: a list bound to the store's model, its empty state, and the page's actions
 * (servers.add, servers.import, servers.import-folder, servers.edit(s), servers.remove(s)). */
#include "wh-servers-page.h"

#include <glib/gi18n.h>

#include "wh-import.h"
#include "wh-key-store.h"
#include "wh-server-dialog.h"
#include "wh-server-row.h"

struct _WhServersPage {
	AdwBin parent_instance;

	WhApplication *app;
	WhServerStore *store;
	GSettings *settings;
	GObject *client; /* WhHelperClient: its "state" marks the connected row */

	GtkStack *stack;
	GtkListBox *list;
};

G_DEFINE_FINAL_TYPE(WhServersPage, wh_servers_page, ADW_TYPE_BIN)

static const char *const server_id_settings[] = {"last-server", "multihop-entry", "multihop-exit"};
static const char *const route_settings[] = {"multihop", "last-server", "multihop-entry", "multihop-exit"};

static GtkWindow *page_window(WhServersPage *self)
{
	return GTK_WINDOW(gtk_widget_get_root(GTK_WIDGET(self)));
}

static void show_error(WhServersPage *self, const char *heading, const char *message)
{
	GtkWidget *dialog = adw_message_dialog_new(page_window(self), heading, message);

	adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "close", _("_Close"));
	gtk_window_present(GTK_WINDOW(dialog));
}

/* Whether the server is in the route app.connect takes (as WhApplication chooses it): the multihop
 * pair, else the last server, else the first one. */
static gboolean in_current_route(WhServersPage *self, WhServer *server)
{
	const char *id = wh_server_get_id(server);
	g_autofree char *last = NULL;
	g_autoptr(WhServer) first = NULL;

	if (g_settings_get_boolean(self->settings, "multihop")) {
		g_autofree char *entry = g_settings_get_string(self->settings, "multihop-entry");
		g_autofree char *exit = g_settings_get_string(self->settings, "multihop-exit");

		return g_str_equal(entry, id) || g_str_equal(exit, id);
	}
	last = g_settings_get_string(self->settings, "last-server");
	if (wh_server_store_find(self->store, last) != NULL)
		return g_str_equal(last, id);
	first = g_list_model_get_item(wh_server_store_get_model(self->store), 0);
	return first == server;
}

static WhServerRowStatus status_for(WhServersPage *self, WhServer *server)
{
	g_autofree char *state = NULL;

	if (!in_current_route(self, server))
		return WH_SERVER_ROW_IDLE;
	if (self->client != NULL)
		g_object_get(self->client, "state", &state, NULL);
	if (g_strcmp0(state, "connected") == 0)
		return WH_SERVER_ROW_CONNECTED;
	if (g_strcmp0(state, "connecting") == 0)
		return WH_SERVER_ROW_CONNECTING;
	return WH_SERVER_ROW_SELECTED;
}

static void update_statuses(WhServersPage *self)
{
	for (GtkWidget *row = gtk_widget_get_first_child(GTK_WIDGET(self->list)); row != NULL;
	     row = gtk_widget_get_next_sibling(row)) {
		if (WH_IS_SERVER_ROW(row))
			wh_server_row_set_status(WH_SERVER_ROW(row),
						 status_for(self, wh_server_row_get_server(WH_SERVER_ROW(row))));
	}
}

static GtkWidget *create_row(gpointer item, gpointer user_data)
{
	WhServersPage *self = user_data;
	GtkWidget *row = wh_server_row_new(WH_SERVER(item));

	wh_server_row_set_status(WH_SERVER_ROW(row), status_for(self, WH_SERVER(item)));
	return row;
}

static void on_items_changed(WhServersPage *self)
{
	GListModel *model = wh_server_store_get_model(self->store);

	gtk_stack_set_visible_child_name(self->stack, g_list_model_get_n_items(model) > 0 ? "list" : "empty");
	/* Without a last server, the first one is the current choice. */
	update_statuses(self);
}

static void on_keys_deleted(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	(void)source;
	(void)user_data;
	/* The server is gone already; a key left behind is only reported. */
	if (!wh_key_store_delete_finish(result, &error))
		g_warning("Could not delete a key from the keyring: %s", error->message);
}

static void remove_server(WhServersPage *self, const char *id)
{
	g_autoptr(GError) error = NULL;

	wh_server_store_remove(self->store, id);
	if (!wh_server_store_save(self->store, &error)) {
		show_error(self, _("Could Not Save the Servers"), error->message);
		return;
	}
	wh_key_store_delete(id, WH_KEY_PRIVATE, NULL, on_keys_deleted, NULL);
	wh_key_store_delete(id, WH_KEY_PRESHARED, NULL, on_keys_deleted, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(server_id_settings); i++) {
		g_autofree char *chosen = g_settings_get_string(self->settings, server_id_settings[i]);

		if (g_str_equal(chosen, id))
			g_settings_set_string(self->settings, server_id_settings[i], "");
	}
}

static void on_remove_response(AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
	WhServersPage *self = user_data;
	const char *id = g_object_get_data(G_OBJECT(dialog), "server-id");

	if (g_str_equal(response, "remove"))
		remove_server(self, id);
}

static void remove_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServersPage *self = WH_SERVERS_PAGE(widget);
	const char *id = g_variant_get_string(parameter, NULL);
	WhServer *server = wh_server_store_find(self->store, id);
	g_autofree char *heading = NULL;
	GtkWidget *dialog;

	(void)action_name;
	if (server == NULL)
		return;
	heading = g_strdup_printf(_("Remove “%s”?"), wh_server_get_name(server));
	dialog = adw_message_dialog_new(page_window(self), heading,
					_("Its keys are deleted from the keyring too. This cannot be undone."));
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "cancel", _("_Cancel"), "remove", _("_Remove"),
					 NULL);
	adw_message_dialog_set_response_appearance(ADW_MESSAGE_DIALOG(dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog), "cancel");
	g_object_set_data_full(G_OBJECT(dialog), "server-id", g_strdup(id), g_free);
	g_signal_connect_object(dialog, "response", G_CALLBACK(on_remove_response), self, 0);
	gtk_window_present(GTK_WINDOW(dialog));
}

static void edit_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServersPage *self = WH_SERVERS_PAGE(widget);
	WhServer *server = wh_server_store_find(self->store, g_variant_get_string(parameter, NULL));

	(void)action_name;
	if (server != NULL)
		gtk_window_present(GTK_WINDOW(wh_server_dialog_new(page_window(self), self->store, server)));
}

static void add_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServersPage *self = WH_SERVERS_PAGE(widget);

	(void)action_name;
	(void)parameter;
	gtk_window_present(GTK_WINDOW(wh_server_dialog_new(page_window(self), self->store, NULL)));
}

static void import_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServersPage *self = WH_SERVERS_PAGE(widget);

	(void)parameter;
	if (g_str_equal(action_name, "servers.import-folder"))
		wh_import_run_folder(page_window(self), self->app);
	else
		wh_import_run(page_window(self), self->app);
}

static void wh_servers_page_dispose(GObject *object)
{
	WhServersPage *self = WH_SERVERS_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), WH_TYPE_SERVERS_PAGE);
	g_clear_object(&self->store);
	g_clear_object(&self->settings);
	g_clear_object(&self->client);
	G_OBJECT_CLASS(wh_servers_page_parent_class)->dispose(object);
}

static void wh_servers_page_class_init(WhServersPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = wh_servers_page_dispose;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-servers-page.ui");
	gtk_widget_class_bind_template_child(widget_class, WhServersPage, stack);
	gtk_widget_class_bind_template_child(widget_class, WhServersPage, list);

	gtk_widget_class_install_action(widget_class, "servers.add", NULL, add_activated);
	gtk_widget_class_install_action(widget_class, "servers.import", NULL, import_activated);
	gtk_widget_class_install_action(widget_class, "servers.import-folder", NULL, import_activated);
	gtk_widget_class_install_action(widget_class, "servers.edit", "s", edit_activated);
	gtk_widget_class_install_action(widget_class, "servers.remove", "s", remove_activated);
}

static void wh_servers_page_init(WhServersPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_servers_page_new(WhApplication *app)
{
	WhServersPage *self = g_object_new(WH_TYPE_SERVERS_PAGE, NULL);
	GListModel *model;

	self->app = app;
	self->store = g_object_ref(wh_application_get_store(app));
	self->settings = g_object_ref(wh_application_get_settings(app));
	self->client = G_OBJECT(wh_application_get_client(app));
	if (self->client != NULL) {
		g_object_ref(self->client);
		g_signal_connect_object(self->client, "changed", G_CALLBACK(update_statuses), self, G_CONNECT_SWAPPED);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(route_settings); i++) {
		g_autofree char *signal = g_strconcat("changed::", route_settings[i], NULL);

		g_signal_connect_object(self->settings, signal, G_CALLBACK(update_statuses), self, G_CONNECT_SWAPPED);
	}

	model = wh_server_store_get_model(self->store);
	gtk_list_box_bind_model(self->list, model, create_row, self, NULL);
	g_signal_connect_object(model, "items-changed", G_CALLBACK(on_items_changed), self, G_CONNECT_SWAPPED);
	on_items_changed(self);
	return GTK_WIDGET(self);
}
