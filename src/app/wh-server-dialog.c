/* Adding and editing a server. Nothing is saved until every field passes wh_server_validate; the
 * keys go to the keyring first, and only then the server to the store, so that a server never
 * exists without its key. */
#include "wh-server-dialog.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "wh-key-store.h"
#include "wirehop/tunnel.h"

struct _WhServerDialog {
	AdwWindow parent_instance;

	WhServerStore *store;
	WhServer *server;   /* NULL: adding */
	WhServer *edited;   /* the validated fields being saved */
	char *stored_private_key;   /* what the keyring held when the dialog opened */
	char *stored_preshared_key;
	GCancellable *cancellable;

	AdwToastOverlay *toasts;
	AdwWindowTitle *window_title;
	GtkButton *save_button;
	GtkLabel *general_error;
	GtkLabel *server_error;
	GtkLabel *tunnel_error;
	GtkLabel *key_error;
	AdwEntryRow *name_row;
	AdwEntryRow *endpoint_row;
	AdwEntryRow *public_key_row;
	AdwEntryRow *addresses_row;
	AdwEntryRow *dns_row;
	AdwEntryRow *allowed_ips_row;
	AdwEntryRow *mtu_row;
	AdwEntryRow *keepalive_row;
	AdwPasswordEntryRow *private_key_row;
	AdwActionRow *own_public_key_row;
	AdwPasswordEntryRow *preshared_key_row;
};

G_DEFINE_FINAL_TYPE(WhServerDialog, wh_server_dialog, ADW_TYPE_WINDOW)

/* The field names wh_server_validate's messages start with, and the row each one belongs to. */
typedef struct {
	const char *field;
	gsize row_offset;
	gsize error_offset;
} FieldRow;

static const FieldRow field_rows[] = {
	{"name", G_STRUCT_OFFSET(WhServerDialog, name_row), G_STRUCT_OFFSET(WhServerDialog, server_error)},
	{"endpoint", G_STRUCT_OFFSET(WhServerDialog, endpoint_row), G_STRUCT_OFFSET(WhServerDialog, server_error)},
	{"public-key", G_STRUCT_OFFSET(WhServerDialog, public_key_row), G_STRUCT_OFFSET(WhServerDialog, server_error)},
	{"addresses", G_STRUCT_OFFSET(WhServerDialog, addresses_row), G_STRUCT_OFFSET(WhServerDialog, tunnel_error)},
	{"dns", G_STRUCT_OFFSET(WhServerDialog, dns_row), G_STRUCT_OFFSET(WhServerDialog, tunnel_error)},
	{"allowed-ips", G_STRUCT_OFFSET(WhServerDialog, allowed_ips_row), G_STRUCT_OFFSET(WhServerDialog, tunnel_error)},
	{"mtu", G_STRUCT_OFFSET(WhServerDialog, mtu_row), G_STRUCT_OFFSET(WhServerDialog, tunnel_error)},
	{"persistent-keepalive", G_STRUCT_OFFSET(WhServerDialog, keepalive_row),
	 G_STRUCT_OFFSET(WhServerDialog, tunnel_error)},
	{"private-key", G_STRUCT_OFFSET(WhServerDialog, private_key_row), G_STRUCT_OFFSET(WhServerDialog, key_error)},
	{"preshared-key", G_STRUCT_OFFSET(WhServerDialog, preshared_key_row),
	 G_STRUCT_OFFSET(WhServerDialog, key_error)},
};

static GtkWidget *member(WhServerDialog *self, gsize offset)
{
	return G_STRUCT_MEMBER(GtkWidget *, self, offset);
}

static const char *row_text(gpointer row)
{
	return gtk_editable_get_text(GTK_EDITABLE(row));
}

/* "10.0.0.2/32, fd00::2/128" or one per space: the empty pieces go. */
static GStrv split_list(const char *text)
{
	g_auto(GStrv) pieces = g_regex_split_simple("[,\\s]+", text, 0, 0);
	GStrvBuilder *builder = g_strv_builder_new();
	GStrv list;

	for (char **piece = pieces; *piece != NULL; piece++) {
		if (**piece != '\0')
			g_strv_builder_add(builder, *piece);
	}
	list = g_strv_builder_end(builder);
	g_strv_builder_unref(builder);
	return list;
}

static char *join_list(const char *const *list)
{
	return g_strjoinv(", ", (char **)list);
}

