/* The user's private and preshared keys in the keyring (libsecret), and new keys from libsodium. */
#include "wh-key-store.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <sodium.h>

#include "wirehop/tunnel.h"

static const SecretSchema key_schema = {
	"io.github.wirehop.Key",
	SECRET_SCHEMA_NONE,
	{
		{"server-id", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{NULL, 0},
	},
	0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static const char *kind_name(WhKeyKind kind)
{
	return kind == WH_KEY_PRESHARED ? "preshared" : "private";
}

/* Shown by Seahorse and the like when the caller gives no label of its own. */
static char *default_label(const char *server_id, WhKeyKind kind)
{
	if (kind == WH_KEY_PRESHARED)
		return g_strdup_printf(_("Wirehop preshared key (%s)"), server_id);
	return g_strdup_printf(_("Wirehop private key (%s)"), server_id);
}

/* libsecret's own GAsyncResult goes straight to the caller, who hands it back to the _finish below. */
void wh_key_store_save(const char *server_id, WhKeyKind kind, const char *key, const char *label,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autofree char *fallback = label ? NULL : default_label(server_id, kind);

	g_return_if_fail(server_id != NULL && key != NULL);
	secret_password_store(&key_schema, SECRET_COLLECTION_DEFAULT, label ? label : fallback, key, cancellable,
			      callback, user_data, "server-id", server_id, "kind", kind_name(kind), NULL);
}

gboolean wh_key_store_save_finish(GAsyncResult *result, GError **error)
{
	return secret_password_store_finish(result, error);
}

void wh_key_store_lookup(const char *server_id, WhKeyKind kind, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(server_id != NULL);
	secret_password_lookup(&key_schema, cancellable, callback, user_data, "server-id", server_id, "kind",
			       kind_name(kind), NULL);
}

char *wh_key_store_lookup_finish(GAsyncResult *result, GError **error)
{
	return secret_password_lookup_finish(result, error);
}

void wh_key_store_delete(const char *server_id, WhKeyKind kind, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(server_id != NULL);
	secret_password_clear(&key_schema, cancellable, callback, user_data, "server-id", server_id, "kind",
			      kind_name(kind), NULL);
}

/* libsecret answers FALSE without an error when there was nothing to delete: that is success here. */
static gboolean cleared(GError *local_error, GError **error)
{
	if (local_error) {
		g_propagate_error(error, local_error);
		return FALSE;
	}
	return TRUE;
}

gboolean wh_key_store_delete_finish(GAsyncResult *result, GError **error)
{
	GError *local_error = NULL;

	(void)secret_password_clear_finish(result, &local_error);
	return cleared(local_error, error);
}

gboolean wh_key_store_save_sync(const char *server_id, WhKeyKind kind, const char *key, const char *label,
				GError **error)
{
	g_autofree char *fallback = label ? NULL : default_label(server_id, kind);

	g_return_val_if_fail(server_id != NULL && key != NULL, FALSE);
	return secret_password_store_sync(&key_schema, SECRET_COLLECTION_DEFAULT, label ? label : fallback, key,
					  NULL, error, "server-id", server_id, "kind", kind_name(kind), NULL);
}

char *wh_key_store_lookup_sync(const char *server_id, WhKeyKind kind, GError **error)
{
	g_return_val_if_fail(server_id != NULL, NULL);
	return secret_password_lookup_sync(&key_schema, NULL, error, "server-id", server_id, "kind",
					   kind_name(kind), NULL);
}

gboolean wh_key_store_delete_sync(const char *server_id, WhKeyKind kind, GError **error)
{
	GError *local_error = NULL;

	g_return_val_if_fail(server_id != NULL, FALSE);
	(void)secret_password_clear_sync(&key_schema, NULL, &local_error, "server-id", server_id, "kind",
					 kind_name(kind), NULL);
	return cleared(local_error, error);
}

void wh_key_store_free_key(char *key)
{
	secret_password_free(key); /* wipes before it frees */
}

/* Free the result with wh_key_store_free_key: it is a secret. */
char *wh_key_generate(void)
{
	uint8_t private_key[WH_KEY_SIZE];
	char text[WH_KEY_BASE64_LEN + 1];
	char *copy;

	if (sodium_init() < 0)
		return NULL;
	wh_key_generate_private(private_key, NULL); /* random, clamped as WireGuard does */
	wh_key_to_base64(text, private_key);
	copy = g_strdup(text);
	sodium_memzero(private_key, sizeof(private_key));
	sodium_memzero(text, sizeof(text));
	return copy;
}

char *wh_key_public_from_private_text(const char *private_key)
{
	uint8_t private_bytes[WH_KEY_SIZE];
	uint8_t public_bytes[WH_KEY_SIZE];
	char text[WH_KEY_BASE64_LEN + 1];
	gboolean valid;

	if (!private_key || sodium_init() < 0)
		return NULL;
	valid = wh_key_from_base64(private_bytes, private_key) && wh_key_public_from_private(public_bytes, private_bytes);
	sodium_memzero(private_bytes, sizeof(private_bytes));
	if (!valid)
		return NULL;
	wh_key_to_base64(text, public_bytes);
	return g_strdup(text);
}
