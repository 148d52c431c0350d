/* The protocol engine's internals, shared by engine.c, peer.c, send.c and receive.c only. */
#ifndef WH_CORE_ENGINE_PRIVATE_H
#define WH_CORE_ENGINE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/allowedips.h"
#include "core/index_table.h"
#include "core/ratelimiter.h"
#include "noise/cookie.h"
#include "noise/handshake.h"
#include "noise/keypair.h"
#include "noise/timers.h"
#include "wirehop/tunnel.h"

enum { WH_PEER_BUCKETS = 256 };

/* A packet waiting for a session, copied with room to be sealed in place. */
struct wh_staged_packet {
	uint8_t *buffer; /* WH_ENGINE_HEADROOM + len + WH_ENGINE_TAILROOM bytes */
	size_t len;
};

struct wh_peer {
	struct wh_engine *engine;
	struct wh_peer *next_in_list;
	struct wh_peer *next_in_bucket;
	uint8_t public_key[WH_KEY_SIZE];

	struct wh_handshake handshake;
	struct wh_cookie cookie;
	struct wh_keypairs keypairs;
	struct wh_timers timers;

	/* A device's data path reads the endpoint from other threads: it changes under this lock. */
	pthread_mutex_t endpoint_lock;
	struct wh_endpoint endpoint;
	bool has_endpoint;

	uint64_t last_sent_handshake; /* monotonic ns; 0: never */
	bool sent_lastminute_handshake;
	_Atomic uint64_t last_handshake_realtime_ns;
	_Atomic uint64_t rx_bytes;
	_Atomic uint64_t tx_bytes;

	void *device_state; /* a device's per-peer data path state; NULL in a bare engine */

	struct wh_staged_packet staged[WH_MAX_STAGED_PACKETS];
	unsigned staged_head; /* oldest */
	unsigned staged_count;
};

struct wh_engine {
	struct wh_engine_callbacks callbacks;
	void *callback_ctx;
	const struct wh_clock *clock;
	const struct wh_rng *rng;
	size_t mtu;
	bool under_load;

	struct wh_static_identity identity;
	struct wh_cookie_checker cookie_checker;
	struct wh_ratelimiter ratelimiter; /* handshakes with a cookie, under load */
	struct wh_index_table index_table;
	struct wh_allowedips allowedips;

	/* Bumped whenever what a device's data path looks up changes: the allowed IPs, and which
	 * keypair answers to which index. */
	uint64_t routes_generation;
	uint64_t sessions_generation;
	/* Where a keypair goes when its last reference does (NULL: freed at once); see keypair.h. */
	void (*keypair_retire)(void *ctx, struct wh_keypair *keypair);
	void *keypair_retire_ctx;

	struct wh_peer *peers;      /* in the order added */
	struct wh_peer *peers_tail;
	struct wh_peer *peer_buckets[WH_PEER_BUCKETS];
};

static inline uint64_t engine_now(const struct wh_engine *engine)
{
	return engine->clock->monotonic_ns(engine->clock->ctx);
}

static inline uint64_t engine_realtime(const struct wh_engine *engine)
{
	return engine->clock->realtime_ns(engine->clock->ctx);
}

/* peer.c */
void peer_destroy(struct wh_peer *peer);
void peer_forget_handshake_index(struct wh_peer *peer);
void peer_zero_keys(struct wh_peer *peer);
bool peer_stage_packet(struct wh_peer *peer, const uint8_t *packet, size_t len);
void peer_purge_staged(struct wh_peer *peer);

/* The data path's report to the session layer: an authenticated message of len bytes went out or
 * came in (had_data: not a keepalive), so timers, rekeying, key confirmation and roaming follow. */
void peer_data_sent(struct wh_peer *peer, bool had_data, uint64_t now);
void peer_data_received(struct wh_peer *peer, struct wh_keypair *keypair, const struct wh_endpoint *source,
			bool had_data, uint64_t now);
/* The endpoint under its lock; false when there is none. */
bool peer_get_endpoint(struct wh_peer *peer, struct wh_endpoint *endpoint);

/* send.c */
void send_handshake_initiation(struct wh_peer *peer, bool is_retry);
void send_keepalive(struct wh_peer *peer);
void send_staged_packets(struct wh_peer *peer);
void send_buffer(struct wh_peer *peer, const uint8_t *data, size_t len);
int send_sealed(struct wh_peer *peer, uint8_t *message, size_t plain_len, size_t capacity);

/* receive.c: an IP packet's addresses, for routing and the source check. */
bool packet_addresses(const uint8_t *packet, size_t len, int *family, const uint8_t **source,
		      const uint8_t **destination, size_t *ip_len);

#endif
