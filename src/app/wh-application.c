/* WhApplication: start-up (store, helper client, settings, tray, notifier), the application's
 * actions and the connect sequence: keys from the keyring, the profile, the helper's Connect. */
#include "wh-application.h"

#include <glib/gi18n.h>

#include "helper-error.h"
#include "wh-config.h"
#include "wh-key-store.h"
#include "wh-notifier.h"
#include "wh-preferences-window.h"
#include "wh-import.h"
#include "wh-tray.h"
#include "wh-window.h"

/* How long a start in the tray waits for the tray to be taken before it shows the window. */
#define TRAY_WAIT_MS 3000

struct _WhApplication {
	AdwApplication parent_instance;

	WhServerStore *store;
	WhHelperClient *client;
	GSettings *settings;
	WhNotifier *notifier;
	WhTray *tray;
	gboolean held_for_tray;
	gboolean activated; /* "start-hidden" applies to the first activation only */
	guint tray_wait_source;

	GCancellable *connect_cancellable; /* the connect on its way, if any */
	char *connect_error;
	char *sent_profile_name; /* what the last Connect was called, and the route it stood for */
	char *sent_route;
};

G_DEFINE_FINAL_TYPE(WhApplication, wh_application, ADW_TYPE_APPLICATION)

enum {
	PROP_0,
	PROP_CONNECT_ERROR,
	PROP_BUSY,
	N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* One connect: the servers, then the keys as they come back from the keyring. */
typedef struct {
	WhApplication *app;
	GCancellable *cancellable; /* the application's connect_cancellable when this job started */
	WhServer *exit;
	WhServer *entry; /* NULL: single hop */
	char *private_key;
	char *exit_preshared_key;
	char *entry_preshared_key;
	char **pending_key; /* where the lookup on its way goes */
} ConnectJob;

static void connect_job_free(ConnectJob *job)
{
	g_clear_object(&job->app);
	g_clear_object(&job->cancellable);
	g_clear_object(&job->exit);
	g_clear_object(&job->entry);
	g_clear_pointer(&job->private_key, wh_key_store_free_key);
	g_clear_pointer(&job->exit_preshared_key, wh_key_store_free_key);
	g_clear_pointer(&job->entry_preshared_key, wh_key_store_free_key);
	g_free(job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ConnectJob, connect_job_free)

static GtkWindow *main_window(WhApplication *self)
{
	for (GList *l = gtk_application_get_windows(GTK_APPLICATION(self)); l; l = l->next)
		if (WH_IS_WINDOW(l->data))
			return l->data;
	return NULL;
}

static void set_connect_error(WhApplication *self, const char *message)
{
	if (g_strcmp0(self->connect_error, message) == 0)
		return;
	g_free(self->connect_error);
	self->connect_error = g_strdup(message);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECT_ERROR]);
	if (!message)
		return;
	GtkWindow *window = main_window(self);
	if (!window || !gtk_widget_get_visible(GTK_WIDGET(window)))
		wh_notifier_notify_error(self->notifier, message);
}

static void end_connect(WhApplication *self, GCancellable *cancellable, const char *error_message)
{
	if (self->connect_cancellable != cancellable)
		return; /* a newer attempt took over */
	g_clear_object(&self->connect_cancellable);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_BUSY]);
	set_connect_error(self, error_message);
}

/* What a person can act on, for an error of the keyring or of a helper call. */
static char *describe_helper_error(const GError *error)
{
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
		return g_strdup(_("The Wirehop helper (wirehopd) is not running or not installed. "
				  "Install it, or start it with “systemctl start wirehopd”."));
	if (g_error_matches(error, HELPER_ERROR, HELPER_ERROR_NOT_AUTHORIZED))
		return g_strdup_printf(_("Not allowed: %s"), error->message);
	return g_strdup(error->message);
}

