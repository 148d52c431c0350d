/* Sending: handshake initiations (rate limited), keepalives, staged packets and data messages. */
#include "core/engine_private.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>

void send_buffer(struct wh_peer *peer, const uint8_t *data, size_t len)
{
	struct wh_engine *engine = peer->engine;
	struct wh_endpoint endpoint;

	if (!peer_get_endpoint(peer, &endpoint))
		return;
	engine->callbacks.send_datagram(engine->callback_ctx, &endpoint, data, len);
	peer->tx_bytes += len;
}

void send_handshake_initiation(struct wh_peer *peer, bool is_retry)
{
	struct wh_engine *engine = peer->engine;
	struct wh_message_handshake_initiation message;
	uint64_t now = engine_now(engine);
	uint32_t index;

	/* At most one initiation per REKEY_TIMEOUT, whatever asks for it. */
	if (peer->last_sent_handshake && !wh_birthdate_has_expired(peer->last_sent_handshake, WH_REKEY_TIMEOUT, now))
		return;
	if (!engine->identity.has_identity)
		return;

	peer_forget_handshake_index(peer);
	index = wh_index_table_insert(&engine->index_table, WH_INDEX_HANDSHAKE, peer, &peer->handshake, engine->rng);
	if (!index)
		return;
	if (!wh_handshake_create_initiation(&peer->handshake, &message, index, engine_realtime(engine), engine->rng)) {
		wh_index_table_remove(&engine->index_table, index);
		peer->handshake.local_index = 0;
		return;
	}
	wh_cookie_add_macs(&peer->cookie, (uint8_t *)&message, sizeof(message), now);
	peer->last_sent_handshake = now;
	wh_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wh_timers_any_authenticated_packet_sent(&peer->timers, now);
	send_buffer(peer, (const uint8_t *)&message, sizeof(message));
	wh_timers_handshake_initiated(&peer->timers, now, is_retry);
}

/* Rekey from the sending side: after REKEY_AFTER_MESSAGES, or REKEY_AFTER_TIME for the initiator. */
static void keep_key_fresh(struct wh_peer *peer, uint64_t now)
{
	const struct wh_keypair *keypair = peer->keypairs.current;

	if (keypair && keypair->sending_valid &&
	    (keypair->sending_counter > WH_REKEY_AFTER_MESSAGES ||
	     (keypair->i_am_the_initiator && wh_birthdate_has_expired(keypair->birthdate, WH_REKEY_AFTER_TIME, now))))
		send_handshake_initiation(peer, false);
}

void peer_data_sent(struct wh_peer *peer, bool had_data, uint64_t now)
{
	wh_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wh_timers_any_authenticated_packet_sent(&peer->timers, now);
	if (had_data)
		wh_timers_data_sent(&peer->timers, now);
	keep_key_fresh(peer, now);
}

int send_sealed(struct wh_peer *peer, uint8_t *message, size_t plain_len, size_t capacity)
{
	struct wh_engine *engine = peer->engine;
	uint64_t now = engine_now(engine);
	ssize_t len = wh_keypair_seal(peer->keypairs.current, message, plain_len, capacity, engine->mtu, now);

	if (len < 0)
		return (int)len;
	send_buffer(peer, message, (size_t)len);
	peer_data_sent(peer, plain_len > 0, now);
	return WH_SEND_SENT;
}

void send_staged_packets(struct wh_peer *peer)
{
	struct wh_engine *engine = peer->engine;

	while (peer->staged_count) {
		struct wh_staged_packet *slot = &peer->staged[peer->staged_head];
		size_t capacity = WH_ENGINE_HEADROOM + slot->len + WH_ENGINE_TAILROOM;

		if (!peer_get_endpoint(peer, &(struct wh_endpoint){0}))
			return;
		if (!wh_keypair_can_send(peer->keypairs.current, engine_now(engine))) {
			send_handshake_initiation(peer, false);
			return;
		}
		send_sealed(peer, slot->buffer, slot->len, capacity);
		sodium_memzero(slot->buffer, capacity);
		free(slot->buffer);
		slot->buffer = NULL;
		peer->staged_head = (peer->staged_head + 1) % WH_MAX_STAGED_PACKETS;
		peer->staged_count--;
	}
}

void send_keepalive(struct wh_peer *peer)
{
	/* An empty packet goes through the staged queue so that, without a session, it starts one. */
	if (peer->staged_count == 0 && !peer_stage_packet(peer, NULL, 0))
		return;
	send_staged_packets(peer);
}

int wh_engine_send(struct wh_engine *engine, uint8_t *packet, size_t len)
{
	const uint8_t *source, *destination;
	struct wh_peer *peer;
	size_t ip_len;
	int family;

	if (!packet_addresses(packet, len, &family, &source, &destination, &ip_len))
		return -EINVAL;
	peer = wh_allowedips_lookup(&engine->allowedips, family, destination);
	if (!peer)
		return -EHOSTUNREACH;
	if (!peer_get_endpoint(peer, &(struct wh_endpoint){0}))
		return -EDESTADDRREQ;

	if (peer->staged_count == 0 && wh_keypair_can_send(peer->keypairs.current, engine_now(engine)))
		return send_sealed(peer, packet - WH_ENGINE_HEADROOM, len, WH_ENGINE_HEADROOM + len + WH_ENGINE_TAILROOM);

	if (!peer_stage_packet(peer, packet, len))
		return -ENOMEM;
	send_staged_packets(peer);
	return peer->staged_count ? WH_SEND_STAGED : WH_SEND_SENT;
}