static void clear_errors(WhServerDialog *self)
{
	for (gsize i = 0; i < G_N_ELEMENTS(field_rows); i++) {
		gtk_widget_remove_css_class(member(self, field_rows[i].row_offset), "error");
		gtk_widget_set_visible(member(self, field_rows[i].error_offset), FALSE);
	}
	gtk_widget_set_visible(GTK_WIDGET(self->general_error), FALSE);
}

static void show_general_error(WhServerDialog *self, const char *message)
{
	gtk_label_set_label(self->general_error, message);
	gtk_widget_set_visible(GTK_WIDGET(self->general_error), TRUE);
}

/* Shows "Row title: reason" under the row's group and marks the row. */
static void show_field_error(WhServerDialog *self, const FieldRow *field, const char *reason)
{
	GtkWidget *row = member(self, field->row_offset);
	GtkLabel *label = GTK_LABEL(member(self, field->error_offset));
	g_autofree char *message = g_strdup_printf("%s: %s", adw_preferences_row_get_title(ADW_PREFERENCES_ROW(row)),
						  reason);

	gtk_widget_add_css_class(row, "error");
	gtk_label_set_label(label, message);
	gtk_widget_set_visible(GTK_WIDGET(label), TRUE);
	gtk_widget_grab_focus(row);
}

static const FieldRow *find_field(const char *field)
{
	for (gsize i = 0; i < G_N_ELEMENTS(field_rows); i++) {
		/* g_strcmp0, not g_str_equal: inlined with a constant field, GCC 12 -O3 flags the strcmp
		 * of table entries of other lengths (-Wstring-compare, a false positive). */
		if (g_strcmp0(field_rows[i].field, field) == 0)
			return &field_rows[i];
	}
	return NULL;
}

/* wh_server_validate says "field: reason" or "field[i]: reason". */
static void show_validation_error(WhServerDialog *self, const char *message)
{
	const char *colon = strstr(message, ": ");
	g_autofree char *field = colon ? g_strndup(message, (gsize)(colon - message)) : NULL;
	char *bracket = field ? strchr(field, '[') : NULL;
	const FieldRow *row;

	if (bracket != NULL)
		*bracket = '\0';
	row = field ? find_field(field) : NULL;
	if (row == NULL)
		show_general_error(self, message);
	else
		show_field_error(self, row, colon + 2);
}

static gboolean parse_number(WhServerDialog *self, const char *field, guint *value)
{
	const FieldRow *row = find_field(field);
	const char *text = row_text(member(self, row->row_offset));
	guint64 number = 0;

	*value = 0;
	if (*text == '\0')
		return TRUE;
	if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, &number, NULL)) {
		g_autofree char *reason = g_strdup_printf(_("“%s” is not a whole number"), text);

		show_field_error(self, row, reason);
		return FALSE;
	}
	*value = (guint)number;
	return TRUE;
}

static gboolean is_key(const char *text)
{
	uint8_t key[WH_KEY_SIZE];
	gboolean valid = wh_key_from_base64(key, text);

	sodium_memzero(key, sizeof(key));
	return valid;
}

static gboolean check_keys(WhServerDialog *self)
{
	const char *private_key = row_text(self->private_key_row);
	const char *preshared_key = row_text(self->preshared_key_row);
	const char *not_a_key = _("not a WireGuard key (44 characters of base64 ending in “=”)");

	if (*private_key == '\0') {
		show_field_error(self, find_field("private-key"), _("generate one or paste yours"));
		return FALSE;
	}
	if (!is_key(private_key)) {
		show_field_error(self, find_field("private-key"), not_a_key);
		return FALSE;
	}
	if (*preshared_key != '\0' && !is_key(preshared_key)) {
		show_field_error(self, find_field("preshared-key"), not_a_key);
		return FALSE;
	}
	return TRUE;
}