static void on_connect_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(ConnectJob) job = user_data;
	g_autoptr(GError) error = NULL;
	gboolean ok = wh_helper_client_connect_finish(WH_HELPER_CLIENT(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	g_autofree char *message = ok ? NULL : describe_helper_error(error);
	end_connect(job->app, job->cancellable, message);
}

/* Takes job. */
static void send_profile(ConnectJob *job)
{
	g_autoptr(ConnectJob) owned_job = job;
	WhApplication *self = job->app;
	g_autoptr(GError) error = NULL;
	gboolean daita = g_settings_get_boolean(self->settings, "daita");
	gboolean kill_switch = g_settings_get_boolean(self->settings, "kill-switch");
	g_autoptr(GVariant) profile = wh_server_build_profile(job->exit, job->entry, job->private_key,
							      job->exit_preshared_key, job->entry_preshared_key,
							      daita, kill_switch, &error);
	if (!profile) {
		g_autofree char *message = g_strdup_printf(_("“%s” cannot be used: %s"),
							   wh_server_get_name(job->exit), error->message);
		end_connect(self, job->cancellable, message);
		return;
	}
	g_variant_ref_sink(profile);

	const char *name = NULL;
	g_variant_lookup(profile, "name", "&s", &name);
	g_free(self->sent_profile_name);
	self->sent_profile_name = g_strdup(name);
	g_free(self->sent_route);
	self->sent_route = job->entry ? g_strdup_printf(_("%s → %s"), wh_server_get_name(job->entry),
							wh_server_get_name(job->exit))
				      : g_strdup(wh_server_get_name(job->exit));
	/* Only the helper needs the keys from here on. */
	g_clear_pointer(&job->private_key, wh_key_store_free_key);
	g_clear_pointer(&job->exit_preshared_key, wh_key_store_free_key);
	g_clear_pointer(&job->entry_preshared_key, wh_key_store_free_key);
	wh_helper_client_connect(self->client, profile, job->cancellable, on_connect_done, g_steal_pointer(&owned_job));
}

static void connect_job_next(ConnectJob *job);

static void on_key(GObject *source, GAsyncResult *result, gpointer user_data)
{
	(void)source;
	g_autoptr(ConnectJob) job = user_data;
	g_autoptr(GError) error = NULL;
	char *key = wh_key_store_lookup_finish(result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	GCancellable *cancellable = job->cancellable;
	if (error) {
		g_autofree char *message = g_strdup_printf(_("The keyring could not be read: %s"), error->message);
		end_connect(job->app, cancellable, message);
		return;
	}
	char **slot = job->pending_key;
	if (!key) {
		g_autofree char *message =
			slot == &job->private_key
				? g_strdup_printf(_("No private key for “%s” in the keyring. Edit the server to paste or "
						    "generate one."),
						  wh_server_get_name(job->exit))
				: g_strdup_printf(_("The preshared key of “%s” is missing from the keyring."),
						  wh_server_get_name(slot == &job->entry_preshared_key ? job->entry
												      : job->exit));
		end_connect(job->app, cancellable, message);
		return;
	}
	*slot = key;
	connect_job_next(g_steal_pointer(&job));
}

/* Looks up the next key still missing, or sends the profile once all are in. */
static void connect_job_next(ConnectJob *job)
{
	WhServer *server = NULL;
	WhKeyKind kind = WH_KEY_PRIVATE;
	if (!job->private_key) {
		server = job->exit;
		job->pending_key = &job->private_key;
	} else if (!job->exit_preshared_key && wh_server_get_has_preshared_key(job->exit)) {
		server = job->exit;
		kind = WH_KEY_PRESHARED;
		job->pending_key = &job->exit_preshared_key;
	} else if (job->entry && !job->entry_preshared_key && wh_server_get_has_preshared_key(job->entry)) {
		server = job->entry;
		kind = WH_KEY_PRESHARED;
		job->pending_key = &job->entry_preshared_key;
	}
	if (server) {
		wh_key_store_lookup(wh_server_get_id(server), kind, job->cancellable, on_key, job);
		return;
	}
	send_profile(job);
}

static WhServer *find_server(WhApplication *self, const char *key)
{
	g_autofree char *id = g_settings_get_string(self->settings, key);
	return *id ? wh_server_store_find(self->store, id) : NULL;
}

/* The current choice: the multihop pair, or the last server (else the first one). */
static gboolean choose_route(WhApplication *self, WhServer **exit, WhServer **entry, GError **error)
{
	*entry = NULL;
	if (g_settings_get_boolean(self->settings, "multihop")) {
		*entry = find_server(self, "multihop-entry");
		*exit = find_server(self, "multihop-exit");
		if (!*entry || !*exit || *entry == *exit) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    _("Multihop needs two different servers: choose the entry and the exit on "
					      "the Multihop page."));
			return FALSE;
		}
		return TRUE;
	}
	*exit = find_server(self, "last-server");
	if (!*exit) {
		GListModel *model = wh_server_store_get_model(self->store);
		g_autoptr(WhServer) first = g_list_model_get_item(model, 0);
		*exit = first; /* the store keeps it alive */
	}
	if (!*exit) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    _("There is no server yet: add one on the Servers page or import a .conf file."));
		return FALSE;
	}
	return TRUE;
}

