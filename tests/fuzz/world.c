/* The fuzz targets' shared world: fixed keys from a fixed seed, real handshakes, datagrams caught in memory. */
#include "world.h"

#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inputs.h"

enum {
	WORLD_SEED = 0x57686f70, /* "Whop" */
	WORLD_MTU = 1420,
	WORLD_PORT = 51820,
	WORLD_PERSISTENT_KEEPALIVE = 25, /* seconds */
};

static void must(bool ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz world: %s\n", what);
	abort();
}

static uint64_t clock_monotonic(void *ctx)
{
	return ((struct fuzz_clock *)ctx)->monotonic_ns;
}

static uint64_t clock_realtime(void *ctx)
{
	return ((struct fuzz_clock *)ctx)->realtime_ns;
}

static void clock_init(struct fuzz_clock *fake)
{
	fake->monotonic_ns = UINT64_C(1000) * WH_NSEC_PER_SEC;
	fake->realtime_ns = UINT64_C(1767225600) * WH_NSEC_PER_SEC; /* 2026-01-01 */
	fake->clock.monotonic_ns = clock_monotonic;
	fake->clock.realtime_ns = clock_realtime;
	fake->clock.ctx = fake;
}

/* The fake clock and seeded RNG of tests/unit/support.c, which cannot be linked here: it needs GLib,
 * and fuzz builds have none. A ChaCha20 keystream, one block counter per call. */
static void rng_fill(void *ctx, void *buf, size_t len)
{
	struct fuzz_rng *seeded = ctx;
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};

	memcpy(nonce, &seeded->block, sizeof(seeded->block));
	crypto_stream_chacha20(buf, len, nonce, seeded->key);
	seeded->block++;
}

static void rng_init(struct fuzz_rng *seeded, uint64_t seed)
{
	memset(seeded->key, 0, sizeof(seeded->key));
	memcpy(seeded->key, &seed, sizeof(seed));
	seeded->block = 0;
	seeded->rng.fill = rng_fill;
	seeded->rng.ctx = seeded;
}

struct wh_endpoint fuzz_endpoint(bool ipv6, uint8_t host)
{
	struct wh_endpoint endpoint = {.port = WORLD_PORT};

	if (ipv6) {
		static const uint8_t documentation[4] = {0x20, 0x01, 0x0d, 0xb8}; /* 2001:db8::/32 */

		endpoint.family = AF_INET6;
		memcpy(endpoint.addr, documentation, sizeof(documentation));
		endpoint.addr[15] = host;
	} else {
		endpoint.family = AF_INET;
		endpoint.addr[0] = 192;
		endpoint.addr[1] = 0;
		endpoint.addr[2] = 2;
		endpoint.addr[3] = host;
	}
	return endpoint;
}

