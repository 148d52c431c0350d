/* The protocol engine: identity, the peer table, and timers dispatch. */
#include "core/engine_private.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"

struct wh_engine *wh_engine_new(const struct wh_engine_config *config)
{
	struct wh_engine *engine = calloc(1, sizeof(*engine));

	if (!engine)
		return NULL;
	/* Our private key lives here: keep it out of swap where allowed (failure is not fatal). */
	sodium_mlock(&engine->identity, sizeof(engine->identity));
	engine->callbacks = config->callbacks;
	engine->callback_ctx = config->callback_ctx;
	engine->clock = config->clock ? config->clock : wh_clock_system();
	engine->rng = config->rng ? config->rng : wh_rng_system();
	engine->mtu = config->mtu;
	if (wh_ratelimiter_init(&engine->ratelimiter, engine->rng) != 0) {
		sodium_munlock(&engine->identity, sizeof(engine->identity));
		free(engine);
		return NULL;
	}
	wh_index_table_init(&engine->index_table);
	wh_allowedips_init(&engine->allowedips);
	wh_cookie_checker_init(&engine->cookie_checker, NULL);
	return engine;
}

void wh_engine_free(struct wh_engine *engine)
{
	if (!engine)
		return;
	while (engine->peers)
		wh_engine_remove_peer(engine, engine->peers);
	wh_allowedips_free(&engine->allowedips);
	wh_index_table_free(&engine->index_table);
	wh_ratelimiter_free(&engine->ratelimiter);
	sodium_munlock(&engine->identity, sizeof(engine->identity)); /* wipes, then unlocks */
	wh_cookie_checker_clear(&engine->cookie_checker);
	sodium_memzero(engine, sizeof(*engine));
	free(engine);
}

static unsigned peer_bucket(const uint8_t public_key[WH_KEY_SIZE])
{
	/* Public keys are configured by the administrator, not chosen by the network. */
	return public_key[0] % WH_PEER_BUCKETS;
}

int wh_engine_set_private_key(struct wh_engine *engine, const uint8_t private_key[WH_KEY_SIZE])
{
	struct wh_peer *peer;

	if (private_key && wh_ct_is_zero(private_key, WH_KEY_SIZE))
		return -EINVAL;
	wh_static_identity_set(&engine->identity, private_key);
	wh_cookie_checker_init(&engine->cookie_checker,
			       engine->identity.has_identity ? engine->identity.static_public : NULL);
	for (peer = engine->peers; peer; peer = peer->next_in_list) {
		/* Sessions were made with the old key: they must go, and a peer with our own
		 * public key cannot be talked to. */
		peer_zero_keys(peer);
		wh_handshake_precompute(&peer->handshake);
		if (engine->identity.has_identity &&
		    wh_ct_equal(peer->public_key, engine->identity.static_public, WH_KEY_SIZE))
			sodium_memzero(peer->handshake.precomputed_static_static,
				       sizeof(peer->handshake.precomputed_static_static));
	}
	return 0;
}

bool wh_engine_get_private_key(const struct wh_engine *engine, uint8_t private_key[WH_KEY_SIZE])
{
	if (!engine->identity.has_identity)
		return false;
	memcpy(private_key, engine->identity.static_private, WH_KEY_SIZE);
	return true;
}

int wh_engine_walk_allowed_ips(struct wh_engine *engine, struct wh_peer *peer,
			       int (*fn)(void *ctx, int family, const uint8_t *ip, uint8_t cidr, struct wh_peer *peer),
			       void *ctx)
{
	return wh_allowedips_walk(&engine->allowedips, peer, fn, ctx);
}

bool wh_engine_get_public_key(const struct wh_engine *engine, uint8_t public_key[WH_KEY_SIZE])
{
	if (!engine->identity.has_identity)
		return false;
	memcpy(public_key, engine->identity.static_public, WH_KEY_SIZE);
	return true;
}

void wh_engine_set_under_load(struct wh_engine *engine, bool under_load)
{
	engine->under_load = under_load;
}

struct wh_peer *wh_engine_find_peer(const struct wh_engine *engine, const uint8_t public_key[WH_KEY_SIZE])
{
	struct wh_peer *peer;

