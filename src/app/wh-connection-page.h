/* The connection page: the connect switch, the state in words, the route, DAITA, live traffic. */
#ifndef WIREHOP_APP_WH_CONNECTION_PAGE_H
#define WIREHOP_APP_WH_CONNECTION_PAGE_H

#include <adwaita.h>

#include "wh-application.h"

G_BEGIN_DECLS

#define WH_TYPE_CONNECTION_PAGE (wh_connection_page_get_type())
G_DECLARE_FINAL_TYPE(WhConnectionPage, wh_connection_page, WH, CONNECTION_PAGE, AdwBin)

GtkWidget *wh_connection_page_new(WhApplication *app);

G_END_DECLS

#endif
