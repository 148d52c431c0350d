/* Authorisation of callers with polkit, per call, from the caller's bus name. */
#ifndef WIREHOP_HELPER_AUTHORITY_H
#define WIREHOP_HELPER_AUTHORITY_H

#include <stdbool.h>

#include <gio/gio.h>

#define AUTHORITY_ACTION_CONNECT "io.github.wirehop.connect"
#define AUTHORITY_ACTION_MANAGE "io.github.wirehop.manage"

struct authority;

/* enabled false (tests on a session bus only) allows every caller. */
struct authority *authority_new(bool enabled, GError **error);
void authority_free(struct authority *authority);

/* Asks polkit whether the sender of invocation may perform action (interactively when the caller
 * allowed it); callback gets the result through authority_check_finish. */
void authority_check(struct authority *authority, GDBusMethodInvocation *invocation, const char *action,
		     GAsyncReadyCallback callback, gpointer user_data);

/* TRUE, or FALSE with HELPER_ERROR_NOT_AUTHORIZED (or the polkit failure) in error. */
gboolean authority_check_finish(GAsyncResult *result, GError **error);

#endif