static void start_connect(WhApplication *self, WhServer *exit, WhServer *entry)
{
	if (self->connect_cancellable)
		g_cancellable_cancel(self->connect_cancellable);
	g_clear_object(&self->connect_cancellable);
	self->connect_cancellable = g_cancellable_new();
	set_connect_error(self, NULL);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_BUSY]);

	ConnectJob *job = g_new0(ConnectJob, 1);
	job->app = g_object_ref(self);
	job->cancellable = g_object_ref(self->connect_cancellable);
	job->exit = g_object_ref(exit);
	job->entry = entry ? g_object_ref(entry) : NULL;
	connect_job_next(job);
}

static void on_connect(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	WhApplication *self = user_data;
	g_autoptr(GError) error = NULL;
	WhServer *exit, *entry;
	if (!choose_route(self, &exit, &entry, &error)) {
		set_connect_error(self, error->message);
		return;
	}
	if (!entry)
		g_settings_set_string(self->settings, "last-server", wh_server_get_id(exit));
	start_connect(self, exit, entry);
}

static void on_connect_server(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	WhApplication *self = user_data;
	const char *id = g_variant_get_string(parameter, NULL);
	WhServer *server = wh_server_store_find(self->store, id);
	if (!server) {
		set_connect_error(self, _("That server is no longer in the list."));
		return;
	}
	g_settings_set_string(self->settings, "last-server", id);
	start_connect(self, server, NULL);
}

static void on_disconnect_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(WhApplication) self = user_data;
	g_autoptr(GError) error = NULL;
	if (wh_helper_client_disconnect_finish(WH_HELPER_CLIENT(source), result, &error))
		return;
	g_autofree char *message = describe_helper_error(error);
	set_connect_error(self, message);
}

static void on_disconnect(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	WhApplication *self = user_data;
	if (self->connect_cancellable) {
		g_cancellable_cancel(self->connect_cancellable);
		end_connect(self, self->connect_cancellable, NULL);
	}
	set_connect_error(self, NULL);
	wh_helper_client_disconnect(self->client, NULL, on_disconnect_done, g_object_ref(self));
}

static GtkWindow *present_window(WhApplication *self)
{
	GtkWindow *window = main_window(self);
	if (!window)
		window = GTK_WINDOW(wh_window_new(self));
	gtk_window_present(window);
	return window;
}

static void on_show_window(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	present_window(user_data);
}

static void on_preferences(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	WhApplication *self = user_data;
	GtkWindow *parent = present_window(self);
	GtkWidget *preferences = wh_preferences_window_new(self);
	gtk_window_set_transient_for(GTK_WINDOW(preferences), parent);
	gtk_window_present(GTK_WINDOW(preferences));
}

static void on_import(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	WhApplication *self = user_data;
	wh_import_run(present_window(self), self);
}

static void on_about(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	WhApplication *self = user_data;
	static const char *developers[] = {"The Wirehop authors", NULL};
	GtkWindow *parent = present_window(self);
	adw_show_about_window(parent, "application-name", _("Wirehop"), "application-icon", WH_APPLICATION_ID,
			      "version", WH_VERSION, "developer-name", _("The Wirehop authors"), "developers",
			      developers, "website", "https://github.com/wirehop/wirehop", "issue-url",
			      "https://github.com/wirehop/wirehop/issues", "license-type", GTK_LICENSE_GPL_2_0,
			      "comments", _("A WireGuard VPN client with multihop, a kill switch and DAITA."),
			      "translator-credits", _("translator-credits"), NULL);
}

