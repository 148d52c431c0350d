/* The handshake rate limiter: token buckets per source in a keyed hash table, swept for idle ones. */
#include "core/ratelimiter.h"

#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/endian.h"

/* Once idle this long, a bucket has refilled to TOKEN_MAX and a new entry would start the same:
 * forgetting it changes no answer, only the table's size. */
#define IDLE_TIMEOUT_NS WH_NSEC_PER_SEC
#define GC_INTERVAL_NS WH_NSEC_PER_SEC

_Static_assert(WH_RATELIMITER_TOKEN_MAX <= IDLE_TIMEOUT_NS, "an idle entry must be a full one");
_Static_assert(WH_RATELIMITER_HASH_KEY_LEN == crypto_shorthash_KEYBYTES, "SipHash takes a 16-byte key");
_Static_assert((WH_RATELIMITER_BUCKETS & (WH_RATELIMITER_BUCKETS - 1)) == 0, "buckets: a power of two");

/* A source as the table keys it: a family tag, then the IPv4 address or the IPv6 /64, zero padded. */
enum { SOURCE_LEN = 9 };

struct wh_ratelimiter_entry {
	struct wh_ratelimiter_entry *next_in_bucket;
	uint64_t last_time_ns;
	uint64_t tokens; /* nanoseconds of credit, at most TOKEN_MAX */
	uint8_t source[SOURCE_LEN];
};

static bool source_of(const struct wh_endpoint *endpoint, uint8_t source[SOURCE_LEN])
{
	memset(source, 0, SOURCE_LEN);
	if (endpoint->family == AF_INET) {
		source[0] = 4;
		memcpy(source + 1, endpoint->addr, 4);
		return true;
	}
	if (endpoint->family == AF_INET6) {
		source[0] = 6;
		memcpy(source + 1, endpoint->addr, 8);
		return true;
	}
	return false;
}

/* Time since then; none when the caller's clock is behind it. */
static uint64_t elapsed(uint64_t then, uint64_t now)
{
	return now > then ? now - then : 0;
}

static unsigned bucket_of(struct wh_ratelimiter *ratelimiter, const uint8_t source[SOURCE_LEN])
{
	uint8_t hash[crypto_shorthash_BYTES];

	if (!ratelimiter->has_hash_key) {
		ratelimiter->rng->fill(ratelimiter->rng->ctx, ratelimiter->hash_key, sizeof(ratelimiter->hash_key));
		ratelimiter->has_hash_key = true;
	}
	crypto_shorthash(hash, source, SOURCE_LEN, ratelimiter->hash_key);
	return wh_get_le32(hash) & (WH_RATELIMITER_BUCKETS - 1);
}

/* Frees the entries idle for more than IDLE_TIMEOUT_NS at now, or all of them. One pass costs at
 * most BUCKETS + MAX_ENTRIES steps. */
static void forget_entries(struct wh_ratelimiter *ratelimiter, uint64_t now, bool everything)
{
	for (unsigned i = 0; i < WH_RATELIMITER_BUCKETS; i++) {
		struct wh_ratelimiter_entry **link = &ratelimiter->buckets[i];

		while (*link) {
			struct wh_ratelimiter_entry *entry = *link;

			if (everything || elapsed(entry->last_time_ns, now) > IDLE_TIMEOUT_NS) {
				*link = entry->next_in_bucket;
				free(entry);
				ratelimiter->count--;
			} else {
				link = &entry->next_in_bucket;
			}
		}
	}
}

int wh_ratelimiter_init(struct wh_ratelimiter *ratelimiter, const struct wh_rng *rng)
{
	memset(ratelimiter, 0, sizeof(*ratelimiter));
	ratelimiter->buckets = calloc(WH_RATELIMITER_BUCKETS, sizeof(*ratelimiter->buckets));
	if (!ratelimiter->buckets)
		return -ENOMEM;
	ratelimiter->rng = rng ? rng : wh_rng_system();
	return 0;
}

void wh_ratelimiter_free(struct wh_ratelimiter *ratelimiter)
{
	if (ratelimiter->buckets) {
		forget_entries(ratelimiter, 0, true);
		free(ratelimiter->buckets);
	}
	sodium_memzero(ratelimiter, sizeof(*ratelimiter));
}

/* The kernel's bucket: credit accrues with time up to TOKEN_MAX, so the burst is the cap and not
 * part of the rate; a refused handshake costs nothing. */
static bool take_token(struct wh_ratelimiter_entry *entry, uint64_t now)
{
	uint64_t idle = elapsed(entry->last_time_ns, now);
	uint64_t tokens =
		idle >= WH_RATELIMITER_TOKEN_MAX - entry->tokens ? WH_RATELIMITER_TOKEN_MAX : entry->tokens + idle;

	if (now > entry->last_time_ns)
		entry->last_time_ns = now;
	if (tokens < WH_RATELIMITER_PACKET_COST) {
		entry->tokens = tokens;
		return false;
	}
	entry->tokens = tokens - WH_RATELIMITER_PACKET_COST;
	return true;
}

bool wh_ratelimiter_allow(struct wh_ratelimiter *ratelimiter, const struct wh_endpoint *source, uint64_t now_ns)
{
	struct wh_ratelimiter_entry *entry;
	uint8_t key[SOURCE_LEN];
	unsigned bucket;

	if (!source_of(source, key))
		return false;
	if (elapsed(ratelimiter->last_gc_ns, now_ns) >= GC_INTERVAL_NS) {
		forget_entries(ratelimiter, now_ns, false);
		ratelimiter->last_gc_ns = now_ns;
	}
	bucket = bucket_of(ratelimiter, key);
	for (entry = ratelimiter->buckets[bucket]; entry; entry = entry->next_in_bucket)
		if (memcmp(entry->source, key, SOURCE_LEN) == 0)
			return take_token(entry, now_ns);

	if (ratelimiter->count >= WH_RATELIMITER_MAX_ENTRIES)
		return false;
	entry = malloc(sizeof(*entry));
	if (!entry)
		return false;
	memcpy(entry->source, key, SOURCE_LEN);
	/* A new source starts with a full bucket, less this handshake. */
	entry->last_time_ns = now_ns;
	entry->tokens = WH_RATELIMITER_TOKEN_MAX - WH_RATELIMITER_PACKET_COST;
	entry->next_in_bucket = ratelimiter->buckets[bucket];
	ratelimiter->buckets[bucket] = entry;
	ratelimiter->count++;
	return true;
}