static bool same_endpoint(const struct wh_endpoint *a, const struct wh_endpoint *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

size_t fuzz_ip_packet(uint8_t *out, int version, uint8_t from, uint8_t to, size_t payload_len)
{
	size_t header = version == 6 ? 40 : 20;
	size_t total = header + payload_len;

	memset(out, 0, header);
	if (version == 6) {
		out[0] = 0x60;
		out[4] = (uint8_t)(payload_len >> 8);
		out[5] = (uint8_t)payload_len;
		out[6] = IPPROTO_UDP;
		out[7] = 64;
		out[8] = out[24] = 0xfd; /* fd00::/8 */
		out[23] = from;
		out[39] = to;
	} else {
		out[0] = 0x45;
		out[2] = (uint8_t)(total >> 8);
		out[3] = (uint8_t)total;
		out[8] = 64;
		out[9] = IPPROTO_UDP;
		out[12] = out[16] = 10;
		out[15] = from;
		out[19] = to;
	}
	for (size_t i = 0; i < payload_len; i++)
		out[header + i] = (uint8_t)i;
	return total;
}

void fuzz_apply_edits(uint8_t *message, size_t len, const uint8_t *edits, size_t edits_len)
{
	for (size_t i = 0; i + 1 < edits_len; i += 2)
		message[edits[i] % len] ^= edits[i + 1];
}

static void on_send_datagram(void *ctx, const struct wh_endpoint *to, const uint8_t *data, size_t len)
{
	struct fuzz_party *party = ctx;
	struct fuzz_datagram *slot;

	party->world->dirty = true;
	if (party->outbox_count == FUZZ_OUTBOX_CAPACITY)
		return;
	slot = &party->outbox[party->outbox_count];
	slot->bytes = malloc(len ? len : 1);
	must(slot->bytes != NULL, "out of memory");
	if (len)
		memcpy(slot->bytes, data, len);
	slot->len = len;
	slot->to = *to;
	party->outbox_count++;
}

static void on_deliver_packet(void *ctx, struct wh_peer *peer, uint8_t *packet, size_t len)
{
	struct fuzz_party *party = ctx;

	(void)peer;
	party->delivered_packets++;
	/* Reading every byte makes ASan check the length the engine claims. */
	for (size_t i = 0; i < len; i++)
		party->delivered_digest ^= packet[i];
}

void fuzz_outbox_clear(struct fuzz_party *party)
{
	for (size_t i = 0; i < party->outbox_count; i++)
		free(party->outbox[i].bytes);
	memset(party->outbox, 0, sizeof(party->outbox));
	party->outbox_count = 0;
}

const struct fuzz_datagram *fuzz_outbox_find(const struct fuzz_party *party, uint8_t type)
{
	for (size_t i = 0; i < party->outbox_count; i++)
		if (party->outbox[i].len > 0 && party->outbox[i].bytes[0] == type)
			return &party->outbox[i];
	return NULL;
}

static enum wh_receive_result receive_copy(struct fuzz_party *party, const uint8_t *bytes, size_t len,
					   const struct wh_endpoint *source)
{
	uint8_t *copy = malloc(len);
	enum wh_receive_result result;

	must(copy != NULL || len == 0, "out of memory");
	if (len)
		memcpy(copy, bytes, len);
	result = wh_engine_receive(party->engine, copy, len, source);
	free(copy);
	return result;
}

enum wh_receive_result fuzz_world_receive(struct fuzz_world *world, struct fuzz_party *party,
					  const uint8_t *bytes, size_t len, const struct wh_endpoint *source)
{
	enum wh_receive_result result = receive_copy(party, bytes, len, source);

	if (result >= 0)
		world->dirty = true;
	return result;
}

bool fuzz_world_answer_pending(struct fuzz_world *world, uint8_t type, void *out, size_t len)
{
	const struct fuzz_datagram *answer;

	fuzz_world_receive(world, &world->responder, (const uint8_t *)&world->pending_initiation,
			   sizeof(world->pending_initiation), &world->initiator.endpoint);
	answer = fuzz_outbox_find(&world->responder, type);
	if (!answer || answer->len != len)
		return false;
	memcpy(out, answer->bytes, len);
	fuzz_outbox_clear(&world->responder);
	return true;
}

/* Moves a party's queued datagrams out, so that delivering them can queue new ones. */
static size_t take_outbox(struct fuzz_party *party, struct fuzz_datagram taken[FUZZ_OUTBOX_CAPACITY])
{
	size_t count = party->outbox_count;

	memcpy(taken, party->outbox, count * sizeof(*taken));
	memset(party->outbox, 0, sizeof(party->outbox));
	party->outbox_count = 0;
	return count;
}

static void deliver_all(struct fuzz_world *world, struct fuzz_party *from, struct fuzz_party *to)
{
	struct fuzz_datagram taken[FUZZ_OUTBOX_CAPACITY];
	size_t count = take_outbox(from, taken);

	for (size_t i = 0; i < count; i++) {
		/* Replies to the mirror or to a forged source go nowhere. */
		if (same_endpoint(&taken[i].to, &to->endpoint))
			fuzz_world_receive(world, to, taken[i].bytes, taken[i].len, &from->endpoint);
		free(taken[i].bytes);
	}
}

void fuzz_world_exchange(struct fuzz_world *world, unsigned rounds)
{
	for (unsigned round = 0; round < rounds; round++) {
		if (!world->initiator.outbox_count && !world->responder.outbox_count)
			return;
		deliver_all(world, &world->initiator, &world->responder);
		deliver_all(world, &world->responder, &world->initiator);
	}
}

void fuzz_world_advance(struct fuzz_world *world, uint64_t ns)
{
	world->clock.monotonic_ns += ns;
	world->clock.realtime_ns += ns;
	world->dirty = true;
}

void fuzz_world_put_under_load(struct fuzz_world *world, struct fuzz_party *party)
{
	wh_engine_set_under_load(party->engine, true);
	world->dirty = true;
}

enum wh_receive_result fuzz_world_send_forged(struct fuzz_world *world, struct fuzz_party *party,
					      struct wh_cookie *macs, uint8_t *message, size_t len,
					      const struct wh_endpoint *source, bool under_load)
{
	uint64_t now = world->clock.monotonic_ns;
	const struct fuzz_datagram *reply;

	wh_cookie_add_macs(macs, message, len, now);
	if (under_load) {
		fuzz_world_put_under_load(world, party);
		if (fuzz_world_receive(world, party, message, len, source) != WH_RECEIVE_COOKIE_REPLY_SENT)
			return WH_RECEIVE_BAD_MAC;
		reply = fuzz_outbox_find(party, WH_MESSAGE_HANDSHAKE_COOKIE);
		must(reply != NULL && reply->len == sizeof(struct wh_message_handshake_cookie) &&
			     wh_cookie_consume_reply(macs, (const void *)reply->bytes, now),
		     "the cookie reply does not open");
		wh_cookie_add_macs(macs, message, len, now);
	}
	return fuzz_world_receive(world, party, message, len, source);
}

void fuzz_world_send_genuine(struct fuzz_world *world, struct fuzz_party *party, struct wh_cookie *macs,
			     uint8_t *message, size_t len, const uint8_t *payload, size_t payload_len,
			     const struct wh_endpoint *source)
{
	uint8_t flags = payload_len > 0 ? payload[0] : 0;
	uint8_t seconds = payload_len > 1 ? payload[1] : 0;

	if (payload_len > 2)
		fuzz_apply_edits(message, len, payload + 2, payload_len - 2);
	if (macs && (flags & FUZZ_GENUINE_FIX_MACS))
		wh_cookie_add_macs(macs, message, len, world->clock.monotonic_ns);
	fuzz_world_receive(world, party, message, len, source);
	if (flags & FUZZ_GENUINE_TWICE)
		fuzz_world_receive(world, party, message, len, source);
	if (flags & FUZZ_GENUINE_FOLLOW) {
		fuzz_world_advance(world, seconds * WH_NSEC_PER_SEC);
		wh_engine_tick(world->initiator.engine);
		wh_engine_tick(world->responder.engine);
		fuzz_world_exchange(world, FUZZ_EXCHANGE_ROUNDS);
	}
}

enum wh_receive_result fuzz_mirror_send(struct fuzz_world *world, const uint8_t *plain, size_t plain_len,
					bool twice)
{
	size_t len = wh_data_message_length(plain_len, 0);
	uint8_t *message = malloc(len);
	enum wh_receive_result result;

	must(world->mirror.keypair != NULL, "the mirror has no session");
	must(message != NULL, "out of memory");
	if (plain_len)
		memcpy(message + sizeof(struct wh_message_data), plain, plain_len);
	must(wh_keypair_seal(world->mirror.keypair, message, plain_len, len, 0, world->clock.monotonic_ns) ==
		     (ssize_t)len,
	     "the mirror cannot seal");
	result = receive_copy(&world->responder, message, len, &world->mirror.endpoint);
	if (twice)
		receive_copy(&world->responder, message, len, &world->mirror.endpoint);
	free(message);
	if (result >= 0 && result != WH_RECEIVE_DATA && result != WH_RECEIVE_KEEPALIVE)
		world->dirty = true;
	return result;
}

static void party_init(struct fuzz_world *world, struct fuzz_party *party, uint8_t host,
		       const uint8_t private_key[WH_KEY_SIZE])
{
	struct wh_engine_config config = {
		.callbacks = {on_send_datagram, on_deliver_packet},
		.callback_ctx = party,
		.clock = &world->clock.clock,
		.rng = &world->rng.rng,
		.mtu = WORLD_MTU,
	};

	party->world = world;
	party->endpoint = fuzz_endpoint(false, host);
	party->engine = wh_engine_new(&config);
	must(party->engine != NULL, "out of memory");
	must(wh_engine_set_private_key(party->engine, private_key) == 0, "private key refused");
}

static struct wh_peer *add_peer(struct fuzz_party *party, const uint8_t public_key[WH_KEY_SIZE],
				const struct wh_endpoint *endpoint)
{
	struct wh_peer *peer = wh_engine_add_peer(party->engine, public_key);

	must(peer != NULL, "peer refused");
	wh_peer_set_endpoint(peer, endpoint);
	return peer;
}

static void allow(struct wh_peer *peer, uint8_t host, uint8_t cidr4, uint8_t cidr6)
{
	uint8_t ip4[4] = {10, 0, 0, host};
	uint8_t ip6[16] = {0xfd};

	ip6[15] = host;
	must(wh_peer_add_allowed_ip(peer, AF_INET, ip4, cidr4) == 0 &&
		     wh_peer_add_allowed_ip(peer, AF_INET6, ip6, cidr6) == 0,
	     "allowed IP refused");
}

static void initiator_send_packet(struct fuzz_world *world, int expected)
{
	uint8_t buffer[WH_ENGINE_HEADROOM + 48 + WH_ENGINE_TAILROOM];
	size_t len = fuzz_ip_packet(buffer + WH_ENGINE_HEADROOM, 4, FUZZ_INITIATOR_HOST, FUZZ_RESPONDER_HOST, 8);

	must(wh_engine_send(world->initiator.engine, buffer + WH_ENGINE_HEADROOM, len) == expected,
	     "the initiator did not send as expected");
}

/* Delivers the first datagram of type that from queued to to, expecting result, then drops the rest. */
static void deliver_expecting(struct fuzz_world *world, struct fuzz_party *from, struct fuzz_party *to,
			      uint8_t type, enum wh_receive_result expected)
{
	const struct fuzz_datagram *datagram = fuzz_outbox_find(from, type);

	must(datagram != NULL, "an expected datagram was not sent");
	must(fuzz_world_receive(world, to, datagram->bytes, datagram->len, &from->endpoint) == expected,
	     "a setup datagram was not received as expected");
	fuzz_outbox_clear(from);
}

static void establish_initiator(struct fuzz_world *world)
{
	const struct fuzz_datagram *data;

	must(fuzz_world_receive(world, &world->responder, (const uint8_t *)&world->pending_initiation,
				sizeof(world->pending_initiation), &world->initiator.endpoint) == WH_RECEIVE_HANDSHAKE,
	     "the responder refused the initiation");
	/* The response completes the initiator's session; its staged keepalive confirms the session to
	 * the responder, and the staged packet follows. */
	deliver_expecting(world, &world->responder, &world->initiator, WH_MESSAGE_HANDSHAKE_RESPONSE,
			  WH_RECEIVE_HANDSHAKE);
	data = fuzz_outbox_find(&world->initiator, WH_MESSAGE_DATA);
	must(data != NULL, "the initiator sent no data after the handshake");
	world->initiator_session_index = wh_get_le32(data->bytes + offsetof(struct wh_message_data, key_idx));
	fuzz_world_exchange(world, 1);
	must(world->responder.delivered_packets == 1 && !world->initiator.outbox_count &&
		     !world->responder.outbox_count,
	     "the staged packets did not arrive");
	/* A second packet leaves the responder's timers where every later packet leaves them. */
	initiator_send_packet(world, WH_SEND_SENT);
	deliver_expecting(world, &world->initiator, &world->responder, WH_MESSAGE_DATA, WH_RECEIVE_DATA);
}

static void establish_mirror(struct fuzz_world *world)
{
	struct fuzz_mirror *mirror = &world->mirror;
	struct wh_message_handshake_initiation initiation;
	const struct fuzz_datagram *response;
	struct wh_session_keys keys;
	uint8_t packet[48];
	size_t packet_len = fuzz_ip_packet(packet, 4, FUZZ_MIRROR_HOST, FUZZ_RESPONDER_HOST, 8);

	must(wh_handshake_create_initiation(&mirror->handshake, &initiation, FUZZ_MIRROR_INDEX,
					    world->clock.realtime_ns, &world->rng.rng),
	     "the mirror cannot initiate");
	wh_cookie_add_macs(&mirror->cookie, (uint8_t *)&initiation, sizeof(initiation), world->clock.monotonic_ns);
	must(fuzz_world_receive(world, &world->responder, (const uint8_t *)&initiation, sizeof(initiation),
				&mirror->endpoint) == WH_RECEIVE_HANDSHAKE,
	     "the responder refused the mirror's initiation");
	response = fuzz_outbox_find(&world->responder, WH_MESSAGE_HANDSHAKE_RESPONSE);
	must(response != NULL && response->len == sizeof(struct wh_message_handshake_response) &&
		     wh_handshake_consume_response(&mirror->handshake, (const void *)response->bytes) &&
		     wh_handshake_derive_keys(&mirror->handshake, &keys),
	     "the mirror cannot complete its handshake");
	fuzz_outbox_clear(&world->responder);
	mirror->keypair = wh_keypair_new(&keys, world->clock.monotonic_ns);
	must(mirror->keypair != NULL, "out of memory");
	world->mirror_session_index = mirror->keypair->remote_index;

	for (int i = 0; i < 2; i++)
		must(fuzz_mirror_send(world, packet, packet_len, false) == WH_RECEIVE_DATA,
		     "the responder refused the mirror's data");
}

void fuzz_world_build(struct fuzz_world *world, enum fuzz_world_stage stage)
{
	uint8_t initiator_private[WH_KEY_SIZE], responder_private[WH_KEY_SIZE], mirror_private[WH_KEY_SIZE];
	uint8_t mirror_public[WH_KEY_SIZE];
	const struct fuzz_datagram *initiation;
	struct wh_peer *initiator_peer, *peer;

	must(wh_init() == 0, "libsodium does not start");
	memset(world, 0, sizeof(*world));
	clock_init(&world->clock);
	rng_init(&world->rng, WORLD_SEED);
	wh_key_generate_private(initiator_private, &world->rng.rng);
	wh_key_generate_private(responder_private, &world->rng.rng);
	wh_key_generate_private(mirror_private, &world->rng.rng);
	must(wh_key_public_from_private(world->initiator_public, initiator_private) &&
		     wh_key_public_from_private(world->responder_public, responder_private) &&
		     wh_key_public_from_private(mirror_public, mirror_private),
	     "bad fixed key");

	party_init(world, &world->initiator, FUZZ_INITIATOR_HOST, initiator_private);
	party_init(world, &world->responder, FUZZ_RESPONDER_HOST, responder_private);
	world->mirror.endpoint = fuzz_endpoint(false, FUZZ_MIRROR_HOST);

	/* The initiator is a client sending everything to the responder, keeping its NAT mapping open
	 * with persistent keepalives; the responder serves two peers. */
	initiator_peer = add_peer(&world->initiator, world->responder_public, &world->responder.endpoint);
	allow(initiator_peer, 0, 0, 0);
	peer = add_peer(&world->responder, world->initiator_public, &world->initiator.endpoint);
	allow(peer, FUZZ_INITIATOR_HOST, 32, 128);
	peer = add_peer(&world->responder, mirror_public, &world->mirror.endpoint);
	allow(peer, FUZZ_MIRROR_HOST, 32, 128);

	wh_static_identity_set(&world->mirror.identity, mirror_private);
	wh_handshake_init(&world->mirror.handshake, &world->mirror.identity, world->responder_public, NULL);
	wh_cookie_init(&world->mirror.cookie, world->responder_public);
	wh_cookie_init(&world->macs_to_initiator, world->initiator_public);
	wh_cookie_init(&world->macs_to_responder, world->responder_public);
	sodium_memzero(initiator_private, sizeof(initiator_private));
	sodium_memzero(responder_private, sizeof(responder_private));
	sodium_memzero(mirror_private, sizeof(mirror_private));

	/* Turning the keepalive on starts the handshake; a packet waits behind the keepalive. */
	wh_peer_set_persistent_keepalive(initiator_peer, WORLD_PERSISTENT_KEEPALIVE);
	initiator_send_packet(world, WH_SEND_STAGED);
	initiation = fuzz_outbox_find(&world->initiator, WH_MESSAGE_HANDSHAKE_INITIATION);
	must(initiation != NULL && initiation->len == sizeof(world->pending_initiation),
	     "the initiator sent no initiation");
	memcpy(&world->pending_initiation, initiation->bytes, sizeof(world->pending_initiation));
	world->pending_index = wh_get_le32(world->pending_initiation.sender_index);
	fuzz_outbox_clear(&world->initiator);

	if (stage == FUZZ_WORLD_ESTABLISHED) {
		establish_initiator(world);
		establish_mirror(world);
	}
	fuzz_outbox_clear(&world->initiator);
	fuzz_outbox_clear(&world->responder);
	world->initiator.delivered_packets = world->responder.delivered_packets = 0;
	world->stage = stage;
	world->dirty = false;
}

void fuzz_world_destroy(struct fuzz_world *world)
{
	fuzz_outbox_clear(&world->initiator);
	fuzz_outbox_clear(&world->responder);
	wh_engine_free(world->initiator.engine);
	wh_engine_free(world->responder.engine);
	wh_keypair_put(world->mirror.keypair);
	wh_handshake_destroy(&world->mirror.handshake);
	wh_static_identity_clear(&world->mirror.identity);
	sodium_memzero(world, sizeof(*world));
}

void fuzz_world_finish_input(struct fuzz_world *world)
{
	enum fuzz_world_stage stage = world->stage;

	fuzz_outbox_clear(&world->initiator);
	fuzz_outbox_clear(&world->responder);
	world->initiator.delivered_packets = world->responder.delivered_packets = 0;
	if (!world->dirty)
		return;
	fuzz_world_destroy(world);
	fuzz_world_build(world, stage);
}
