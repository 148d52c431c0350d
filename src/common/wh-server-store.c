/* The user's servers in a GKeyFile, one group per server id; secrets never enter it. */
#include "wh-server-store.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

enum {
	/* A server list is a few kilobytes; anything this large is not one. */
	MAX_FILE_SIZE = 4 * 1024 * 1024,
};

struct _WhServerStore {
	GObject parent_instance;

	char *path;
	GListStore *servers;
	/* The file as last read or written: keys this version does not know are carried over from it. */
	GKeyFile *file;
	/* Only after a successful load may the file be written: a damaged file is never overwritten. */
	gboolean loaded;
};

G_DEFINE_FINAL_TYPE(WhServerStore, wh_server_store, G_TYPE_OBJECT)

/* The keys this version reads and writes. Unknown keys are kept, except the secret ones. */
static const char *const known_keys[] = {"Name", "Endpoint", "PublicKey", "Address", "DNS", "AllowedIPs",
					 "MTU", "PersistentKeepalive", "HasPresharedKey", NULL};
static const char *const secret_keys[] = {"PrivateKey", "PresharedKey", NULL};

static void wh_server_store_finalize(GObject *object)
{
	WhServerStore *self = WH_SERVER_STORE(object);

	g_free(self->path);
	g_clear_object(&self->servers);
	g_clear_pointer(&self->file, g_key_file_unref);
	G_OBJECT_CLASS(wh_server_store_parent_class)->finalize(object);
}

static void wh_server_store_class_init(WhServerStoreClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = wh_server_store_finalize;
}

static void wh_server_store_init(WhServerStore *self)
{
	self->servers = g_list_store_new(WH_TYPE_SERVER);
	self->file = g_key_file_new();
}

WhServerStore *wh_server_store_new(const char *path)
{
	WhServerStore *self = g_object_new(WH_TYPE_SERVER_STORE, NULL);

	self->path = path ? g_strdup(path) : g_build_filename(g_get_user_config_dir(), "wirehop", "servers.ini", NULL);
	return self;
}

/* GKeyFile's parse errors quote the line but do not number it. A prefix of whole lines parses exactly
 * when the bad line is not in it, so a binary search over prefixes finds the line number. */
static unsigned find_bad_line(const char *text, gsize length)
{
	g_autoptr(GPtrArray) line_ends = g_ptr_array_new();
	guint good = 0, bad;

	for (const char *c = text; c < text + length; c++) {
		if (*c == '\n')
			g_ptr_array_add(line_ends, (gpointer)(c + 1));
	}
	if (length > 0 && text[length - 1] != '\n')
		g_ptr_array_add(line_ends, (gpointer)(text + length));
	bad = line_ends->len; /* the whole file fails */
	while (bad - good > 1) {
		guint middle = good + (bad - good) / 2;
		const char *end = g_ptr_array_index(line_ends, middle - 1);
		g_autoptr(GKeyFile) prefix = g_key_file_new();

		if (g_key_file_load_from_data(prefix, text, (gsize)(end - text), G_KEY_FILE_KEEP_COMMENTS, NULL))
			good = middle;
		else
			bad = middle;
	}
	return bad;
}

static gboolean group_error(GError **error, const char *path, const char *group, const char *key,
			    const char *reason)
{
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, _("%s: group [%s], key %s: %s"), path,
		    group, key, reason);
	return FALSE;
}

static char *read_string(GKeyFile *file, const char *path, const char *group, const char *key, gboolean required,
			 GError **error)
{
	g_autoptr(GError) local_error = NULL;
	char *value = g_key_file_get_string(file, group, key, &local_error);

	if (!value && (required || !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)))
		group_error(error, path, group, key, local_error->message);
	else if (!value)
		value = g_strdup("");
	return value;
}

static gboolean read_list(GKeyFile *file, const char *path, const char *group, const char *key, GStrv *out,
			  GError **error)
{
	g_autoptr(GError) local_error = NULL;

	*out = g_key_file_get_string_list(file, group, key, NULL, &local_error);
	if (*out)
		return TRUE;
	if (g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)) {
		*out = g_new0(char *, 1);
		return TRUE;
	}
	return group_error(error, path, group, key, local_error->message);
}

