/* The D-Bus object. Every method that changes something asks polkit first, before any work. */
#include "service.h"

#include <sodium.h>
#include <string.h>

#include "helper-error.h"
#include "profile.h"
#include "wh-helper1-generated.h"

#define OBJECT_PATH "/io/github/wirehop/Helper1"
#define SETTINGS_GROUP "helper"

struct service {
	WhHelper1 *skeleton;
	struct connection *connection;
	struct authority *authority;
	char *settings_path;
};

/* One call waiting for polkit's answer. */
struct pending_call {
	struct service *service;
	GDBusMethodInvocation *invocation;
	GVariant *argument;
};

static struct pending_call *pending_call_new(struct service *service, GDBusMethodInvocation *invocation,
					     GVariant *argument)
{
	struct pending_call *call = g_new0(struct pending_call, 1);
	call->service = service;
	call->invocation = g_object_ref(invocation);
	call->argument = argument ? g_variant_ref(argument) : NULL;
	return call;
}

static void pending_call_free(struct pending_call *call)
{
	g_clear_object(&call->invocation); /* answered calls hand it over */
	g_clear_pointer(&call->argument, g_variant_unref);
	g_free(call);
}

typedef struct pending_call pending_call;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(pending_call, pending_call_free)

/* polkit's answer: TRUE to go on, or FALSE with the refusal already sent (and a refused profile's
 * key text wiped). */
static bool authorized(struct pending_call *call, GAsyncResult *result)
{
	g_autoptr(GError) error = NULL;
	if (authority_check_finish(result, &error))
		return true;
	if (call->argument)
		profile_wipe_secret_text(call->argument);
	g_dbus_method_invocation_return_gerror(g_steal_pointer(&call->invocation), error);
	return false;
}

static void on_connect_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(pending_call) call = user_data;
	g_autoptr(GError) error = NULL;
	(void)source;
	if (!authorized(call, result))
		return;
	struct profile *profile = profile_from_variant(call->argument, &error);
	/* The key text lives in the message's buffer: overwrite it once read. */
	profile_wipe_secret_text(call->argument);
	if (!profile) {
		g_dbus_method_invocation_return_error(g_steal_pointer(&call->invocation), HELPER_ERROR,
						      HELPER_ERROR_INVALID_PROFILE, "Invalid profile: %s", error->message);
		return;
	}
	const char *unsupported = NULL;
	if (profile->n_hops > 1)
		unsupported = "Multihop (two servers in hops) is not available in this version of the helper yet";
	else if (profile->daita)
		unsupported = "DAITA is not available in this version of the helper yet";
	if (unsupported) {
		profile_free(profile);
		g_dbus_method_invocation_return_error_literal(g_steal_pointer(&call->invocation), HELPER_ERROR,
							      HELPER_ERROR_NOT_SUPPORTED, unsupported);
		return;
	}
	g_message("connect requested by %s: %s", g_dbus_method_invocation_get_sender(call->invocation), profile->name);
	connection_connect(call->service->connection, profile);
	g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation), NULL);
}

static gboolean handle_connect(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, GVariant *profile,
			       gpointer user_data)
{
	struct service *service = user_data;
	(void)skeleton;
	authority_check(service->authority, invocation, AUTHORITY_ACTION_CONNECT, on_connect_authorized,
			pending_call_new(service, invocation, profile));
	return TRUE;
}

static void on_disconnect_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(pending_call) call = user_data;
	(void)source;
	if (!authorized(call, result))
		return;
	g_message("disconnect requested by %s", g_dbus_method_invocation_get_sender(call->invocation));
	connection_disconnect(call->service->connection);
	g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation), NULL);
}

static gboolean handle_disconnect(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct service *service = user_data;
	(void)skeleton;
	authority_check(service->authority, invocation, AUTHORITY_ACTION_CONNECT, on_disconnect_authorized,
			pending_call_new(service, invocation, NULL));
	return TRUE;
}

static bool save_settings(struct service *service, GError **error)
{
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_key_file_set_boolean(file, SETTINGS_GROUP, "kill-switch",
			       connection_kill_switch_default(service->connection));
	g_autofree char *dir = g_path_get_dirname(service->settings_path);
	g_mkdir_with_parents(dir, 0755);
	gsize len;
	g_autofree char *text = g_key_file_to_data(file, &len, NULL);
	return g_file_set_contents_full(service->settings_path, text, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
					error);
}

