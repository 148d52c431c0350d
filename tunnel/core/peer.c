/* A peer: configuration, statistics, staged packets, and wiping its secrets. */
#include "core/engine_private.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const uint8_t *wh_peer_public_key(const struct wh_peer *peer)
{
	return peer->public_key;
}

void wh_peer_set_preshared_key(struct wh_peer *peer, const uint8_t preshared_key[WH_KEY_SIZE])
{
	wh_handshake_set_preshared_key(&peer->handshake, preshared_key);
}

void wh_peer_get_preshared_key(const struct wh_peer *peer, uint8_t preshared_key[WH_KEY_SIZE])
{
	memcpy(preshared_key, peer->handshake.preshared_key, WH_KEY_SIZE);
}

void wh_peer_set_endpoint(struct wh_peer *peer, const struct wh_endpoint *endpoint)
{
	pthread_mutex_lock(&peer->endpoint_lock);
	peer->has_endpoint = endpoint != NULL;
	if (endpoint)
		peer->endpoint = *endpoint;
	else
		memset(&peer->endpoint, 0, sizeof(peer->endpoint));
	pthread_mutex_unlock(&peer->endpoint_lock);
}

bool peer_get_endpoint(struct wh_peer *peer, struct wh_endpoint *endpoint)
{
	bool has_endpoint;

	pthread_mutex_lock(&peer->endpoint_lock);
	has_endpoint = peer->has_endpoint;
	if (has_endpoint)
		*endpoint = peer->endpoint;
	pthread_mutex_unlock(&peer->endpoint_lock);
	return has_endpoint;
}

void wh_peer_set_persistent_keepalive(struct wh_peer *peer, uint16_t interval)
{
	bool turned_on = interval && !peer->timers.persistent_keepalive_interval;

	wh_timers_set_persistent_keepalive(&peer->timers, interval, engine_now(peer->engine));
	/* Like wireguard-go: a peer that just got a keepalive reaches out at once, opening the NAT
	 * mapping (and the session) without waiting a whole interval. */
	if (turned_on)
		send_keepalive(peer);
}

void wh_peer_send_keepalive(struct wh_peer *peer)
{
	send_keepalive(peer);
}

int wh_peer_add_allowed_ip(struct wh_peer *peer, int family, const uint8_t *ip, uint8_t cidr)
{
	peer->engine->routes_generation++;
	return wh_allowedips_insert(&peer->engine->allowedips, family, ip, cidr, peer);
}

void wh_peer_clear_allowed_ips(struct wh_peer *peer)
{
	peer->engine->routes_generation++;
	wh_allowedips_remove_by_peer(&peer->engine->allowedips, peer);
}

void wh_peer_get_stats(struct wh_peer *peer, struct wh_peer_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->rx_bytes = peer->rx_bytes;
	stats->tx_bytes = peer->tx_bytes;
	stats->last_handshake_realtime_ns = peer->last_handshake_realtime_ns;
	stats->persistent_keepalive_interval = peer->timers.persistent_keepalive_interval;
	stats->has_endpoint = peer_get_endpoint(peer, &stats->endpoint);
}

void peer_forget_handshake_index(struct wh_peer *peer)
{
	struct wh_engine *engine = peer->engine;

	/* The index may already belong to a keypair made from this handshake. */
	if (wh_index_table_lookup(&engine->index_table, peer->handshake.local_index, WH_INDEX_HANDSHAKE))
		wh_index_table_remove(&engine->index_table, peer->handshake.local_index);
	peer->handshake.local_index = 0;
}

void peer_zero_keys(struct wh_peer *peer)
{
	uint32_t dropped[3];
	int count = wh_keypairs_clear(&peer->keypairs, dropped);

	for (int i = 0; i < count; i++)
		wh_index_table_remove(&peer->engine->index_table, dropped[i]);
	if (count)
		peer->engine->sessions_generation++;
	peer_forget_handshake_index(peer);
	wh_handshake_clear(&peer->handshake);
}

bool peer_stage_packet(struct wh_peer *peer, const uint8_t *packet, size_t len)
{
	struct wh_staged_packet *slot;
	uint8_t *buffer = malloc(WH_ENGINE_HEADROOM + len + WH_ENGINE_TAILROOM);

	if (!buffer)
		return false;
	if (len)
		memcpy(buffer + WH_ENGINE_HEADROOM, packet, len);
	if (peer->staged_count == WH_MAX_STAGED_PACKETS) {
		/* Full: the oldest packet makes room, as the kernel does. */
		slot = &peer->staged[peer->staged_head];
		sodium_memzero(slot->buffer, WH_ENGINE_HEADROOM + slot->len + WH_ENGINE_TAILROOM);
		free(slot->buffer);
		peer->staged_head = (peer->staged_head + 1) % WH_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
	slot = &peer->staged[(peer->staged_head + peer->staged_count) % WH_MAX_STAGED_PACKETS];
	slot->buffer = buffer;
	slot->len = len;
	peer->staged_count++;
	return true;
}

void peer_purge_staged(struct wh_peer *peer)
{
	while (peer->staged_count) {
		struct wh_staged_packet *slot = &peer->staged[peer->staged_head];

		sodium_memzero(slot->buffer, WH_ENGINE_HEADROOM + slot->len + WH_ENGINE_TAILROOM);
		free(slot->buffer);
		slot->buffer = NULL;
		peer->staged_head = (peer->staged_head + 1) % WH_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
	peer->staged_head = 0;
}

void peer_destroy(struct wh_peer *peer)
{
	peer_zero_keys(peer);
	peer_purge_staged(peer);
	wh_timers_stop(&peer->timers);
	wh_handshake_destroy(&peer->handshake);
	wh_cookie_clear(&peer->cookie);
	pthread_mutex_destroy(&peer->endpoint_lock);
	sodium_munlock(peer, sizeof(*peer)); /* wipes, then unlocks */
	free(peer);
}