static gboolean read_number(GKeyFile *file, const char *path, const char *group, const char *key, guint *out,
			    GError **error)
{
	g_autoptr(GError) local_error = NULL;
	guint64 value = g_key_file_get_uint64(file, group, key, &local_error);

	*out = 0;
	if (g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
		return TRUE;
	if (local_error)
		return group_error(error, path, group, key, local_error->message);
	if (value > G_MAXUINT32)
		return group_error(error, path, group, key, _("is not a number from 0 to 4294967295"));
	*out = (guint)value;
	return TRUE;
}

static gboolean read_flag(GKeyFile *file, const char *path, const char *group, const char *key, gboolean *out,
			  GError **error)
{
	g_autoptr(GError) local_error = NULL;

	*out = g_key_file_get_boolean(file, group, key, &local_error);
	if (g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
		return TRUE;
	if (local_error)
		return group_error(error, path, group, key, local_error->message);
	return TRUE;
}

static WhServer *read_server(GKeyFile *file, const char *path, const char *id, GError **error)
{
	g_autofree char *name = NULL, *endpoint = NULL, *public_key = NULL;
	g_auto(GStrv) addresses = NULL, dns = NULL, allowed_ips = NULL;
	guint mtu, keepalive;
	gboolean has_preshared_key;

	if (!(name = read_string(file, path, id, "Name", TRUE, error)) ||
	    !(endpoint = read_string(file, path, id, "Endpoint", FALSE, error)) ||
	    !(public_key = read_string(file, path, id, "PublicKey", FALSE, error)) ||
	    !read_list(file, path, id, "Address", &addresses, error) || !read_list(file, path, id, "DNS", &dns, error) ||
	    !read_list(file, path, id, "AllowedIPs", &allowed_ips, error) ||
	    !read_number(file, path, id, "MTU", &mtu, error) ||
	    !read_number(file, path, id, "PersistentKeepalive", &keepalive, error) ||
	    !read_flag(file, path, id, "HasPresharedKey", &has_preshared_key, error))
		return NULL;
	return g_object_new(WH_TYPE_SERVER,
			    "id", id,
			    "name", name,
			    "endpoint", endpoint,
			    "public-key", public_key,
			    "addresses", addresses,
			    "dns", dns,
			    "allowed-ips", allowed_ips,
			    "mtu", mtu,
			    "persistent-keepalive", keepalive,
			    "has-preshared-key", has_preshared_key,
			    NULL);
}

static gboolean read_file(const char *path, char **text, gsize *length, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	GStatBuf info;

	if (g_stat(path, &info) == 0 && info.st_size > MAX_FILE_SIZE) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s: the file is too large to be a server list"),
			    path);
		return FALSE;
	}
	if (g_file_get_contents(path, text, length, &local_error))
		return TRUE;
	if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		*text = g_strdup("");
		*length = 0;
		return TRUE;
	}
	g_propagate_error(error, g_steal_pointer(&local_error));
	return FALSE;
}

gboolean wh_server_store_load(WhServerStore *self, GError **error)
{
	g_autofree char *text = NULL;
	gsize length;
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(GError) parse_error = NULL;
	g_auto(GStrv) groups = NULL;
	g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func(g_object_unref);

	g_return_val_if_fail(WH_IS_SERVER_STORE(self), FALSE);
	self->loaded = FALSE;
	if (!read_file(self->path, &text, &length, error))
		return FALSE;
	if (!g_key_file_load_from_data(file, text, length, G_KEY_FILE_KEEP_COMMENTS, &parse_error)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, _("%s: line %u: %s"), self->path,
			    find_bad_line(text, length), parse_error->message);
		return FALSE;
	}

	groups = g_key_file_get_groups(file, NULL);
	for (size_t i = 0; groups[i]; i++) {
		WhServer *server = read_server(file, self->path, groups[i], error);

		if (!server)
			return FALSE;
		g_ptr_array_add(servers, server);
	}

	g_list_store_splice(self->servers, 0, g_list_model_get_n_items(G_LIST_MODEL(self->servers)), servers->pdata,
			    servers->len);
	g_key_file_unref(self->file);
	self->file = g_steal_pointer(&file);
	self->loaded = TRUE;
	return TRUE;
}

static void set_list(GKeyFile *file, const char *group, const char *key, const char *const *list)
{
	g_key_file_set_string_list(file, group, key, list, g_strv_length((char **)list));
}