static void on_set_kill_switch_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(pending_call) call = user_data;
	g_autoptr(GError) error = NULL;
	(void)source;
	if (!authorized(call, result))
		return;
	struct service *service = call->service;
	gboolean enabled = g_variant_get_boolean(call->argument);
	bool before = connection_kill_switch_default(service->connection);
	connection_set_kill_switch_default(service->connection, enabled);
	if (!save_settings(service, &error)) {
		connection_set_kill_switch_default(service->connection, before);
		g_dbus_method_invocation_return_error(g_steal_pointer(&call->invocation), HELPER_ERROR, HELPER_ERROR_FAILED,
						      "Cannot save the setting: %s", error->message);
		return;
	}
	wh_helper1_set_kill_switch(service->skeleton, enabled);
	g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation), NULL);
}

static gboolean handle_set_kill_switch(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, gboolean enabled,
				       gpointer user_data)
{
	struct service *service = user_data;
	(void)skeleton;
	authority_check(service->authority, invocation, AUTHORITY_ACTION_MANAGE, on_set_kill_switch_authorized,
			pending_call_new(service, invocation, g_variant_new_boolean(enabled)));
	return TRUE;
}

static gboolean handle_get_state(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct service *service = user_data;
	enum connection_state state = connection_state(service->connection);
	wh_helper1_complete_get_state(skeleton, invocation, connection_state_name(state),
				      connection_details(service->connection));
	return TRUE;
}

static gboolean handle_get_statistics(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct service *service = user_data;
	wh_helper1_complete_get_statistics(skeleton, invocation, connection_statistics(service->connection));
	return TRUE;
}

static gboolean handle_get_version(WhHelper1 *skeleton, GDBusMethodInvocation *invocation, gpointer user_data)
{
	(void)user_data;
	wh_helper1_complete_get_version(skeleton, invocation, WH_VERSION);
	return TRUE;
}

static void on_state_changed(void *ctx)
{
	struct service *service = ctx;
	const char *name = connection_state_name(connection_state(service->connection));
	wh_helper1_set_state(service->skeleton, name);
	wh_helper1_emit_state_changed(service->skeleton, name, connection_details(service->connection));
	g_dbus_interface_skeleton_flush(G_DBUS_INTERFACE_SKELETON(service->skeleton));
}

static bool load_settings(struct service *service)
{
	g_autoptr(GKeyFile) file = g_key_file_new();
	if (!g_key_file_load_from_file(file, service->settings_path, G_KEY_FILE_NONE, NULL))
		return false;
	return g_key_file_get_boolean(file, SETTINGS_GROUP, "kill-switch", NULL);
}

struct service *service_new(GDBusConnection *bus, const struct helper_options *options, struct authority *authority,
			    const char *settings_path, GError **error)
{
	struct service *service = g_new0(struct service, 1);
	service->authority = authority;
	service->settings_path = g_strdup(settings_path);
	service->connection = connection_new(options, on_state_changed, service);
	bool kill_switch = load_settings(service);
	connection_set_kill_switch_default(service->connection, kill_switch);
	service->skeleton = wh_helper1_skeleton_new();
	wh_helper1_set_state(service->skeleton, connection_state_name(CONNECTION_DISCONNECTED));
	wh_helper1_set_kill_switch(service->skeleton, kill_switch);
	g_signal_connect(service->skeleton, "handle-connect", G_CALLBACK(handle_connect), service);
	g_signal_connect(service->skeleton, "handle-disconnect", G_CALLBACK(handle_disconnect), service);
	g_signal_connect(service->skeleton, "handle-get-state", G_CALLBACK(handle_get_state), service);
	g_signal_connect(service->skeleton, "handle-get-statistics", G_CALLBACK(handle_get_statistics), service);
	g_signal_connect(service->skeleton, "handle-set-kill-switch", G_CALLBACK(handle_set_kill_switch), service);
	g_signal_connect(service->skeleton, "handle-get-version", G_CALLBACK(handle_get_version), service);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(service->skeleton), bus, OBJECT_PATH, error)) {
		service_free(service);
		return NULL;
	}
	return service;
}

void service_free(struct service *service)
{
	if (!service)
		return;
	connection_free(service->connection);
	if (service->skeleton) {
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(service->skeleton));
		g_object_unref(service->skeleton);
	}
	g_free(service->settings_path);
	g_free(service);
}
