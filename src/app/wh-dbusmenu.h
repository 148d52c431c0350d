/* The tray's menu exported as com.canonical.dbusmenu: Connect/Disconnect, the server list,
 * Show Wirehop, Quit. Every item activates an action of the application's GActionGroup. */
#ifndef WIREHOP_APP_WH_DBUSMENU_H
#define WIREHOP_APP_WH_DBUSMENU_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define WH_TYPE_DBUSMENU (wh_dbusmenu_get_type())
G_DECLARE_FINAL_TYPE(WhDbusmenu, wh_dbusmenu, WH, DBUSMENU, GObject)

/* actions: the application (app.connect, app.disconnect, app.connect-server(s), app.show-window,
 * app.quit, named without the "app." prefix); servers: a GListModel of objects with string
 * properties "id" and "name" (WhServer). The menu follows both (items-changed, notify::name,
 * action-enabled-changed). */
WhDbusmenu *wh_dbusmenu_new(GActionGroup *actions, GListModel *servers);

gboolean wh_dbusmenu_export(WhDbusmenu *self, GDBusConnection *connection, const char *object_path,
			    GError **error);
void wh_dbusmenu_unexport(WhDbusmenu *self);

/* The helper's state (WhHelperClient "state"): connecting, connected and disconnecting make the
 * first item "Disconnect", anything else "Connect". */
void wh_dbusmenu_set_state(WhDbusmenu *self, const char *state);

/* Does what the first item does now (connect or disconnect). */
void wh_dbusmenu_activate_toggle(WhDbusmenu *self);

/* Grows with every LayoutUpdated. */
guint wh_dbusmenu_get_revision(WhDbusmenu *self);

G_END_DECLS

#endif