static void write_server(GKeyFile *file, GKeyFile *previous, WhServer *server)
{
	const char *id = wh_server_get_id(server);
	g_auto(GStrv) keys = g_key_file_get_keys(previous, id, NULL, NULL);

	for (size_t i = 0; keys && keys[i]; i++) {
		g_autofree char *value = NULL;

		if (g_strv_contains(known_keys, keys[i]) || g_strv_contains(secret_keys, keys[i]))
			continue;
		value = g_key_file_get_value(previous, id, keys[i], NULL);
		if (value)
			g_key_file_set_value(file, id, keys[i], value);
	}
	g_key_file_set_string(file, id, "Name", wh_server_get_name(server));
	g_key_file_set_string(file, id, "Endpoint", wh_server_get_endpoint(server));
	g_key_file_set_string(file, id, "PublicKey", wh_server_get_public_key(server));
	set_list(file, id, "Address", wh_server_get_addresses(server));
	set_list(file, id, "DNS", wh_server_get_dns(server));
	set_list(file, id, "AllowedIPs", wh_server_get_allowed_ips(server));
	g_key_file_set_uint64(file, id, "MTU", wh_server_get_mtu(server));
	g_key_file_set_uint64(file, id, "PersistentKeepalive", wh_server_get_persistent_keepalive(server));
	g_key_file_set_boolean(file, id, "HasPresharedKey", wh_server_get_has_preshared_key(server));
}

gboolean wh_server_store_save(WhServerStore *self, GError **error)
{
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree char *directory = NULL;
	g_autofree char *text = NULL;
	gsize length;
	guint n;

	g_return_val_if_fail(WH_IS_SERVER_STORE(self), FALSE);
	if (!self->loaded) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    _("%s was not read successfully, so it is not overwritten"), self->path);
		return FALSE;
	}
	n = g_list_model_get_n_items(G_LIST_MODEL(self->servers));
	for (guint i = 0; i < n; i++) {
		g_autoptr(WhServer) server = g_list_model_get_item(G_LIST_MODEL(self->servers), i);

		write_server(file, self->file, server);
	}
	text = g_key_file_to_data(file, &length, NULL);

	directory = g_path_get_dirname(self->path);
	if (g_mkdir_with_parents(directory, 0700) != 0) {
		int saved_errno = errno;

		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved_errno), _("Cannot create %s: %s"),
			    directory, g_strerror(saved_errno));
		return FALSE;
	}
	if (!g_file_set_contents_full(self->path, text, (gssize)length,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING, 0600,
				      error))
		return FALSE;
	g_key_file_unref(self->file);
	self->file = g_steal_pointer(&file);
	return TRUE;
}

GListModel *wh_server_store_get_model(WhServerStore *self)
{
	g_return_val_if_fail(WH_IS_SERVER_STORE(self), NULL);
	return G_LIST_MODEL(self->servers);
}

static gboolean find_position(WhServerStore *self, const char *id, guint *position)
{
	guint n = g_list_model_get_n_items(G_LIST_MODEL(self->servers));

	for (guint i = 0; i < n; i++) {
		g_autoptr(WhServer) server = g_list_model_get_item(G_LIST_MODEL(self->servers), i);

		if (g_strcmp0(wh_server_get_id(server), id) == 0) {
			*position = i;
			return TRUE;
		}
	}
	return FALSE;
}

WhServer *wh_server_store_find(WhServerStore *self, const char *id)
{
	guint position;
	g_autoptr(WhServer) server = NULL;

	g_return_val_if_fail(WH_IS_SERVER_STORE(self), NULL);
	if (!id || !find_position(self, id, &position))
		return NULL;
	server = g_list_model_get_item(G_LIST_MODEL(self->servers), position);
	return server; /* the store keeps its reference */
}

/* A server with the id of one already in the list replaces it in place. */
void wh_server_store_add(WhServerStore *self, WhServer *server)
{
	guint position;

	g_return_if_fail(WH_IS_SERVER_STORE(self));
	g_return_if_fail(WH_IS_SERVER(server));
	if (find_position(self, wh_server_get_id(server), &position))
		g_list_store_splice(self->servers, position, 1, (gpointer *)&server, 1);
	else
		g_list_store_append(self->servers, server);
}

void wh_server_store_remove(WhServerStore *self, const char *id)
{
	guint position;

	g_return_if_fail(WH_IS_SERVER_STORE(self));
	if (id && find_position(self, id, &position))
		g_list_store_remove(self->servers, position);
}
