/* The configuration protocol served by a device: apply a parsed `set`, take a `get` snapshot, and
 * answer whole requests as text. What wirehop-tunnel's socket (and later the Windows pipe) calls. */
#ifndef WH_UAPI_DEVICE_UAPI_H
#define WH_UAPI_DEVICE_UAPI_H

#include <stddef.h>

#include "uapi/config.h"
#include "wirehop/tunnel.h"

/* Applies change to the device in one locked step, in wireguard-go's order. Returns 0 or a negative
 * errno (-EADDRINUSE for a taken port, -ENOMEM, -EPERM for a fwmark without privilege) with a
 * message in error. */
int wh_device_apply_config(struct wh_device *device, const struct wh_config *change, char *error,
			   size_t error_len);

/* Fills snapshot (initialised here; free with wh_config_free) with the device's configuration and
 * figures. Returns 0 or -ENOMEM. */
int wh_device_snapshot_config(struct wh_device *device, struct wh_config *snapshot);

/* Answers one framed request (the bytes of a whole get or set request) with the full reply text,
 * "errno=N\n\n" included. *reply is freed with wh_uapi_free_text. error gets a message for the log
 * when the request failed (empty otherwise). Returns the errno put in the reply (0 or negative). */
int wh_device_uapi_request(struct wh_device *device, const char *request, size_t len, char **reply,
			   size_t *reply_len, char *error, size_t error_len);

#endif
