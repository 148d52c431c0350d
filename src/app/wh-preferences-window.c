/* WhPreferencesWindow: the app's settings, bound to GSettings. */
#include "wh-preferences-window.h"

struct _WhPreferencesWindow {
	AdwPreferencesWindow parent_instance;

	GtkSwitch *kill_switch;
	GtkSwitch *notifications_switch;
	GtkSwitch *start_hidden_switch;
};

G_DEFINE_FINAL_TYPE(WhPreferencesWindow, wh_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void wh_preferences_window_class_init(WhPreferencesWindowClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/io/github/wirehop/Wirehop/ui/wh-preferences-window.ui");
	gtk_widget_class_bind_template_child(widget_class, WhPreferencesWindow, kill_switch);
	gtk_widget_class_bind_template_child(widget_class, WhPreferencesWindow, notifications_switch);
	gtk_widget_class_bind_template_child(widget_class, WhPreferencesWindow, start_hidden_switch);
}

static void wh_preferences_window_init(WhPreferencesWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}

GtkWidget *wh_preferences_window_new(WhApplication *app)
{
	WhPreferencesWindow *self = g_object_new(WH_TYPE_PREFERENCES_WINDOW, NULL);
	GSettings *settings = wh_application_get_settings(app);
	g_settings_bind(settings, "kill-switch", self->kill_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(settings, "notifications", self->notifications_switch, "active", G_SETTINGS_BIND_DEFAULT);
	g_settings_bind(settings, "start-hidden", self->start_hidden_switch, "active", G_SETTINGS_BIND_DEFAULT);
	return GTK_WIDGET(self);
}
