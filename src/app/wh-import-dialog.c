/* The visible part of importing (wh_import_run, declared in wh-import.h): the file chooser, the
 * files read in a worker thread, every key put in the keyring before its server joins the store,
 * and a summary of what happened to each file. */
#include "wh-import.h"

#include <glib/gi18n.h>

#include "wh-application.h"
#include "wh-key-store.h"

enum {
	SUMMARY_ROWS_UNSCROLLED = 6,
};

typedef struct {
	GtkWindow *parent;
	WhServerStore *store;
	GPtrArray *results; /* of WhImportResult */
	guint next;         /* the result whose keys are saved next */
	char *store_error;
} Import;

static void import_free(Import *import)
{
	g_clear_object(&import->parent);
	g_clear_object(&import->store);
	g_clear_pointer(&import->results, g_ptr_array_unref);
	g_free(import->store_error);
	g_free(import);
}

static GtkWidget *summary_row(WhImportResult *result)
{
	GtkWidget *row = adw_action_row_new();
	g_autoptr(GString) text = g_string_new(NULL);
	const char *icon;

	if (result->server != NULL) {
		g_string_printf(text, _("Imported as “%s”"), wh_server_get_name(result->server));
		icon = result->warnings->len > 0 ? "dialog-warning-symbolic" : "object-select-symbolic";
	} else {
		g_string_assign(text, result->error);
		icon = "dialog-error-symbolic";
	}
	for (guint i = 0; i < result->warnings->len; i++)
		g_string_append_printf(text, "\n%s", (const char *)g_ptr_array_index(result->warnings, i));

	adw_preferences_row_set_use_markup(ADW_PREFERENCES_ROW(row), FALSE);
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), result->file_name);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), text->str);
	adw_action_row_set_subtitle_lines(ADW_ACTION_ROW(row), 0);
	adw_action_row_add_prefix(ADW_ACTION_ROW(row), gtk_image_new_from_icon_name(icon));
	return row;
}

static void show_summary(Import *import)
{
	guint imported = 0;
	guint failed = 0;
	g_autofree char *heading = NULL;
	g_autofree char *body = NULL;
	GtkWidget *dialog;
	GtkWidget *list = gtk_list_box_new();
	GtkWidget *details = list;

	gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
	gtk_widget_add_css_class(list, "boxed-list");
	for (guint i = 0; i < import->results->len; i++) {
		WhImportResult *result = g_ptr_array_index(import->results, i);

		if (result->server != NULL)
			imported++;
		else
			failed++;
		gtk_list_box_append(GTK_LIST_BOX(list), summary_row(result));
	}
	if (imported == 0)
		heading = g_strdup(_("Nothing Imported"));
	else
		heading = g_strdup_printf(ngettext("%u Server Imported", "%u Servers Imported", imported), imported);
	if (import->store_error != NULL)
		body = g_strdup_printf(_("The servers could not be saved: %s"), import->store_error);
	else if (failed > 0)
		body = g_strdup_printf(ngettext("%u file could not be imported.", "%u files could not be imported.",
						failed),
				       failed);

	/* A scrolled window's natural height misjudges wrapped rows: a short list goes in as it is. */
	if (import->results->len > SUMMARY_ROWS_UNSCROLLED) {
		details = gtk_scrolled_window_new();
		gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(details), list);
		gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(details), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
		gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(details), 400);
	}
	dialog = adw_message_dialog_new(import->parent, heading, body);
	gtk_window_set_default_size(GTK_WINDOW(dialog), 560, -1);
	adw_message_dialog_set_extra_child(ADW_MESSAGE_DIALOG(dialog), details);
	adw_message_dialog_add_response(ADW_MESSAGE_DIALOG(dialog), "close", _("_Close"));
	gtk_window_present(GTK_WINDOW(dialog));
}

static void finish(Import *import)
{
	g_autoptr(GError) error = NULL;

	if (!wh_server_store_save(import->store, &error))
		import->store_error = g_strdup(error->message);
	show_summary(import);
	import_free(import);
}

/* A second import of the same file gets a name of its own, so that the list tells them apart. */
static void make_name_unique(WhServerStore *store, WhImportResult *result)
{
	GListModel *model = wh_server_store_get_model(store);
	const char *name = wh_server_get_name(result->server);
	g_autofree char *unique = g_strdup(name);

	for (guint n = 2;; n++) {
		gboolean taken = FALSE;

		for (guint i = 0; i < g_list_model_get_n_items(model) && !taken; i++) {
			g_autoptr(WhServer) server = g_list_model_get_item(model, i);

			taken = g_str_equal(wh_server_get_name(server), unique);
		}
		if (!taken)
			break;
		g_free(unique);
		unique = g_strdup_printf("%s (%u)", name, n);
	}
	if (!g_str_equal(unique, name)) {
		g_ptr_array_add(result->warnings,
				g_strdup_printf(_("%s: a server named “%s” exists already; this one is “%s”"),
						result->file_name, name, unique));
		g_object_set(result->server, "name", unique, NULL);
	}
}

static void save_next(Import *import);

