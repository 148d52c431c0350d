/* The multihop page of the main window: the switch, the entry and exit servers, and DAITA. */
#ifndef WIREHOP_APP_WH_MULTIHOP_PAGE_H
#define WIREHOP_APP_WH_MULTIHOP_PAGE_H

#include <adwaita.h>

#include "wh-application.h"

G_BEGIN_DECLS

#define WH_TYPE_MULTIHOP_PAGE (wh_multihop_page_get_type())
G_DECLARE_FINAL_TYPE(WhMultihopPage, wh_multihop_page, WH, MULTIHOP_PAGE, AdwBin)

GtkWidget *wh_multihop_page_new(WhApplication *app);

G_END_DECLS

#endif
