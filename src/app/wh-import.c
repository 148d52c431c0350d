/* The part of importing that needs no display: a .conf file (or a folder of them) read, parsed and
 * turned into a server, its secrets and the messages the user sees about it. */
#include "wh-import.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "wh-key-store.h"
#include "wirehop/tunnel.h"

void wh_import_result_free(WhImportResult *result)
{
	if (result == NULL)
		return;
	g_free(result->file_name);
	g_clear_object(&result->server);
	g_clear_pointer(&result->private_key, wh_key_store_free_key);
	g_clear_pointer(&result->preshared_key, wh_key_store_free_key);
	g_ptr_array_unref(result->warnings);
	g_free(result->error);
	g_free(result);
}

static WhImportResult *result_new(GFile *file)
{
	WhImportResult *result = g_new0(WhImportResult, 1);

	result->file_name = g_file_get_basename(file);
	result->warnings = g_ptr_array_new_with_free_func(g_free);
	return result;
}

static WhImportResult *result_fail(WhImportResult *result, const char *message)
{
	result->error = g_strdup_printf("%s: %s", result->file_name, message);
	return result;
}

static char *key_to_base64(const uint8_t key[WGCONF_KEY_SIZE])
{
	char base64[WH_KEY_BASE64_LEN + 1];
	char *copy;

	wh_key_to_base64(base64, key);
	copy = g_strdup(base64);
	sodium_memzero(base64, sizeof(base64));
	return copy;
}

/* One byte more than allowed is read so that a file of exactly the limit passes and a larger one
 * is refused without reading it whole. The caller wipes and frees the text: it holds keys. */
static char *read_limited(GFile *file, gsize *length, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFileInputStream) stream = g_file_read(file, cancellable, error);
	g_autofree char *text = NULL;

	if (stream == NULL)
		return NULL;
	text = g_malloc(WH_IMPORT_MAX_FILE_SIZE + 1);
	if (!g_input_stream_read_all(G_INPUT_STREAM(stream), text, WH_IMPORT_MAX_FILE_SIZE + 1, length,
				     cancellable, error)) {
		sodium_memzero(text, WH_IMPORT_MAX_FILE_SIZE + 1);
		return NULL;
	}
	if (*length > WH_IMPORT_MAX_FILE_SIZE) {
		sodium_memzero(text, *length);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    _("larger than 1 MiB, not a WireGuard configuration"));
		return NULL;
	}
	return g_steal_pointer(&text);
}

static char *server_name_for(const char *file_name)
{
	if (g_str_has_suffix(file_name, ".conf") && strlen(file_name) > strlen(".conf"))
		return g_strndup(file_name, strlen(file_name) - strlen(".conf"));
	return g_strdup(file_name);
}

static void take_conf(WhImportResult *result, const struct wgconf *conf)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *name = server_name_for(result->file_name);
	g_autoptr(WhServer) server = wh_server_new_from_wgconf(conf, name, &error);

	if (server == NULL || !wh_server_validate(server, &error)) {
		result_fail(result, error->message);
		return;
	}
	result->server = g_steal_pointer(&server);
	result->private_key = key_to_base64(conf->private_key);
	if (conf->n_peers > 0 && conf->peers[0].has_preshared_key)
		result->preshared_key = key_to_base64(conf->peers[0].preshared_key);
}

WhImportResult *wh_import_file(GFile *file, GCancellable *cancellable)
{
	WhImportResult *result = result_new(file);
	g_autoptr(GError) error = NULL;
	struct wgconf conf = {0};
	struct wgconf_diagnostics diag = {0};
	char *text;
	gsize length = 0;
	int parsed;

	text = read_limited(file, &length, cancellable, &error);
	if (text == NULL)
		return result_fail(result, error->message);
	parsed = wgconf_parse(text, length, &conf, &diag);
	sodium_memzero(text, length);
	g_free(text);

	for (size_t i = 0; i < diag.n_warnings; i++)
		g_ptr_array_add(result->warnings, g_strdup_printf(_("%s line %u: %s"), result->file_name,
								   diag.warnings[i].line, diag.warnings[i].message));
	if (parsed != 0) {
		if (diag.error_line > 0)
			result->error = g_strdup_printf(_("%s line %u: %s"), result->file_name, diag.error_line,
							diag.error);
		else
			result_fail(result, diag.error);
		return result;
	}
	take_conf(result, &conf);
	wgconf_free(&conf);
	return result;
}

static int compare_basenames(gconstpointer a, gconstpointer b)
{
	g_autofree char *name_a = g_file_get_basename(*(GFile *const *)a);
	g_autofree char *name_b = g_file_get_basename(*(GFile *const *)b);

	return g_strcmp0(name_a, name_b);
}

GPtrArray *wh_import_list_folder(GFile *folder, GCancellable *cancellable, GError **error)
{
	g_autoptr(GFileEnumerator) children = NULL;
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_object_unref);

	children = g_file_enumerate_children(folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
					     G_FILE_QUERY_INFO_NONE, cancellable, error);
	if (children == NULL)
		return NULL;
	for (;;) {
		GFileInfo *info;
		GFile *child;

		if (!g_file_enumerator_iterate(children, &info, &child, cancellable, error))
			return NULL;
		if (info == NULL)
			break;
		if (g_file_info_get_file_type(info) == G_FILE_TYPE_REGULAR &&
		    g_str_has_suffix(g_file_info_get_name(info), ".conf"))
			g_ptr_array_add(files, g_object_ref(child));
	}
	g_ptr_array_sort(files, compare_basenames);
	return g_steal_pointer(&files);
}

static void import_folder(GPtrArray *results, GFile *folder, GCancellable *cancellable)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files = wh_import_list_folder(folder, cancellable, &error);

	if (files == NULL) {
		g_ptr_array_add(results, result_fail(result_new(folder), error->message));
		return;
	}
	if (files->len == 0) {
		g_ptr_array_add(results, result_fail(result_new(folder), _("no .conf files in this folder")));
		return;
	}
	for (guint i = 0; i < files->len; i++)
		g_ptr_array_add(results, wh_import_file(g_ptr_array_index(files, i), cancellable));
}

GPtrArray *wh_import_files(GPtrArray *files, GCancellable *cancellable)
{
	GPtrArray *results = g_ptr_array_new_with_free_func((GDestroyNotify)wh_import_result_free);

	for (guint i = 0; i < files->len; i++) {
		GFile *file = g_ptr_array_index(files, i);

		if (g_file_query_file_type(file, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY)
			import_folder(results, file, cancellable);
		else
			g_ptr_array_add(results, wh_import_file(file, cancellable));
	}
	return results;
}
