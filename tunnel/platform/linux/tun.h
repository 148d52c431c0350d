/* The Linux TUN port: plaintext IP packets through /dev/net/tun (IFF_TUN | IFF_NO_PI) on a
 * non-blocking descriptor. With IFF_VNET_HDR (unless WIREHOP_TUN_OFFLOAD=0 or WIREHOP_OFFLOADS=0) the
 * kernel hands over TCP (and UDP) super-packets of up to 64 KiB, one read() each, which the port cuts
 * into MTU-sized packets, and it writes TCP segments of one flow as one super-packet (writev, one call
 * per flow and batch). Without it: one read() or write() per packet. WIREHOP_BATCH=0 makes a read
 * return one packet at a time. */
#ifndef WH_PLATFORM_LINUX_TUN_H
#define WH_PLATFORM_LINUX_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "wirehop/port.h"

/* Packets the port dropped rather than blocked on or passed on damaged. */
struct wh_linux_tun_stats {
	uint64_t rx_truncated; /* longer than the buffer the device offered */
	uint64_t rx_malformed; /* a virtio-net header the packet did not match */
	uint64_t tx_dropped;   /* the kernel had no room (EAGAIN, ENOBUFS) or refused the packet */
};

/* Creates the TUN interface name (which may hold a %d for the kernel to fill) or attaches to an
 * existing one, and fills in port. actual_name gets the interface's name. The interface is not
 * brought up. 0 or -errno (-EPERM without CAP_NET_ADMIN, -EBUSY when another process holds it).
 *
 * Threads: one reader at a time; write and mtu from any number of threads, also during a read;
 * close from any thread. The port stays usable for writes after close. */
int wh_linux_tun_open(const char *name, struct wh_tun_port *port, char actual_name[IFNAMSIZ]);

void wh_linux_tun_get_stats(const struct wh_tun_port *port, struct wh_linux_tun_stats *stats);

/* Whether the port uses virtio-net headers; *offloads gets the TUN_F_* flags the kernel took, *batch
 * whether a read returns more than one packet. */
bool wh_linux_tun_describe(const struct wh_tun_port *port, unsigned *offloads, bool *batch);

/* Closes the descriptors (a non-persistent interface disappears) and frees the port. No thread may
 * still be inside one of its operations. */
void wh_linux_tun_free(struct wh_tun_port *port);

#endif
