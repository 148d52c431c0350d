/* A server's row: title and subtitle follow the server's properties, the buttons carry its id to
 * the page's actions (servers.edit, servers.remove) and to app.connect-server. */
#include "wh-server-row.h"

#include <glib/gi18n.h>

struct _WhServerRow {
	AdwActionRow parent_instance;

	WhServer *server;

	GtkImage *status_icon;
	GtkLabel *status_label;
	GtkButton *connect_button;
	GtkButton *edit_button;
	GtkButton *remove_button;
};

G_DEFINE_FINAL_TYPE(WhServerRow, wh_server_row, ADW_TYPE_ACTION_ROW)

/* The row is named after the server by its title (AdwActionRow labels itself with it); the icon
 * buttons describe what they act on. */
static void on_name_changed(WhServerRow *self)
{
	const char *name = wh_server_get_name(self->server);
	g_autofree char *edit = g_strdup_printf(_("Edit %s"), name);
	g_autofree char *remove = g_strdup_printf(_("Remove %s"), name);

	gtk_accessible_update_property(GTK_ACCESSIBLE(self->edit_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, edit, -1);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->remove_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, remove,
				       -1);
}

static void wh_server_row_dispose(GObject *object)
{
	WhServerRow *self = WH_SERVER_ROW(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), WH_TYPE_SERVER_ROW);
	g_clear_object(&self->server);
	G_OBJECT_CLASS(wh_server_row_parent_class)->dispose(object);
}

static void wh_server_row_class_init(WhServerRowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = wh_server_row_dispose;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-server-row.ui");
	gtk_widget_class_bind_template_child(widget_class, WhServerRow, status_icon);
	gtk_widget_class_bind_template_child(widget_class, WhServerRow, status_label);
	gtk_widget_class_bind_template_child(widget_class, WhServerRow, connect_button);
	gtk_widget_class_bind_template_child(widget_class, WhServerRow, edit_button);
	gtk_widget_class_bind_template_child(widget_class, WhServerRow, remove_button);
}

static void wh_server_row_init(WhServerRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_server_row_new(WhServer *server)
{
	WhServerRow *self = g_object_new(WH_TYPE_SERVER_ROW, NULL);
	GVariant *id = g_variant_new_string(wh_server_get_id(server));

	self->server = g_object_ref(server);
	g_object_bind_property(server, "name", self, "title", G_BINDING_SYNC_CREATE);
	g_object_bind_property(server, "endpoint", self, "subtitle", G_BINDING_SYNC_CREATE);
	g_signal_connect_object(server, "notify::name", G_CALLBACK(on_name_changed), self, G_CONNECT_SWAPPED);
	on_name_changed(self);
	gtk_actionable_set_action_target_value(GTK_ACTIONABLE(self->connect_button), id);
	gtk_actionable_set_action_target_value(GTK_ACTIONABLE(self->edit_button), id);
	gtk_actionable_set_action_target_value(GTK_ACTIONABLE(self->remove_button), id);
	return GTK_WIDGET(self);
}

WhServer *wh_server_row_get_server(WhServerRow *self)
{
	g_return_val_if_fail(WH_IS_SERVER_ROW(self), NULL);
	return self->server;
}

void wh_server_row_set_status(WhServerRow *self, WhServerRowStatus status)
{
	const char *text = NULL;
	const char *icon = NULL;

	g_return_if_fail(WH_IS_SERVER_ROW(self));
	switch (status) {
	case WH_SERVER_ROW_IDLE:
		break;
	case WH_SERVER_ROW_SELECTED:
		text = _("Selected");
		icon = "object-select-symbolic";
		break;
	case WH_SERVER_ROW_CONNECTING:
		text = _("Connecting…");
		icon = "content-loading-symbolic";
		break;
	case WH_SERVER_ROW_CONNECTED:
		text = _("Connected");
		icon = "network-vpn-symbolic";
		break;
	}
	gtk_label_set_label(self->status_label, text ? text : "");
	gtk_widget_set_visible(GTK_WIDGET(self->status_label), text != NULL);
	/* An idle row keeps the icon's place, so that the names of all rows line up. */
	gtk_image_set_from_icon_name(self->status_icon, icon ? icon : "object-select-symbolic");
	gtk_widget_set_opacity(GTK_WIDGET(self->status_icon), icon != NULL ? 1.0 : 0.0);
	if (status == WH_SERVER_ROW_CONNECTED)
		gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "success");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "success");
	/* Connecting to the server already in use would only reconnect it. */
	gtk_widget_set_sensitive(GTK_WIDGET(self->connect_button),
				 status != WH_SERVER_ROW_CONNECTED && status != WH_SERVER_ROW_CONNECTING);
}