static void on_quit(GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
	(void)action;
	(void)parameter;
	g_application_quit(G_APPLICATION(user_data));
}

static const GActionEntry app_actions[] = {
	{.name = "connect", .activate = on_connect},
	{.name = "connect-server", .activate = on_connect_server, .parameter_type = "s"},
	{.name = "disconnect", .activate = on_disconnect},
	{.name = "show-window", .activate = on_show_window},
	{.name = "preferences", .activate = on_preferences},
	{.name = "import", .activate = on_import},
	{.name = "about", .activate = on_about},
	{.name = "quit", .activate = on_quit},
};

static const struct {
	const char *action;
	const char *accels[2];
} app_accels[] = {
	{"app.connect", {"<Control>Return", NULL}},
	{"app.disconnect", {"<Control>d", NULL}},
	{"app.import", {"<Control>o", NULL}},
	{"app.preferences", {"<Control>comma", NULL}},
	{"app.quit", {"<Control>q", NULL}},
	{"window.close", {"<Control>w", NULL}},
};

gboolean wh_application_get_tray_available(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), FALSE);
	return self->tray && wh_tray_get_available(self->tray);
}

/* While a tray icon can bring the window back, the application runs without a visible window. */
static void on_tray_available(GObject *tray, GParamSpec *pspec, gpointer user_data)
{
	(void)tray;
	(void)pspec;
	WhApplication *self = user_data;
	gboolean available = wh_application_get_tray_available(self);
	if (available == self->held_for_tray)
		return;
	self->held_for_tray = available;
	if (available) {
		g_application_hold(G_APPLICATION(self));
		return;
	}
	GtkWindow *window = main_window(self);
	if (!window || !gtk_widget_get_visible(GTK_WIDGET(window)))
		present_window(self);
	g_application_release(G_APPLICATION(self));
}


static gboolean on_tray_wait_over(gpointer user_data)
{
	WhApplication *self = user_data;
	self->tray_wait_source = 0;
	if (!wh_application_get_tray_available(self))
		present_window(self);
	g_application_release(G_APPLICATION(self));
	return G_SOURCE_REMOVE;
}

static void wh_application_activate(GApplication *app)
{
	WhApplication *self = WH_APPLICATION(app);
	gboolean start_hidden = !self->activated && self->tray &&
				g_settings_get_boolean(self->settings, "start-hidden");
	self->activated = TRUE;
	if (!start_hidden) {
		present_window(self);
		return;
	}
	/* The tray registers asynchronously: give it a moment before deciding there is none. */
	if (wh_application_get_tray_available(self))
		return;
	g_application_hold(app);
	self->tray_wait_source = g_timeout_add(TRAY_WAIT_MS, on_tray_wait_over, self);
}

static void wh_application_startup(GApplication *app)
{
	WhApplication *self = WH_APPLICATION(app);
	G_APPLICATION_CLASS(wh_application_parent_class)->startup(app);

	g_action_map_add_action_entries(G_ACTION_MAP(self), app_actions, G_N_ELEMENTS(app_actions), self);
	for (size_t i = 0; i < G_N_ELEMENTS(app_accels); i++)
		gtk_application_set_accels_for_action(GTK_APPLICATION(self), app_accels[i].action,
						      app_accels[i].accels);

	self->settings = g_settings_new(WH_APPLICATION_ID);
	self->store = wh_server_store_new(NULL);
	g_autoptr(GError) error = NULL;
	if (!wh_server_store_load(self->store, &error)) {
		g_autofree char *message =
			g_strdup_printf(_("Your servers could not be read, and the file is left as it is: %s"),
					error->message);
		set_connect_error(self, message);
	}
	self->client = wh_helper_client_new();
	self->notifier = wh_notifier_new(app, self->client, self->settings);
	self->tray = wh_tray_new(G_ACTION_GROUP(self), wh_server_store_get_model(self->store), G_OBJECT(self->client));
	g_signal_connect_object(self->tray, "notify::available", G_CALLBACK(on_tray_available), self, 0);
}

