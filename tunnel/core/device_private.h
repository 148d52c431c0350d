/* The device's internals: an engine driven by threads and ports, with a lock-free data path.
 *
 * One control thread owns the engine (under engine_lock): handshakes, timers, configuration. The data
 * path never takes that lock: readers look up peers and keypairs in read-only views the control
 * thread publishes with RCU (liburcu), workers encrypt and decrypt in parallel, and each peer's
 * packets leave in order through its ordered queue. What the data path learns (traffic sent and
 * received, the peer's latest address, which keypair spoke) it posts to the control thread. */
#ifndef WH_CORE_DEVICE_PRIVATE_H
#define WH_CORE_DEVICE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/allowedips.h"
#include "core/engine_private.h"
#include "core/ring.h"
#include "wirehop/port.h"
#include "wirehop/tunnel.h"

enum wh_device_limits {
	/* Room before a packet: the 16-byte data header, with spare for later encapsulations. */
	WH_DEVICE_HEADROOM = 64,
	/* The largest IP packet or datagram a buffer holds. */
	WH_DEVICE_PAYLOAD_MAX = 1920,
	/* Room after a packet: padding to 16 and the 16-byte tag. */
	WH_DEVICE_TAILROOM = 64,
	WH_DEVICE_POOL_SIZE = 4096,
	WH_DEVICE_BATCH = 64,
	WH_DEVICE_PEER_QUEUE = 1024,
	WH_DEVICE_HANDSHAKE_QUEUE = 1024,
	WH_DEVICE_MAX_WORKERS = 64,
	/* Packets a worker takes from the crypt queue at once. */
	WH_DEVICE_WORKER_BATCH = 16,
};

/* While traffic flows, how late the control thread may hear of it (timers, roaming, key
 * confirmation); a packet waiting for a handshake still wakes it at once. */
#define WH_DEVICE_EVENT_LATENCY_NS (2 * 1000 * 1000ull)

enum wh_packet_state {
	WH_PACKET_QUEUED,
	WH_PACKET_DONE,
	WH_PACKET_DEAD,
};

struct wh_device_packet {
	struct wh_packet packet; /* first: ports see only this */
	struct wh_peer *peer;
	struct wh_keypair *keypair; /* a reference while the packet is in flight */
	uint64_t counter;
	uint32_t datagram_len; /* received datagram's size, for statistics */
	bool outgoing;
	atomic_int state;
	uint8_t buffer[WH_DEVICE_HEADROOM + WH_DEVICE_PAYLOAD_MAX + WH_DEVICE_TAILROOM];
};

/* A peer's packets in the order they must leave. Producers append under lock; whoever finds the head
 * finished takes a run of finished packets out and handles them, one flusher at a time. */
struct wh_ordered_queue {
	pthread_mutex_t lock;
	struct wh_device_packet *slots[WH_DEVICE_PEER_QUEUE];
	unsigned head;
	unsigned count;
	atomic_bool flushing;
};

enum wh_peer_event {
	WH_EVENT_SENT = 1 << 0,
	WH_EVENT_SENT_DATA = 1 << 1,
	WH_EVENT_RECEIVED = 1 << 2,
	WH_EVENT_RECEIVED_DATA = 1 << 3,
	WH_EVENT_STAGED = 1 << 4,
};

struct wh_device_peer {
	struct wh_peer *peer;
	struct wh_ordered_queue tx;
	struct wh_ordered_queue rx;
	/* The keypair to send with, published by the control thread (RCU; C11 atomics so that the
	 * thread sanitizer sees the ordering). */
	struct wh_keypair *_Atomic sending;
	/* Packets waiting for a session, oldest first. */
	struct wh_ring staged;
	/* Posted by the data path, taken by the control thread. */
	atomic_uint events;
	atomic_bool notify_queued;
	pthread_mutex_t received_lock;
	struct wh_endpoint last_source;
	struct wh_keypair *last_keypair; /* a reference */
	/* Packets that point at this peer; removal waits for them. */
	atomic_uint inflight;
	atomic_bool dead;
};

/* Read-only lookups for the data path, replaced whole by the control thread (RCU). */
struct wh_route_view {
	struct wh_allowedips table;
	struct wh_route_view *retired_next;
};

struct wh_session_slot {
	uint32_t index;
	struct wh_keypair *keypair;
};

struct wh_session_view {
	struct wh_session_view *retired_next;
	size_t mask; /* capacity - 1; capacity is a power of two */
	struct wh_session_slot slots[];
};

