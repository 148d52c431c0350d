/* One server the user can connect to, as the app keeps it: everything of a wg-quick file except
 * the secrets, which live in the keyring (wh-key-store.h). */
#ifndef WIREHOP_COMMON_WH_SERVER_H
#define WIREHOP_COMMON_WH_SERVER_H

#include <gio/gio.h>

#include "wgconf.h"

G_BEGIN_DECLS

#define WH_TYPE_SERVER (wh_server_get_type())
G_DECLARE_FINAL_TYPE(WhServer, wh_server, WH, SERVER, GObject)

/* Properties (all read-write, notify on change):
 *   "id"                    s   stable identifier (a UUID), the keyring's server-id
 *   "name"                  s   shown to the user
 *   "endpoint"              s   host:port or [v6]:port
 *   "public-key"            s   the server's key, base64
 *   "addresses"             as  the tunnel addresses (CIDR)
 *   "dns"                   as  DNS servers (IP literals)
 *   "allowed-ips"           as  what goes through the server (CIDR)
 *   "mtu"                   u   0: the helper's default
 *   "persistent-keepalive"  u   seconds, 0: off
 *   "has-preshared-key"     b   a preshared key is in the keyring for this server */
WhServer *wh_server_new(const char *name);

const char *wh_server_get_id(WhServer *self);
const char *wh_server_get_name(WhServer *self);
const char *wh_server_get_endpoint(WhServer *self);
const char *wh_server_get_public_key(WhServer *self);
const char *const *wh_server_get_addresses(WhServer *self);
const char *const *wh_server_get_dns(WhServer *self);
const char *const *wh_server_get_allowed_ips(WhServer *self);
guint wh_server_get_mtu(WhServer *self);
guint wh_server_get_persistent_keepalive(WhServer *self);
gboolean wh_server_get_has_preshared_key(WhServer *self);

/* From a parsed wg-quick file with exactly one [Peer]; the file's private and preshared keys are
 * NOT copied (the caller puts them in the keyring). NULL with an error naming the problem. */
WhServer *wh_server_new_from_wgconf(const struct wgconf *conf, const char *name, GError **error);

/* Checks every field as the helper would (addresses, endpoint, key, lists) without secrets;
 * the message names the field. */
gboolean wh_server_validate(WhServer *self, GError **error);

/* The Connect profile (docs/dbus-api.md) for exit, entered through entry when not NULL, with the
 * user's private key (base64) and the preshared keys (NULL: none). A floating a{sv}. */
GVariant *wh_server_build_profile(WhServer *exit, WhServer *entry, const char *private_key,
				  const char *exit_preshared_key, const char *entry_preshared_key, gboolean daita,
				  gboolean kill_switch, GError **error);

G_END_DECLS

#endif
