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

void wh_window_add_toast(WhWindow *self, const char *message)
{
	g_return_if_fail(WH_IS_WINDOW(self));
	AdwToast *toast = adw_toast_new(message);
	adw_toast_set_timeout(toast, 8);
	adw_toast_overlay_add_toast(self->toast_overlay, toast);
}

static void add_page(WhWindow *self, GtkWidget *page, const char *name, const char *title, const char *icon_name)
{
	AdwViewStackPage *stack_page = adw_view_stack_add_titled(self->stack, page, name, title);
	adw_view_stack_page_set_icon_name(stack_page, icon_name);
}

static void on_connect_error(WhApplication *app, GParamSpec *pspec, gpointer user_data)
{
	(void)pspec;
	const char *message = wh_application_get_connect_error(app);
	if (message)
		wh_window_add_toast(WH_WINDOW(user_data), message);
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
	const char *message = wh_application_get_connect_error(app);
	if (message)
		wh_window_add_toast(self, message);
	return GTK_WIDGET(self);
}
