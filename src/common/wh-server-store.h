/* The user's servers, kept in a GKeyFile under the user's config directory
 * ($XDG_CONFIG_HOME/wirehop/servers.ini); a GListModel of WhServer for the UI. No secrets. */
#ifndef WIREHOP_COMMON_WH_SERVER_STORE_H
#define WIREHOP_COMMON_WH_SERVER_STORE_H

#include <gio/gio.h>

#include "wh-server.h"

G_BEGIN_DECLS

#define WH_TYPE_SERVER_STORE (wh_server_store_get_type())
G_DECLARE_FINAL_TYPE(WhServerStore, wh_server_store, WH, SERVER_STORE, GObject)

/* path NULL: the default file. Nothing is read until wh_server_store_load. */
WhServerStore *wh_server_store_new(const char *path);

/* Reads the file (a missing file is an empty list). A damaged file is an error and is left untouched
 * (never overwritten by a later save: the store refuses to save until loaded successfully). */
gboolean wh_server_store_load(WhServerStore *self, GError **error);

/* Writes atomically (0600). */
gboolean wh_server_store_save(WhServerStore *self, GError **error);

/* The servers as a GListModel of WhServer (owned by the store). */
GListModel *wh_server_store_get_model(WhServerStore *self);

WhServer *wh_server_store_find(WhServerStore *self, const char *id);
void wh_server_store_add(WhServerStore *self, WhServer *server);
void wh_server_store_remove(WhServerStore *self, const char *id);

G_END_DECLS

#endif