/* A new server holding what the fields say, or NULL with the error shown next to its field. */
static WhServer *read_fields(WhServerDialog *self)
{
	g_autofree char *name = g_strstrip(g_strdup(row_text(self->name_row)));
	g_autoptr(WhServer) server = wh_server_new(name);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) addresses = split_list(row_text(self->addresses_row));
	g_auto(GStrv) dns = split_list(row_text(self->dns_row));
	g_auto(GStrv) allowed_ips = split_list(row_text(self->allowed_ips_row));
	guint mtu;
	guint keepalive;

	if (!parse_number(self, "mtu", &mtu) || !parse_number(self, "persistent-keepalive", &keepalive))
		return NULL;
	if (name[0] == '\0') {
		show_field_error(self, find_field("name"), _("is empty"));
		return NULL;
	}
	/* wh_server_validate looks at the key before the endpoint; the form asks in its own order. */
	if (*row_text(self->endpoint_row) == '\0') {
		show_field_error(self, find_field("endpoint"), _("is missing"));
		return NULL;
	}
	g_object_set(server,
		     "endpoint", row_text(self->endpoint_row),
		     "public-key", row_text(self->public_key_row),
		     "addresses", addresses,
		     "dns", dns,
		     "allowed-ips", allowed_ips,
		     "mtu", mtu,
		     "persistent-keepalive", keepalive,
		     "has-preshared-key", *row_text(self->preshared_key_row) != '\0',
		     NULL);
	if (!wh_server_validate(server, &error)) {
		show_validation_error(self, error->message);
		return NULL;
	}
	return g_steal_pointer(&server);
}

static void set_busy(WhServerDialog *self, gboolean busy)
{
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "server.save", !busy);
}

static void fail_saving(WhServerDialog *self, const char *heading, const GError *error)
{
	g_autofree char *message = g_strdup_printf("%s: %s", heading, error->message);

	show_general_error(self, message);
	g_clear_object(&self->edited);
	set_busy(self, FALSE);
}

/* The last step: the keys are in the keyring, now the server goes to the store. */
static void commit(WhServerDialog *self)
{
	g_autoptr(GError) error = NULL;

	if (self->server == NULL) {
		wh_server_store_add(self->store, self->edited);
	} else {
		g_object_set(self->server,
			     "name", wh_server_get_name(self->edited),
			     "endpoint", wh_server_get_endpoint(self->edited),
			     "public-key", wh_server_get_public_key(self->edited),
			     "addresses", wh_server_get_addresses(self->edited),
			     "dns", wh_server_get_dns(self->edited),
			     "allowed-ips", wh_server_get_allowed_ips(self->edited),
			     "mtu", wh_server_get_mtu(self->edited),
			     "persistent-keepalive", wh_server_get_persistent_keepalive(self->edited),
			     "has-preshared-key", wh_server_get_has_preshared_key(self->edited),
			     NULL);
	}
	if (!wh_server_store_save(self->store, &error)) {
		if (self->server == NULL)
			wh_server_store_remove(self->store, wh_server_get_id(self->edited));
		fail_saving(self, _("Could not save the servers"), error);
		return;
	}
	gtk_window_destroy(GTK_WINDOW(self));
}

static void on_preshared_key_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(WhServerDialog) self = user_data;
	g_autoptr(GError) error = NULL;
	gboolean deleting = *row_text(self->preshared_key_row) == '\0';
	gboolean done = deleting ? wh_key_store_delete_finish(result, &error)
				 : wh_key_store_save_finish(result, &error);

	(void)source;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!done) {
		fail_saving(self, _("Could not store the preshared key in the keyring"), error);
		return;
	}
	commit(self);
}

static void save_preshared_key(WhServerDialog *self)
{
	const char *id = wh_server_get_id(self->edited);
	const char *preshared_key = row_text(self->preshared_key_row);
	g_autofree char *label = NULL;

	if (g_strcmp0(preshared_key, self->stored_preshared_key ? self->stored_preshared_key : "") == 0) {
		commit(self);
		return;
	}
	if (*preshared_key == '\0') {
		wh_key_store_delete(id, WH_KEY_PRESHARED, self->cancellable, on_preshared_key_done, g_object_ref(self));
		return;
	}
	label = g_strdup_printf(_("Wirehop preshared key for %s"), wh_server_get_name(self->edited));
	wh_key_store_save(id, WH_KEY_PRESHARED, preshared_key, label, self->cancellable, on_preshared_key_done,
			  g_object_ref(self));
}

static void on_private_key_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(WhServerDialog) self = user_data;
	g_autoptr(GError) error = NULL;

	(void)source;
	if (!wh_key_store_save_finish(result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			fail_saving(self, _("Could not store the private key in the keyring"), error);
		return;
	}
	save_preshared_key(self);
}

