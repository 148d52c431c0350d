/* The Linux bind port: WireGuard datagrams over one IPv4 and one IPv6-only UDP socket on the same
 * port, read and written in batches (recvmmsg, sendmmsg). A run of datagrams of one size (the last may
 * be shorter) to one endpoint leaves as one segmented send (UDP_SEGMENT: one trip through the stack),
 * from the device's buffers as they are; with UDP_GRO the kernel hands over such runs whole, and the
 * port cuts them back into datagrams in the device's buffers. WIREHOP_UDP_GSO=0, WIREHOP_UDP_GRO=0
 * and WIREHOP_BATCH=0 (one datagram per call), or WIREHOP_OFFLOADS=0 for all, switch them off; a
 * kernel that refuses segmentation (EIO, EINVAL) turns it off for the port's lifetime. */
#ifndef WH_PLATFORM_LINUX_UDP_H
#define WH_PLATFORM_LINUX_UDP_H

#include <stdbool.h>
#include <stdint.h>

#include "wirehop/port.h"

/* Datagrams the port dropped instead of blocking on them or passing them on damaged. */
struct wh_linux_udp_stats {
	uint64_t rx_truncated; /* longer than the buffer the device offered */
	uint64_t tx_dropped;   /* no socket for the family, no room for 50 ms, or refused by the kernel */
	uint64_t tx_segmented; /* sent as part of a UDP_SEGMENT run */
	uint64_t rx_coalesced; /* arrived as part of a message the kernel coalesced (UDP_GRO) */
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

/* What the port does: segmented sends (until the kernel refuses them), coalesced receives, and how
 * many datagrams one system call moves at most. */
void wh_linux_udp_describe(const struct wh_bind_port *port, bool *gso, bool *gro, unsigned *batch);

/* Closes the sockets and frees the port. No thread may still be inside one of its operations. */
void wh_linux_udp_free(struct wh_bind_port *port);

#endif
