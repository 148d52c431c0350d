/* Secrets in the keyring through libsecret, schema io.github.wirehop.Key with the attributes
 * server-id and kind ("private" or "preshared"). Never in a file. */
#ifndef WIREHOP_COMMON_WH_KEY_STORE_H
#define WIREHOP_COMMON_WH_KEY_STORE_H

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	WH_KEY_PRIVATE,
	WH_KEY_PRESHARED,
} WhKeyKind;

/* Stores key (base64 text) for the server; label is what a keyring manager shows. */
void wh_key_store_save(const char *server_id, WhKeyKind kind, const char *key, const char *label,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean wh_key_store_save_finish(GAsyncResult *result, GError **error);

/* The key, or NULL without error when there is none. Free it with wh_key_store_free_key (it wipes). */
void wh_key_store_lookup(const char *server_id, WhKeyKind kind, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data);
char *wh_key_store_lookup_finish(GAsyncResult *result, GError **error);

void wh_key_store_delete(const char *server_id, WhKeyKind kind, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data);
gboolean wh_key_store_delete_finish(GAsyncResult *result, GError **error);

/* Synchronous forms for tests and wirehopctl-like tools. */
gboolean wh_key_store_save_sync(const char *server_id, WhKeyKind kind, const char *key, const char *label,
				GError **error);
char *wh_key_store_lookup_sync(const char *server_id, WhKeyKind kind, GError **error);
gboolean wh_key_store_delete_sync(const char *server_id, WhKeyKind kind, GError **error);

void wh_key_store_free_key(char *key);

/* A new private key (libsodium), base64, and the public key of a private key (NULL when invalid).
 * Not wh_key_public_from_private: the engine's tunnel.h has that name for the binary form. */
char *wh_key_generate(void);
char *wh_key_public_from_private_text(const char *private_key);

G_END_DECLS

#endif
