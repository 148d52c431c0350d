/* The main window: the connection, servers and multihop pages in one view stack. */
#ifndef WIREHOP_APP_WH_WINDOW_H
#define WIREHOP_APP_WH_WINDOW_H

#include <adwaita.h>

#include "wh-application.h"

G_BEGIN_DECLS

#define WH_TYPE_WINDOW (wh_window_get_type())
G_DECLARE_FINAL_TYPE(WhWindow, wh_window, WH, WINDOW, AdwApplicationWindow)

GtkWidget *wh_window_new(WhApplication *app);

/* Shows message as a toast over the window. */

G_END_DECLS

#endif
