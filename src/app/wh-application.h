/* The application: one instance per session; owns the server store, the helper client, the
 * settings, the tray and the notifier, and the actions every window and the tray use. */
#ifndef WIREHOP_APP_WH_APPLICATION_H
#define WIREHOP_APP_WH_APPLICATION_H

#include <adwaita.h>

#include "wh-helper-client.h"
#include "wh-server-store.h"

G_BEGIN_DECLS

#define WH_APPLICATION_ID "io.github.wirehop.Wirehop"

#define WH_TYPE_APPLICATION (wh_application_get_type())
G_DECLARE_FINAL_TYPE(WhApplication, wh_application, WH, APPLICATION, AdwApplication)

/* Actions: app.connect (the multihop pair when "multihop" is on, else "last-server"),
 * app.connect-server (s: a server id; sets last-server and connects to it), app.disconnect,
 * app.show-window, app.preferences, app.import, app.about, app.quit.
 *
 * Properties (read-only, notify):
 *   "connect-error"  s  why the last connect or disconnect could not even start (keyring, invalid
 *                       server, the helper's refusal or absence); NULL once a new attempt starts
 *   "busy"           b  a connect is on its way to the helper (reading keys, calling Connect) */
WhApplication *wh_application_new(void);

WhServerStore *wh_application_get_store(WhApplication *self);
WhHelperClient *wh_application_get_client(WhApplication *self);
GSettings *wh_application_get_settings(WhApplication *self);

const char *wh_application_get_connect_error(WhApplication *self);
gboolean wh_application_get_busy(WhApplication *self);

/* Whether a tray icon can bring a hidden window back (then closing the window only hides it). */
gboolean wh_application_get_tray_available(WhApplication *self);

/* The route in words: while the helper has a connection, the one it has ("Entry → Exit" when the
 * app made it, else the helper's profile name); otherwise the current choice. NULL: no server. */
char *wh_application_describe_route(WhApplication *self);

G_END_DECLS

#endif
