/* Preferences: kill switch, notifications, start hidden in the tray. */
#ifndef WIREHOP_APP_WH_PREFERENCES_WINDOW_H
#define WIREHOP_APP_WH_PREFERENCES_WINDOW_H

#include <adwaita.h>

#include "wh-application.h"

G_BEGIN_DECLS

#define WH_TYPE_PREFERENCES_WINDOW (wh_preferences_window_get_type())
G_DECLARE_FINAL_TYPE(WhPreferencesWindow, wh_preferences_window, WH, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *wh_preferences_window_new(WhApplication *app);

G_END_DECLS

#endif