static void save_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServerDialog *self = WH_SERVER_DIALOG(widget);
	const char *private_key = row_text(self->private_key_row);
	g_autofree char *label = NULL;

	(void)action_name;
	(void)parameter;
	clear_errors(self);
	self->edited = read_fields(self);
	if (self->edited == NULL)
		return;
	if (!check_keys(self)) {
		g_clear_object(&self->edited);
		return;
	}
	/* The id is the server's own when editing: the keyring entries belong to it. */
	if (self->server != NULL)
		g_object_set(self->edited, "id", wh_server_get_id(self->server), NULL);
	set_busy(self, TRUE);
	if (g_strcmp0(private_key, self->stored_private_key) == 0) {
		save_preshared_key(self);
		return;
	}
	label = g_strdup_printf(_("Wirehop private key for %s"), wh_server_get_name(self->edited));
	wh_key_store_save(wh_server_get_id(self->edited), WH_KEY_PRIVATE, private_key, label, self->cancellable,
			  on_private_key_saved, g_object_ref(self));
}

/* Once the user changes a field its error mark goes; the message stays until the next Save. */
static void on_field_changed(GtkEditable *row)
{
	gtk_widget_remove_css_class(GTK_WIDGET(row), "error");
}

/* Enter in any field saves, as in other GNOME dialogs. */
static void on_field_activated(WhServerDialog *self)
{
	gtk_widget_activate_action(GTK_WIDGET(self), "server.save", NULL);
}

static void on_private_key_changed(WhServerDialog *self)
{
	g_autofree char *public_key = wh_key_public_from_private_text(row_text(self->private_key_row));

	adw_action_row_set_subtitle(self->own_public_key_row,
				    public_key ? public_key : _("Generate or paste your private key to see it"));
	gtk_widget_action_set_enabled(GTK_WIDGET(self), "server.copy-public-key", public_key != NULL);
}

static void generate_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServerDialog *self = WH_SERVER_DIALOG(widget);
	char *private_key = wh_key_generate();

	(void)action_name;
	(void)parameter;
	gtk_editable_set_text(GTK_EDITABLE(self->private_key_row), private_key);
	wh_key_store_free_key(private_key);
}

static void copy_activated(GtkWidget *widget, const char *action_name, GVariant *parameter)
{
	WhServerDialog *self = WH_SERVER_DIALOG(widget);
	g_autofree char *public_key = wh_key_public_from_private_text(row_text(self->private_key_row));

	(void)action_name;
	(void)parameter;
	if (public_key == NULL)
		return;
	gdk_clipboard_set_text(gtk_widget_get_clipboard(widget), public_key);
	adw_toast_overlay_add_toast(self->toasts, adw_toast_new(_("Public key copied")));
}

typedef struct {
	WhServerDialog *self; /* a reference */
	WhKeyKind kind;
} KeyLookup;

static void on_key_looked_up(GObject *source, GAsyncResult *result, gpointer user_data)
{
	KeyLookup *lookup = user_data;
	g_autoptr(WhServerDialog) self = lookup->self;
	WhKeyKind kind = lookup->kind;
	g_autoptr(GError) error = NULL;
	char *key = wh_key_store_lookup_finish(result, &error);

	(void)source;
	g_free(lookup);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (error != NULL) {
		show_field_error(self, find_field(kind == WH_KEY_PRIVATE ? "private-key" : "preshared-key"),
				 error->message);
		return;
	}
	if (key == NULL)
		return;
	if (kind == WH_KEY_PRIVATE) {
		self->stored_private_key = key;
		gtk_editable_set_text(GTK_EDITABLE(self->private_key_row), key);
	} else {
		self->stored_preshared_key = key;
		gtk_editable_set_text(GTK_EDITABLE(self->preshared_key_row), key);
	}
}

static void look_up_key(WhServerDialog *self, WhKeyKind kind)
{
	KeyLookup *lookup = g_new0(KeyLookup, 1);

	lookup->self = g_object_ref(self);
	lookup->kind = kind;
	wh_key_store_lookup(wh_server_get_id(self->server), kind, self->cancellable, on_key_looked_up, lookup);
}

