/* Importing wg-quick .conf files: reading and parsing them into servers and keys (no display
 * needed, tested on its own) and the file chooser with its summary that the app opens. */
#ifndef WIREHOP_APP_WH_IMPORT_H
#define WIREHOP_APP_WH_IMPORT_H

#include <gtk/gtk.h>

#include "wh-server.h"

G_BEGIN_DECLS

enum {
	WH_IMPORT_MAX_FILE_SIZE = 1024 * 1024,
};

/* One file's outcome. Either server is set (imported; private_key and preshared_key are its
 * secrets, base64, for the keyring) or error is ("FILE line N: message"). Warnings read
 * "FILE line N: PostUp is ignored: …". */
typedef struct {
	char *file_name; /* the base name, as the messages name it */
	WhServer *server;
	char *private_key;   /* wiped when freed */
	char *preshared_key; /* NULL: none; wiped when freed */
	GPtrArray *warnings; /* of char* */
	char *error;
} WhImportResult;

void wh_import_result_free(WhImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WhImportResult, wh_import_result_free)

/* Reads (refusing more than WH_IMPORT_MAX_FILE_SIZE bytes) and parses one file; the server is named
 * after the file without ".conf". Never NULL: problems are in result->error. */
WhImportResult *wh_import_file(GFile *file, GCancellable *cancellable);

/* The .conf files directly inside folder, sorted by name (a GPtrArray of GFile). */
GPtrArray *wh_import_list_folder(GFile *folder, GCancellable *cancellable, GError **error);

/* Imports every file (a GFile that is a folder stands for its .conf files). A GPtrArray of
 * WhImportResult in the order given, a folder's files sorted by name. */
GPtrArray *wh_import_files(GPtrArray *files, GCancellable *cancellable);

typedef struct _WhApplication WhApplication;

/* Opens the file chooser for one or several .conf files (wh_import_run_folder: for a folder) and
 * imports what the user picks: keys to the keyring, servers to the store, then a summary of every
 * file with its warnings and errors. */
void wh_import_run(GtkWindow *parent, WhApplication *app);
void wh_import_run_folder(GtkWindow *parent, WhApplication *app);

G_END_DECLS

#endif
