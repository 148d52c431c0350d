/* The servers page of the main window: the list of servers with Connect, Edit and Remove, and the
 * buttons to add one or import wg-quick files. */
#ifndef WIREHOP_APP_WH_SERVERS_PAGE_H
#define WIREHOP_APP_WH_SERVERS_PAGE_H

#include <adwaita.h>

#include "wh-application.h"

G_BEGIN_DECLS

#define WH_TYPE_SERVERS_PAGE (wh_servers_page_get_type())
G_DECLARE_FINAL_TYPE(WhServersPage, wh_servers_page, WH, SERVERS_PAGE, AdwBin)

GtkWidget *wh_servers_page_new(WhApplication *app);

G_END_DECLS

#endif
