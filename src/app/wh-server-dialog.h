/* The window that adds a server or edits one: its fields, the user's key (generated or pasted)
 * with the public key to copy, and an optional preshared key. */
#ifndef WIREHOP_APP_WH_SERVER_DIALOG_H
#define WIREHOP_APP_WH_SERVER_DIALOG_H

#include <adwaita.h>

#include "wh-server-store.h"

G_BEGIN_DECLS

#define WH_TYPE_SERVER_DIALOG (wh_server_dialog_get_type())
G_DECLARE_FINAL_TYPE(WhServerDialog, wh_server_dialog, WH, SERVER_DIALOG, AdwWindow)

/* server NULL: a new server, added to store on Save. Otherwise that server is edited in place. */
GtkWidget *wh_server_dialog_new(GtkWindow *parent, WhServerStore *store, WhServer *server);

G_END_DECLS

#endif