static void fill_fields(WhServerDialog *self, WhServer *server)
{
	g_autofree char *addresses = join_list(wh_server_get_addresses(server));
	g_autofree char *dns = join_list(wh_server_get_dns(server));
	g_autofree char *allowed_ips = join_list(wh_server_get_allowed_ips(server));
	g_autofree char *mtu = wh_server_get_mtu(server) ? g_strdup_printf("%u", wh_server_get_mtu(server)) : NULL;
	guint keepalive_seconds = wh_server_get_persistent_keepalive(server);
	g_autofree char *keepalive = keepalive_seconds ? g_strdup_printf("%u", keepalive_seconds) : NULL;

	gtk_editable_set_text(GTK_EDITABLE(self->name_row), wh_server_get_name(server));
	gtk_editable_set_text(GTK_EDITABLE(self->endpoint_row), wh_server_get_endpoint(server));
	gtk_editable_set_text(GTK_EDITABLE(self->public_key_row), wh_server_get_public_key(server));
	gtk_editable_set_text(GTK_EDITABLE(self->addresses_row), addresses);
	gtk_editable_set_text(GTK_EDITABLE(self->dns_row), dns);
	gtk_editable_set_text(GTK_EDITABLE(self->allowed_ips_row), allowed_ips);
	gtk_editable_set_text(GTK_EDITABLE(self->mtu_row), mtu ? mtu : "");
	gtk_editable_set_text(GTK_EDITABLE(self->keepalive_row), keepalive ? keepalive : "");
	look_up_key(self, WH_KEY_PRIVATE);
	look_up_key(self, WH_KEY_PRESHARED);
}

static void wh_server_dialog_dispose(GObject *object)
{
	WhServerDialog *self = WH_SERVER_DIALOG(object);

	g_cancellable_cancel(self->cancellable);
	gtk_widget_dispose_template(GTK_WIDGET(self), WH_TYPE_SERVER_DIALOG);
	g_clear_object(&self->store);
	g_clear_object(&self->server);
	g_clear_object(&self->edited);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->stored_private_key, wh_key_store_free_key);
	g_clear_pointer(&self->stored_preshared_key, wh_key_store_free_key);
	G_OBJECT_CLASS(wh_server_dialog_parent_class)->dispose(object);
}

static void wh_server_dialog_class_init(WhServerDialogClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = wh_server_dialog_dispose;

	gtk_widget_class_set_template_from_resource(widget_class, "/io/github/wirehop/Wirehop/ui/wh-server-dialog.ui");
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, toasts);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, window_title);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, save_button);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, general_error);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, server_error);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, tunnel_error);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, key_error);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, name_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, endpoint_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, public_key_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, addresses_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, dns_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, allowed_ips_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, mtu_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, keepalive_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, private_key_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, own_public_key_row);
	gtk_widget_class_bind_template_child(widget_class, WhServerDialog, preshared_key_row);
	gtk_widget_class_bind_template_callback(widget_class, on_private_key_changed);

	gtk_widget_class_install_action(widget_class, "server.save", NULL, save_activated);
	gtk_widget_class_install_action(widget_class, "server.generate-key", NULL, generate_activated);
	gtk_widget_class_install_action(widget_class, "server.copy-public-key", NULL, copy_activated);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
	gtk_widget_class_add_binding_action(widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "server.save", NULL);
}

static void wh_server_dialog_init(WhServerDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->cancellable = g_cancellable_new();
	for (gsize i = 0; i < G_N_ELEMENTS(field_rows); i++) {
		GtkWidget *row = member(self, field_rows[i].row_offset);

		g_signal_connect(row, "changed", G_CALLBACK(on_field_changed), NULL);
		g_signal_connect_swapped(row, "entry-activated", G_CALLBACK(on_field_activated), self);
	}
	on_private_key_changed(self);
}

GtkWidget *wh_server_dialog_new(GtkWindow *parent, WhServerStore *store, WhServer *server)
{
	WhServerDialog *self = g_object_new(WH_TYPE_SERVER_DIALOG, "transient-for", parent, NULL);

	self->store = g_object_ref(store);
	if (server != NULL) {
		self->server = g_object_ref(server);
		adw_window_title_set_title(self->window_title, _("Edit Server"));
		adw_window_title_set_subtitle(self->window_title, wh_server_get_name(server));
		fill_fields(self, server);
	} else {
		adw_window_title_set_title(self->window_title, _("Add Server"));
		gtk_widget_grab_focus(GTK_WIDGET(self->name_row));
	}
	return GTK_WIDGET(self);
}