static gboolean keys_saved(Import *import, WhImportResult *result, GAsyncResult *async_result)
{
	g_autoptr(GError) error = NULL;

	if (wh_key_store_save_finish(async_result, &error))
		return TRUE;
	result->error = g_strdup_printf(_("%s: the key could not be stored in the keyring: %s"), result->file_name,
					error->message);
	g_clear_object(&result->server);
	import->next++;
	save_next(import);
	return FALSE;
}

static void add_server(Import *import, WhImportResult *result)
{
	make_name_unique(import->store, result);
	wh_server_store_add(import->store, result->server);
	import->next++;
	save_next(import);
}

static void on_preshared_key_saved(GObject *source, GAsyncResult *async_result, gpointer user_data)
{
	Import *import = user_data;
	WhImportResult *result = g_ptr_array_index(import->results, import->next);

	(void)source;
	if (keys_saved(import, result, async_result))
		add_server(import, result);
}

static void on_private_key_saved(GObject *source, GAsyncResult *async_result, gpointer user_data)
{
	Import *import = user_data;
	WhImportResult *result = g_ptr_array_index(import->results, import->next);
	g_autofree char *label = NULL;

	(void)source;
	if (!keys_saved(import, result, async_result))
		return;
	if (result->preshared_key == NULL) {
		add_server(import, result);
		return;
	}
	label = g_strdup_printf(_("Wirehop preshared key for %s"), wh_server_get_name(result->server));
	wh_key_store_save(wh_server_get_id(result->server), WH_KEY_PRESHARED, result->preshared_key, label, NULL,
			  on_preshared_key_saved, import);
}

/* One file at a time: its keys to the keyring, then its server to the store. */
static void save_next(Import *import)
{
	WhImportResult *result = NULL;
	g_autofree char *label = NULL;

	while (import->next < import->results->len) {
		result = g_ptr_array_index(import->results, import->next);
		if (result->server != NULL)
			break;
		import->next++;
	}
	if (import->next == import->results->len || result == NULL) {
		finish(import);
		return;
	}
	label = g_strdup_printf(_("Wirehop private key for %s"), wh_server_get_name(result->server));
	wh_key_store_save(wh_server_get_id(result->server), WH_KEY_PRIVATE, result->private_key, label, NULL,
			  on_private_key_saved, import);
}

static void read_files_in_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	(void)source;
	g_task_return_pointer(task, wh_import_files(task_data, cancellable), (GDestroyNotify)g_ptr_array_unref);
}

static void on_files_read(GObject *source, GAsyncResult *async_result, gpointer user_data)
{
	Import *import = user_data;

	(void)source;
	import->results = g_task_propagate_pointer(G_TASK(async_result), NULL);
	save_next(import);
}

static void on_chooser_response(GtkNativeDialog *chooser, int response, gpointer user_data)
{
	Import *import = user_data;
	g_autoptr(GListModel) chosen = NULL;
	g_autoptr(GTask) task = NULL;
	GPtrArray *files;

	if (response != GTK_RESPONSE_ACCEPT) {
		import_free(import);
		g_object_unref(chooser);
		return;
	}
	chosen = gtk_file_chooser_get_files(GTK_FILE_CHOOSER(chooser));
	files = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < g_list_model_get_n_items(chosen); i++)
		g_ptr_array_add(files, g_list_model_get_item(chosen, i));
	g_object_unref(chooser);

	task = g_task_new(NULL, NULL, on_files_read, import);
	g_task_set_task_data(task, files, (GDestroyNotify)g_ptr_array_unref);
	g_task_run_in_thread(task, read_files_in_thread);
}

static void run_chooser(GtkWindow *parent, WhApplication *app, GtkFileChooserAction action)
{
	Import *import = g_new0(Import, 1);
	GtkFileChooserNative *chooser;

	import->parent = parent ? g_object_ref(parent) : NULL;
	import->store = g_object_ref(wh_application_get_store(app));
	if (action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER) {
		chooser = gtk_file_chooser_native_new(_("Import a Folder of WireGuard Files"), parent, action,
						      _("_Import"), _("_Cancel"));
	} else {
		g_autoptr(GtkFileFilter) conf = gtk_file_filter_new();
		g_autoptr(GtkFileFilter) all = gtk_file_filter_new();

		chooser = gtk_file_chooser_native_new(_("Import WireGuard Files"), parent, action, _("_Import"),
						      _("_Cancel"));
		gtk_file_chooser_set_select_multiple(GTK_FILE_CHOOSER(chooser), TRUE);
		gtk_file_filter_set_name(conf, _("WireGuard configuration (*.conf)"));
		gtk_file_filter_add_pattern(conf, "*.conf");
		gtk_file_filter_set_name(all, _("All files"));
		gtk_file_filter_add_pattern(all, "*");
		gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), conf);
		gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), all);
	}
	gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
	g_signal_connect(chooser, "response", G_CALLBACK(on_chooser_response), import);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

void wh_import_run(GtkWindow *parent, WhApplication *app)
{
	run_chooser(parent, app, GTK_FILE_CHOOSER_ACTION_OPEN);
}

void wh_import_run_folder(GtkWindow *parent, WhApplication *app)
{
	run_chooser(parent, app, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}
