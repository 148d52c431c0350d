/* The handshake rate limiter used under load: a token bucket per source address, as the kernel's. */
#ifndef WH_CORE_RATELIMITER_H
#define WH_CORE_RATELIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "noise/messages.h"
#include "wirehop/tunnel.h"

enum {
	/* The kernel's rate and burst: 20 handshakes a second per source, and 5 at once after a pause. */
	WH_RATELIMITER_PACKETS_PER_SECOND = 20,
	WH_RATELIMITER_PACKETS_BURSTABLE = 5,
	/* Tokens are nanoseconds of credit: a handshake costs PACKET_COST, a bucket holds TOKEN_MAX. */
	WH_RATELIMITER_PACKET_COST = WH_NSEC_PER_SEC / WH_RATELIMITER_PACKETS_PER_SECOND,
	WH_RATELIMITER_TOKEN_MAX = WH_RATELIMITER_PACKET_COST * WH_RATELIMITER_PACKETS_BURSTABLE,
	/* The kernel sizes its table from RAM (up to 8192 chains, eight sources per chain); we fix
	 * 1024 chains and the same ratio: at most 8192 sources of 40 bytes each. Beyond that, new
	 * sources are refused until idle ones are collected. */
	WH_RATELIMITER_BUCKETS = 1024,
	WH_RATELIMITER_MAX_ENTRIES = 8 * WH_RATELIMITER_BUCKETS,
	WH_RATELIMITER_HASH_KEY_LEN = 16, /* SipHash-2-4 (crypto_shorthash) */
};

struct wh_ratelimiter_entry;

struct wh_ratelimiter {
	struct wh_ratelimiter_entry **buckets; /* WH_RATELIMITER_BUCKETS chains */
	unsigned count;
	uint64_t last_gc_ns; /* monotonic ns of the last sweep for idle entries */
	/* Random, so that a network attacker cannot pick sources that share a chain. Drawn from rng at
	 * the first handshake limited: an engine never under load draws nothing, and the deterministic
	 * worlds of tests and fuzzing (tests/fuzz/corpus) keep their RNG streams. */
	const struct wh_rng *rng;
	bool has_hash_key;
	uint8_t hash_key[WH_RATELIMITER_HASH_KEY_LEN];
};

/* Sets up an empty table whose hash key will come from rng (NULL: the system RNG); 0 or -ENOMEM. */
int wh_ratelimiter_init(struct wh_ratelimiter *ratelimiter, const struct wh_rng *rng);
/* Frees every entry and wipes the key (a zeroed or freed limiter is fine). */
void wh_ratelimiter_free(struct wh_ratelimiter *ratelimiter);

/* Takes a token from source's bucket at now_ns (monotonic): true when there was one. A source is an
 * IPv4 address or an IPv6 /64 (one host holds a whole /64); port and scope do not count. Other
 * families, and new sources once the table is full, are refused. */
bool wh_ratelimiter_allow(struct wh_ratelimiter *ratelimiter, const struct wh_endpoint *source, uint64_t now_ns);

#endif
