/* WhWindow: the header bar with the view switcher, the pages, toasts; closing it only hides it
 * while a tray icon can bring it back. */
#include "wh-window.h"

#include <glib/gi18n.h>

#include "wh-connection-page.h"
#include "wh-multihop-page.h"
#include "wh-servers-page.h"

struct _WhWindow {
	AdwApplicationWindow parent_instance;

	AdwToastOverlay *toast_overlay;
	AdwViewStack *stack;
};

G_DEFINE_FINAL_TYPE(WhWindow, wh_window, ADW_TYPE_APPLICATION_WINDOW)

static void add_page(WhWindow *self, GtkWidget *page, const char *name, const char *title, const char *icon_name)
{
	AdwViewStackPage *stack_page = adw_view_stack_add_titled(self->stack, page, name, title);
	adw_view_stack_page_set_icon_name(stack_page, icon_name);
}

static void on_show_connection(AdwToast *toast, gpointer user_data)
{
	(void)toast;
	adw_view_stack_set_visible_child_name(WH_WINDOW(user_data)->stack, "connection");
}

/* The connection page shows the whole error; elsewhere (say, after Connect on the servers page) a
 * short toast leads there instead of repeating a message too long for a toast. */
static void on_connect_error(WhApplication *app, GParamSpec *pspec, gpointer user_data)
{
	WhWindow *self = WH_WINDOW(user_data);
	(void)pspec;
	if (!wh_application_get_connect_error(app) ||
	    g_strcmp0(adw_view_stack_get_visible_child_name(self->stack), "connection") == 0)
		return;
	AdwToast *toast = adw_toast_new(_("Could not connect"));
	adw_toast_set_button_label(toast, _("Connection"));
	adw_toast_set_timeout(toast, 8);
	g_signal_connect_object(toast, "button-clicked", G_CALLBACK(on_show_connection), self, 0);
	adw_toast_overlay_add_toast(self->toast_overlay, toast);
}

static gboolean wh_window_close_request(GtkWindow *window)
{
	WhApplication *app = WH_APPLICATION(gtk_window_get_application(window));
	if (app && wh_application_get_tray_available(app)) {
		gtk_widget_set_visible(GTK_WIDGET(window), FALSE);
		return TRUE;
	}
	return GTK_WINDOW_CLASS(wh_window_parent_class)->close_request(window);
}

static void wh_window_class_init(WhWindowClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	GTK_WINDOW_CLASS(klass)->close_request = wh_window_close_request;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-window.ui");
	gtk_widget_class_bind_template_child(widget_class, WhWindow, toast_overlay);
	gtk_widget_class_bind_template_child(widget_class, WhWindow, stack);
}

static void wh_window_init(WhWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_window_new(WhApplication *app)
{
	WhWindow *self = g_object_new(WH_TYPE_WINDOW, "application", app, NULL);
	add_page(self, wh_connection_page_new(app), "connection", _("Connection"), "network-vpn-symbolic");
	add_page(self, wh_servers_page_new(app), "servers", _("Servers"), "network-server-symbolic");
	add_page(self, wh_multihop_page_new(app), "multihop", _("Multihop"), "media-playlist-consecutive-symbolic");
	g_signal_connect_object(app, "notify::connect-error", G_CALLBACK(on_connect_error), self, 0);
	return GTK_WIDGET(self);
}