	for (peer = engine->peer_buckets[peer_bucket(public_key)]; peer; peer = peer->next_in_bucket)
		if (memcmp(peer->public_key, public_key, WH_KEY_SIZE) == 0)
			return peer;
	return NULL;
}

struct wh_peer *wh_engine_add_peer(struct wh_engine *engine, const uint8_t public_key[WH_KEY_SIZE])
{
	struct wh_peer *peer;
	unsigned bucket = peer_bucket(public_key);

	if (wh_engine_find_peer(engine, public_key)) {
		errno = EEXIST;
		return NULL;
	}
	if (engine->identity.has_identity && memcmp(public_key, engine->identity.static_public, WH_KEY_SIZE) == 0) {
		errno = EINVAL;
		return NULL;
	}
	peer = calloc(1, sizeof(*peer));
	if (!peer) {
		errno = ENOMEM;
		return NULL;
	}
	/* The handshake holds the PSK and ephemeral keys: keep them out of swap where allowed. */
	sodium_mlock(peer, sizeof(*peer));
	peer->engine = engine;
	pthread_mutex_init(&peer->endpoint_lock, NULL);
	memcpy(peer->public_key, public_key, WH_KEY_SIZE);
	wh_handshake_init(&peer->handshake, &engine->identity, public_key, NULL);
	wh_cookie_init(&peer->cookie, public_key);
	wh_keypairs_init(&peer->keypairs);
	wh_timers_init(&peer->timers, engine->rng);

	peer->next_in_bucket = engine->peer_buckets[bucket];
	engine->peer_buckets[bucket] = peer;
	if (engine->peers_tail)
		engine->peers_tail->next_in_list = peer;
	else
		engine->peers = peer;
	engine->peers_tail = peer;
	return peer;
}

void wh_engine_remove_peer(struct wh_engine *engine, struct wh_peer *peer)
{
	struct wh_peer **link, *previous = NULL;

	for (link = &engine->peer_buckets[peer_bucket(peer->public_key)]; *link; link = &(*link)->next_in_bucket) {
		if (*link == peer) {
			*link = peer->next_in_bucket;
			break;
		}
	}
	for (link = &engine->peers; *link; previous = *link, link = &(*link)->next_in_list) {
		if (*link == peer) {
			*link = peer->next_in_list;
			break;
		}
	}
	if (engine->peers_tail == peer)
		engine->peers_tail = previous;
	wh_allowedips_remove_by_peer(&engine->allowedips, peer);
	engine->routes_generation++;
	engine->sessions_generation++;
	peer_destroy(peer);
}

int wh_engine_for_each_peer(struct wh_engine *engine, int (*fn)(void *ctx, struct wh_peer *peer), void *ctx)
{
	struct wh_peer *peer, *next;
	int ret;

	for (peer = engine->peers; peer; peer = next) {
		next = peer->next_in_list;
		ret = fn(ctx, peer);
		if (ret)
			return ret;
	}
	return 0;
}

static void run_timer_actions(struct wh_peer *peer, unsigned actions)
{
	if (actions & WH_TIMER_ZERO_KEYS)
		peer_zero_keys(peer);
	if (actions & WH_TIMER_GIVE_UP_HANDSHAKE)
		peer_purge_staged(peer);
	if (actions & WH_TIMER_RETRY_HANDSHAKE)
		send_handshake_initiation(peer, true);
	if (actions & WH_TIMER_NEW_HANDSHAKE)
		send_handshake_initiation(peer, false);
	if (actions & (WH_TIMER_SEND_KEEPALIVE | WH_TIMER_PERSISTENT_KEEPALIVE))
		send_keepalive(peer);
}

uint64_t wh_engine_tick(struct wh_engine *engine)
{
	uint64_t next = 0;
	struct wh_peer *peer;

	for (peer = engine->peers; peer; peer = peer->next_in_list) {
		uint64_t deadline;

		run_timer_actions(peer, wh_timers_expire(&peer->timers, engine_now(engine)));
		deadline = wh_timers_next_deadline(&peer->timers);
		if (deadline && (!next || deadline < next))
			next = deadline;
	}
	return next;
}
