/* One server in the servers page's list: its name and endpoint, whether it is the chosen or the
 * connected one, and the Connect, Edit and Remove buttons. */
#ifndef WIREHOP_APP_WH_SERVER_ROW_H
#define WIREHOP_APP_WH_SERVER_ROW_H

#include <adwaita.h>

#include "wh-server.h"

G_BEGIN_DECLS

typedef enum {
	WH_SERVER_ROW_IDLE,
	WH_SERVER_ROW_SELECTED,   /* the last server, not connected */
	WH_SERVER_ROW_CONNECTING,
	WH_SERVER_ROW_CONNECTED,
} WhServerRowStatus;

#define WH_TYPE_SERVER_ROW (wh_server_row_get_type())
G_DECLARE_FINAL_TYPE(WhServerRow, wh_server_row, WH, SERVER_ROW, AdwActionRow)

GtkWidget *wh_server_row_new(WhServer *server);
WhServer *wh_server_row_get_server(WhServerRow *self);
void wh_server_row_set_status(WhServerRow *self, WhServerRowStatus status);

G_END_DECLS

#endif
