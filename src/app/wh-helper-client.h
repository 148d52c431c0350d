/* The app's view of wirehopd: its state, followed over D-Bus without ever blocking the UI. */
#ifndef WIREHOP_APP_WH_HELPER_CLIENT_H
#define WIREHOP_APP_WH_HELPER_CLIENT_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define WH_TYPE_HELPER_CLIENT (wh_helper_client_get_type())
G_DECLARE_FINAL_TYPE(WhHelperClient, wh_helper_client, WH, HELPER_CLIENT, GObject)

/* Properties (read-only):
 *   "state"          s         disconnected, connecting, connected, disconnecting, error, or
 *                              "unavailable" while io.github.wirehop.Helper1 has no owner
 *   "details"        a{sv}     the details of the last StateChanged or GetState
 *   "available"      b         the helper is on the bus
 *   "rx-rate"        d         bytes per second received, while connected (else 0)
 *   "tx-rate"        d         bytes per second sent, while connected (else 0)
 *   "handshake-age"  i64       seconds since the last handshake, -1 when unknown
 * Signal "changed": after state, details or available changed (statistics only notify). */
WhHelperClient *wh_helper_client_new(void);

const char *wh_helper_client_get_state(WhHelperClient *self);
GVariant *wh_helper_client_get_details(WhHelperClient *self);
gboolean wh_helper_client_get_available(WhHelperClient *self);
double wh_helper_client_get_rx_rate(WhHelperClient *self);
double wh_helper_client_get_tx_rate(WhHelperClient *self);
gint64 wh_helper_client_get_handshake_age(WhHelperClient *self);

/* Errors come back with g_dbus_error_strip_remote_error applied; g_dbus_error_get_remote_error
 * still names the D-Bus error (io.github.wirehop.Error.NotSupported, ...). */
void wh_helper_client_connect(WhHelperClient *self, GVariant *profile, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data);
gboolean wh_helper_client_connect_finish(WhHelperClient *self, GAsyncResult *result, GError **error);

void wh_helper_client_disconnect(WhHelperClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
				 gpointer user_data);
gboolean wh_helper_client_disconnect_finish(WhHelperClient *self, GAsyncResult *result, GError **error);

void wh_helper_client_get_statistics(WhHelperClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data);
GVariant *wh_helper_client_get_statistics_finish(WhHelperClient *self, GAsyncResult *result, GError **error);

G_END_DECLS

#endif
