/* The Linux bind port: WireGuard datagrams over one IPv4 and one IPv6-only UDP socket on the same
 * port, read and written in batches (recvmmsg, sendmmsg). */
#ifndef WH_PLATFORM_LINUX_UDP_H
#define WH_PLATFORM_LINUX_UDP_H

#include <stdint.h>

#include "wirehop/port.h"

/* Datagrams the port dropped instead of blocking on them or passing them on damaged. */
struct wh_linux_udp_stats {
	uint64_t rx_truncated; /* longer than the buffer the device offered */
	uint64_t tx_dropped;   /* no socket for the family, no room for 50 ms, or refused by the kernel */
};

/* Fills in port with a bind port that has no sockets yet: open() creates them, and a read before
 * that waits for it (or for close). 0 or -errno.
 *
 * Threads: one reader at a time; write from any number of threads, also during a read and during
 * open(); open and set_mark from one thread at a time (the device's configuration lock), which may
 * run while the reader is blocked. Re-opening keeps the descriptor numbers and dup3()s the new
 * sockets onto them, so a concurrent write or read never reaches a closed or reused descriptor, and
 * it wakes the reader so that it polls the new sockets. A failed open leaves the old sockets in
 * place. The port stays usable for writes after close. */
int wh_linux_udp_new(struct wh_bind_port *port);

void wh_linux_udp_get_stats(const struct wh_bind_port *port, struct wh_linux_udp_stats *stats);

/* Closes the sockets and frees the port. No thread may still be inside one of its operations. */
void wh_linux_udp_free(struct wh_bind_port *port);

#endif
