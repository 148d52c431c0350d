/* Desktop notifications (GNotification) when the connection is made, ends or fails. */
#ifndef WIREHOP_APP_WH_NOTIFIER_H
#define WIREHOP_APP_WH_NOTIFIER_H

#include <gio/gio.h>

#include "wh-helper-client.h"

G_BEGIN_DECLS

#define WH_TYPE_NOTIFIER (wh_notifier_get_type())
G_DECLARE_FINAL_TYPE(WhNotifier, wh_notifier, WH, NOTIFIER, GObject)

/* Follows client's state; notifies only while the "notifications" key of settings is on. */
WhNotifier *wh_notifier_new(GApplication *app, WhHelperClient *client, GSettings *settings);

/* An error the helper never saw (the keyring, a server that is not valid, a refused call). */
void wh_notifier_notify_error(WhNotifier *self, const char *message);

G_END_DECLS

#endif
