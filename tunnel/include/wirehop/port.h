/* Ports: how a device reads and writes packets. A TUN port carries plaintext IP packets, a bind port
 * carries encrypted UDP datagrams. Linux TUN and UDP sockets, Windows wintun and winsock, in-memory
 * pipes for tests and another device's tunnel (multihop) all implement the same two tables. */
#ifndef WIREHOP_PORT_H
#define WIREHOP_PORT_H

#include <stdint.h>

#include "wirehop/tunnel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer from the device's pool. A port writes into data (at most capacity bytes), sets len and,
 * for a bind port, endpoint; it never moves data. The bytes before data and after capacity belong
 * to the device (headroom for the WireGuard header, tailroom for padding and the tag). */
struct wh_packet {
	uint8_t *data;
	uint32_t len;
	uint32_t capacity;
	struct wh_endpoint endpoint; /* bind port: source on read, destination on write */
};

struct wh_tun_port_ops {
	/* Blocks until at least one packet arrives, then fills up to count packets without blocking.
	 * Returns how many were filled, 0 once the port is closed, or -errno. */
	int (*read)(void *ctx, struct wh_packet **packets, unsigned count);
	/* Writes count packets; returns how many were written or -errno. Never blocks for long. */
	int (*write)(void *ctx, struct wh_packet *const *packets, unsigned count);
	/* The interface MTU (used for padding), 0 if unknown. */
	unsigned (*mtu)(void *ctx);
	/* Makes a blocked or later read return 0; called once when the device stops. */
	void (*close)(void *ctx);
};

struct wh_bind_port_ops {
	/* Starts listening on port (0: any free one) for IPv4 and IPv6; *bound gets the port used. May
	 * be called again to move to another port. Returns 0 or -errno. */
	int (*open)(void *ctx, uint16_t port, uint16_t *bound);
	/* As the TUN port's read; each packet's endpoint is its source. */
	int (*read)(void *ctx, struct wh_packet **packets, unsigned count);
	/* Sends each packet to its endpoint; returns how many were sent or -errno. */
	int (*write)(void *ctx, struct wh_packet *const *packets, unsigned count);
	/* Sets the firewall mark of outgoing datagrams (SO_MARK on Linux); 0 clears it. 0 or -errno. */
	int (*set_mark)(void *ctx, uint32_t mark);
	/* As the TUN port's close. */
	void (*close)(void *ctx);
};

struct wh_tun_port {
	const struct wh_tun_port_ops *ops;
	void *ctx;
};

struct wh_bind_port {
	const struct wh_bind_port_ops *ops;
	void *ctx;
};

#ifdef __cplusplus
}
#endif

#endif