struct wh_device {
	struct wh_engine *engine;
	pthread_mutex_t engine_lock;
	struct wh_tun_port tun;
	struct wh_bind_port bind;
	const struct wh_clock *clock;
	_Atomic size_t mtu;       /* the TUN interface's, for padding; followed by the control thread */
	uint64_t mtu_checked;     /* monotonic ns of the last look */
	uint16_t listen_port;
	uint32_t fwmark;

	struct wh_device_packet *packets;
	struct wh_ring pool;
	struct wh_ring crypt_queue;
	struct wh_ring handshake_queue;
	struct wh_ring notify_queue; /* struct wh_device_peer * with events */

	struct wh_route_view *_Atomic routes;     /* RCU */
	struct wh_session_view *_Atomic sessions; /* RCU */
	uint64_t routes_generation;
	uint64_t sessions_generation;
	/* What to free after the next grace period. Keypairs come from any thread; the views only from
	 * whoever holds engine_lock. */
	struct wh_keypair *_Atomic retired;
	struct wh_route_view *retired_routes;
	struct wh_session_view *retired_sessions;

	atomic_bool stopping;
	pthread_t control_thread, tun_thread, bind_thread;
	pthread_t workers[WH_DEVICE_MAX_WORKERS];
	unsigned worker_count;
	bool threads_started;

	pthread_mutex_t control_mutex;
	pthread_cond_t control_cond;
	bool control_wake;
	atomic_bool control_polling; /* it looks for events by itself: the data path need not wake it */

	pthread_mutex_t worker_mutex;
	pthread_cond_t worker_cond;
	atomic_uint idle_workers;

	atomic_uint_fast64_t dropped_packets;
};

static inline uint64_t device_now(const struct wh_device *device)
{
	return device->clock->monotonic_ns(device->clock->ctx);
}

/* device_pool.c */
unsigned pool_get(struct wh_device *device, struct wh_device_packet **packets, unsigned count);
void pool_put(struct wh_device *device, struct wh_device_packet *packet);
void packet_release(struct wh_device *device, struct wh_device_packet *packet);
/* Reads up to WH_DEVICE_BATCH packets from a port into pool buffers (unused ones go back). Returns how
 * many (> 0), 0 once the port is closed, -1 when there is nothing this time. */
int pool_read_batch(struct wh_device *device, int (*read)(void *ctx, struct wh_packet **packets, unsigned count),
		    void *ctx, struct wh_device_packet **packets);

/* device_queue.c */
void ordered_queue_init(struct wh_ordered_queue *queue);
void ordered_queue_destroy(struct wh_ordered_queue *queue);
bool ordered_queue_append(struct wh_ordered_queue *queue, struct wh_device_packet *packet);
/* Appends, waiting while the queue is full; false only when the device stops. */
bool ordered_queue_append_waiting(struct wh_ordered_queue *queue, struct wh_device_packet *packet,
				  const atomic_bool *stopping);
unsigned ordered_queue_take_finished(struct wh_ordered_queue *queue, struct wh_device_packet **packets,
				     unsigned count);
bool ordered_queue_head_finished(struct wh_ordered_queue *queue);

/* device_views.c */
struct wh_peer *route_lookup(struct wh_device *device, int family, const uint8_t *address);
struct wh_keypair *session_lookup_get(struct wh_device *device, uint32_t index);
void views_publish(struct wh_device *device);
void views_free(struct wh_device *device);
void views_free_lists(struct wh_route_view *routes, struct wh_session_view *sessions);

/* device.c */
void device_refresh_mtu(struct wh_device *device);

/* device_control.c */
void device_wake_control(struct wh_device *device);
void device_post_event(struct wh_device *device, struct wh_device_peer *device_peer, unsigned events);
void *control_thread_main(void *arg);
void device_retire_keypair(void *ctx, struct wh_keypair *keypair);
void device_reap_retired(struct wh_device *device);

/* device_send.c */
void *tun_reader_main(void *arg);
void send_route_packet(struct wh_device *device, struct wh_device_packet *packet, uint64_t now);
void queue_for_peer(struct wh_device *device, struct wh_device_packet *packet, uint64_t now, bool from_staged);
void flush_outgoing(struct wh_device *device, struct wh_device_peer *device_peer);

/* device_receive.c */
void *bind_reader_main(void *arg);
void flush_incoming(struct wh_device *device, struct wh_device_peer *device_peer);

/* device_workers.c */
void workers_submit(struct wh_device *device, struct wh_device_packet *packet);
void workers_kick(struct wh_device *device);
void *worker_main(void *arg);

#endif
