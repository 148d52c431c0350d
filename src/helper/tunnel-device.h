/* The embedded engine: a TUN interface, a UDP port and a wh_device configured from a profile. */
#ifndef WIREHOP_HELPER_TUNNEL_DEVICE_H
#define WIREHOP_HELPER_TUNNEL_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "profile.h"
#include "wirehop/tunnel.h"

struct tunnel_device;

struct tunnel_statistics {
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t last_handshake_realtime_ns; /* 0: none yet */
};

#define TUNNEL_DEVICE_ERROR (tunnel_device_error_quark())
GQuark tunnel_device_error_quark(void);

/* Creates the TUN interface ifname (down, no addresses) and starts the device with its UDP socket
 * marked with fwmark. */
struct tunnel_device *tunnel_device_open(const char *ifname, uint32_t fwmark, GError **error);

/* Sets the private key and the single hop of profile as the only peer, reaching it at endpoint, and
 * starts the handshake. */
bool tunnel_device_configure(struct tunnel_device *device, const struct profile *profile,
			     const struct wh_endpoint *endpoint, GError **error);

const char *tunnel_device_ifname(const struct tunnel_device *device);

void tunnel_device_statistics(struct tunnel_device *device, struct tunnel_statistics *statistics);

/* Stops the threads, wipes the keys, closes the TUN (the interface disappears). NULL is fine. */
void tunnel_device_close(struct tunnel_device *device);

#endif
