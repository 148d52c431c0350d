/* In-memory ports for tests and compositions: a TUN link whose far end the caller holds (inject
 * packets as the kernel would, collect what the device writes), and bind ports on a simulated UDP
 * network where a datagram reaches the bind port that opened its destination address and port.
 * Packets are copied on the way (this is a wire): into the reader's buffers, within their capacity;
 * no pointer to a caller's buffer is kept. Every call is thread-safe; queues are bounded and drop
 * when full; close wakes a blocked read. */
#ifndef WH_PLATFORM_MEMORY_MEMPORT_H
#define WH_PLATFORM_MEMORY_MEMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wirehop/port.h"

/* Impairments of one queue, applied as packets enter it. */
struct wh_memory_loss {
	unsigned drop_every;        /* drop every Nth packet (0: none) */
	double drop_probability;    /* drop each packet with this probability */
	double reorder_probability; /* queue a packet ahead of the one before it, if that one still waits */
	uint64_t seed;              /* of the generator behind both probabilities */
};

/* What happened to the packets offered to one queue. */
struct wh_memory_queue_stats {
	uint64_t queued;          /* accepted */
	uint64_t dropped_full;    /* the queue held its limit */
	uint64_t dropped_loss;    /* by struct wh_memory_loss */
	uint64_t dropped_too_big; /* longer than the buffer the reader offered */
	uint64_t reordered;
};

enum { WH_MEMORY_DEFAULT_QUEUE = 1024 };

/* ---- TUN link ---- */

struct wh_memory_link;

enum wh_memory_direction {
	WH_MEMORY_TO_DEVICE, /* injected by the host side, read by the device */
	WH_MEMORY_TO_HOST,   /* written by the device, collected by the host side */
};

/* A link with queues of queue_limit packets each way (0: WH_MEMORY_DEFAULT_QUEUE) whose TUN port
 * reports mtu; NULL when out of memory. */
struct wh_memory_link *wh_memory_link_new(unsigned queue_limit, unsigned mtu);
/* No thread may still be inside one of its operations. NULL is fine. */
void wh_memory_link_free(struct wh_memory_link *link);

/* The device's end. Its close makes reads return 0; writes keep reaching the host side. */
struct wh_tun_port wh_memory_link_tun_port(struct wh_memory_link *link);

/* Queues a packet for the device to read: 0 (also when the loss knobs eat it), -ENOBUFS when the
 * queue is full, -ENOMEM. */
int wh_memory_link_inject(struct wh_memory_link *link, const void *packet, size_t len);
/* Takes the oldest packet the device wrote, waiting up to timeout_ms (negative: for ever). Copies
 * at most capacity bytes and returns the packet's whole length (as recv with MSG_TRUNC), or
 * -ETIMEDOUT. */
ssize_t wh_memory_link_collect(struct wh_memory_link *link, void *buffer, size_t capacity, int timeout_ms);

/* NULL turns the impairments off. */
void wh_memory_link_set_loss(struct wh_memory_link *link, enum wh_memory_direction direction,
			     const struct wh_memory_loss *loss);
void wh_memory_link_get_stats(struct wh_memory_link *link, enum wh_memory_direction direction,
			      struct wh_memory_queue_stats *stats);

/* ---- Simulated UDP network ---- */

struct wh_memory_network;
struct wh_memory_bind;

/* A network whose bind ports each queue up to queue_limit incoming datagrams (0:
 * WH_MEMORY_DEFAULT_QUEUE); NULL when out of memory. Free its binds before it. */
struct wh_memory_network *wh_memory_network_new(unsigned queue_limit);
void wh_memory_network_free(struct wh_memory_network *network);

/* A host on the network with an IPv4 and/or an IPv6 address (text; NULL for none). Its bind port
 * sends each datagram from its address of the destination's family and the port it opened; open
 * with port 0 picks a free one from 49152 up, -EADDRINUSE when another bind sharing an address holds
 * the port. NULL for a bad address, neither address, or out of memory. */
struct wh_memory_bind *wh_memory_bind_new(struct wh_memory_network *network, const char *ipv4, const char *ipv6);
/* Leaves the network; no thread may still be inside one of its operations. NULL is fine. */
void wh_memory_bind_free(struct wh_memory_bind *bind);

struct wh_bind_port wh_memory_bind_port(struct wh_memory_bind *bind);

/* Where datagrams of family reach this bind (its address and opened port); false when it has no
 * address of that family or is not open. */
bool wh_memory_bind_endpoint(struct wh_memory_bind *bind, int family, struct wh_endpoint *endpoint);
/* The mark last set through the port. */
uint32_t wh_memory_bind_mark(struct wh_memory_bind *bind);

struct wh_memory_bind_stats {
	struct wh_memory_queue_stats rx; /* datagrams arriving here */
	uint64_t tx_sent;                /* left this bind (whether or not anyone was listening) */
	uint64_t tx_unroutable;          /* of those, no bind had the destination open */
	uint64_t tx_dropped;             /* never left: not open, or no address of the destination's family */
};

/* Impairs the datagrams arriving at this bind; NULL turns it off. */
void wh_memory_bind_set_loss(struct wh_memory_bind *bind, const struct wh_memory_loss *loss);
void wh_memory_bind_get_stats(struct wh_memory_bind *bind, struct wh_memory_bind_stats *stats);

#endif
