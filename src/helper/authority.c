/* polkit checks: one authority for the process, the subject built from the caller's unique name. */
#include "authority.h"

#include <polkit/polkit.h>

#include "helper-error.h"

struct authority {
	PolkitAuthority *polkit; /* NULL: checks disabled */
};

struct authority *authority_new(bool enabled, GError **error)
{
	struct authority *authority = g_new0(struct authority, 1);
	if (!enabled)
		return authority;
	authority->polkit = polkit_authority_get_sync(NULL, error);
	if (!authority->polkit) {
		g_free(authority);
		return NULL;
	}
	return authority;
}

void authority_free(struct authority *authority)
{
	if (!authority)
		return;
	g_clear_object(&authority->polkit);
	g_free(authority);
}

static void on_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(PolkitAuthorizationResult) answer =
		polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), result, &error);
	if (!answer) {
		g_task_return_new_error(task, HELPER_ERROR, HELPER_ERROR_NOT_AUTHORIZED,
					"Could not ask polkit whether this is allowed: %s", error->message);
		return;
	}
	if (!polkit_authorization_result_get_is_authorized(answer)) {
		const char *action = g_task_get_task_data(task);
		g_task_return_new_error(task, HELPER_ERROR, HELPER_ERROR_NOT_AUTHORIZED,
					"Not authorized: polkit refused %s to this caller", action);
		return;
	}
	g_task_return_boolean(task, TRUE);
}

void authority_check(struct authority *authority, GDBusMethodInvocation *invocation, const char *action,
		     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, NULL, callback, user_data);
	g_task_set_task_data(task, g_strdup(action), g_free);
	if (!authority->polkit) {
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
		return;
	}
	g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new(g_dbus_method_invocation_get_sender(invocation));
	PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
	GDBusMessage *message = g_dbus_method_invocation_get_message(invocation);
	if (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
		flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
	polkit_authority_check_authorization(authority->polkit, subject, action, NULL, flags, NULL, on_checked, task);
}

gboolean authority_check_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}