static void wh_application_shutdown(GApplication *app)
{
	WhApplication *self = WH_APPLICATION(app);
	if (self->connect_cancellable)
		g_cancellable_cancel(self->connect_cancellable);
	g_clear_handle_id(&self->tray_wait_source, g_source_remove);
	G_APPLICATION_CLASS(wh_application_parent_class)->shutdown(app);
}

char *wh_application_describe_route(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), NULL);
	const char *state = wh_helper_client_get_state(self->client);
	gboolean has_connection = g_str_equal(state, "connecting") || g_str_equal(state, "connected") ||
				  g_str_equal(state, "disconnecting") || g_str_equal(state, "error");
	const char *profile = NULL;
	if (has_connection && g_variant_lookup(wh_helper_client_get_details(self->client), "profile", "&s", &profile)) {
		if (self->sent_route && g_strcmp0(profile, self->sent_profile_name) == 0)
			return g_strdup(self->sent_route);
		return g_strdup(profile);
	}
	WhServer *exit, *entry;
	if (!choose_route(self, &exit, &entry, NULL))
		return NULL;
	if (entry)
		return g_strdup_printf(_("%s → %s"), wh_server_get_name(entry), wh_server_get_name(exit));
	return g_strdup(wh_server_get_name(exit));
}

WhServerStore *wh_application_get_store(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), NULL);
	return self->store;
}

WhHelperClient *wh_application_get_client(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), NULL);
	return self->client;
}

GSettings *wh_application_get_settings(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), NULL);
	return self->settings;
}

const char *wh_application_get_connect_error(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), NULL);
	return self->connect_error;
}

gboolean wh_application_get_busy(WhApplication *self)
{
	g_return_val_if_fail(WH_IS_APPLICATION(self), FALSE);
	return self->connect_cancellable != NULL;
}

static void wh_application_dispose(GObject *object)
{
	WhApplication *self = WH_APPLICATION(object);
	g_clear_object(&self->connect_cancellable);
	g_clear_object(&self->tray);
	g_clear_object(&self->notifier);
	g_clear_object(&self->client);
	g_clear_object(&self->store);
	g_clear_object(&self->settings);
	G_OBJECT_CLASS(wh_application_parent_class)->dispose(object);
}

static void wh_application_finalize(GObject *object)
{
	WhApplication *self = WH_APPLICATION(object);
	g_free(self->connect_error);
	g_free(self->sent_profile_name);
	g_free(self->sent_route);
	G_OBJECT_CLASS(wh_application_parent_class)->finalize(object);
}

static void wh_application_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	WhApplication *self = WH_APPLICATION(object);
	switch (prop_id) {
	case PROP_CONNECT_ERROR:
		g_value_set_string(value, self->connect_error);
		break;
	case PROP_BUSY:
		g_value_set_boolean(value, wh_application_get_busy(self));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void wh_application_class_init(WhApplicationClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GApplicationClass *app_class = G_APPLICATION_CLASS(klass);
	object_class->dispose = wh_application_dispose;
	object_class->finalize = wh_application_finalize;
	object_class->get_property = wh_application_get_property;
	app_class->startup = wh_application_startup;
	app_class->activate = wh_application_activate;
	app_class->shutdown = wh_application_shutdown;

	const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
	properties[PROP_CONNECT_ERROR] = g_param_spec_string("connect-error", NULL, NULL, NULL, flags);
	properties[PROP_BUSY] = g_param_spec_boolean("busy", NULL, NULL, FALSE, flags);
	g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void wh_application_init(WhApplication *self)
{
	(void)self;
}

WhApplication *wh_application_new(void)
{
	return g_object_new(WH_TYPE_APPLICATION, "application-id", WH_APPLICATION_ID, "flags",
			    G_APPLICATION_DEFAULT_FLAGS, NULL);
}
