/* The tray icon: an org.kde.StatusNotifierItem with a com.canonical.dbusmenu menu on the session
 * bus, registered with whatever StatusNotifierWatcher the desktop runs (no libappindicator). */
#ifndef WIREHOP_APP_WH_TRAY_H
#define WIREHOP_APP_WH_TRAY_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define WH_TYPE_TRAY (wh_tray_get_type())
G_DECLARE_FINAL_TYPE(WhTray, wh_tray, WH, TRAY, GObject)

/* The tray sees the application through three narrow things, so it builds and is tested without
 * GTK or a display (the agreed wh_tray_new(WhApplication *) became this; the application calls
 * wh_tray_new(G_ACTION_GROUP(app), wh_server_store_get_model(store), G_OBJECT(client))):
 *   actions       the application's actions: connect, disconnect, connect-server (s: a server
 *                 id), show-window, quit;
 *   servers       a GListModel of objects with string properties "id" and "name" (WhServer);
 *   state_source  an object with a string property "state" (disconnected, connecting, connected,
 *                 disconnecting, error, unavailable) and, if it has one, a GVariant a{sv}
 *                 property "details" (keys "profile", "message"), both notifying on change
 *                 (WhHelperClient).
 *
 * Property "available" (b, read-only): a StatusNotifierWatcher took the item and reports a
 * StatusNotifierHost (IsStatusNotifierHostRegistered; a watcher that cannot answer that is
 * trusted). Only then is there an icon to bring the window back, so only then may closing the
 * window keep the application running. */
WhTray *wh_tray_new(GActionGroup *actions, GListModel *servers, GObject *state_source);

gboolean wh_tray_get_available(WhTray *self);

G_END_DECLS

#endif
