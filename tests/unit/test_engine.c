/* The protocol engine end to end: two engines joined by an in-memory network under a fake clock. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "core/engine_private.h"
#include "support.h"

enum { MAX_DATAGRAM = 2048, MAX_IN_FLIGHT = 4096, PACKET_ROOM = WH_ENGINE_HEADROOM + 1500 + WH_ENGINE_TAILROOM };

struct datagram {
	int to; /* engine index */
	struct wh_endpoint from;
	size_t len;
	uint8_t data[MAX_DATAGRAM];
};

struct side {
	struct world *world;
	int index;
	struct wh_engine *engine;
	struct wh_peer *peer; /* this side's view of the other */
	struct wh_endpoint endpoint;
	uint8_t private_key[32];
	uint8_t public_key[32];
	uint8_t tunnel_ip[4];
	unsigned sent_by_type[5];
	GPtrArray *delivered; /* GBytes */
	bool unreachable;     /* datagrams to this side are lost */
	bool dead;            /* and its timers do not run either */
};

struct world {
	struct fake_clock clock;
	struct seeded_rng rng;
	struct side sides[2];
	struct datagram *in_flight[MAX_IN_FLIGHT];
	unsigned in_flight_count;
	struct datagram last_sent[2]; /* the latest datagram each side sent */
};

static void endpoint_v4(struct wh_endpoint *endpoint, const char *address, uint16_t port)
{
	memset(endpoint, 0, sizeof(*endpoint));
	endpoint->family = AF_INET;
	endpoint->port = port;
	g_assert_cmpint(inet_pton(AF_INET, address, endpoint->addr), ==, 1);
}

static bool same_endpoint(const struct wh_endpoint *a, const struct wh_endpoint *b)
{
	return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static void on_send_datagram(void *ctx, const struct wh_endpoint *to, const uint8_t *data, size_t len)
{
	struct side *side = ctx;
	struct world *world = side->world;
	struct side *other = &world->sides[1 - side->index];
	struct datagram *datagram;

	g_assert_cmpuint(len, <=, MAX_DATAGRAM);
	g_assert_cmpuint(len, >=, 4);
	if (data[0] >= 1 && data[0] <= 4)
		side->sent_by_type[data[0]]++;
	world->last_sent[side->index].len = len;
	memcpy(world->last_sent[side->index].data, data, len);
	if (!same_endpoint(to, &other->endpoint) || other->unreachable)
		return;
	g_assert_cmpuint(world->in_flight_count, <, MAX_IN_FLIGHT);
	datagram = g_new0(struct datagram, 1);
	datagram->to = other->index;
	datagram->from = side->endpoint;
	datagram->len = len;
	memcpy(datagram->data, data, len);
	world->in_flight[world->in_flight_count++] = datagram;
}

static void on_deliver_packet(void *ctx, struct wh_peer *peer, uint8_t *packet, size_t len)
{
	struct side *side = ctx;

	g_assert_true(peer == side->peer);
	g_ptr_array_add(side->delivered, g_bytes_new(packet, len));
}

static void world_init(struct world *world, uint64_t seed)
{
	static const char *const outer[2] = {"10.9.0.1", "10.9.0.2"};
	const struct wh_rng *rng;

	memset(world, 0, sizeof(*world));
	fake_clock_init(&world->clock);
	rng = seeded_rng_init(&world->rng, seed);
	for (int i = 0; i < 2; i++) {
		struct side *side = &world->sides[i];
		struct wh_engine_config config = {
			.callbacks = {on_send_datagram, on_deliver_packet},
			.callback_ctx = side,
			.clock = &world->clock.clock,
			.rng = rng,
			.mtu = 1420,
		};

		side->world = world;
		side->index = i;
		side->engine = wh_engine_new(&config);
		g_assert_nonnull(side->engine);
		wh_key_generate_private(side->private_key, rng);
		g_assert_cmpint(wh_engine_set_private_key(side->engine, side->private_key), ==, 0);
		g_assert_true(wh_engine_get_public_key(side->engine, side->public_key));
		endpoint_v4(&side->endpoint, outer[i], (uint16_t)(51820 + i));
		side->tunnel_ip[0] = 192;
		side->tunnel_ip[1] = 168;
		side->tunnel_ip[2] = 77;
		side->tunnel_ip[3] = (uint8_t)(i + 1);
		side->delivered = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	}
	for (int i = 0; i < 2; i++) {
		struct side *side = &world->sides[i], *other = &world->sides[1 - i];
		uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(2 - i)};

		side->peer = wh_engine_add_peer(side->engine, other->public_key);
		g_assert_nonnull(side->peer);
		g_assert_cmpint(wh_peer_add_allowed_ip(side->peer, AF_INET, other->tunnel_ip, 32), ==, 0);
		g_assert_cmpint(wh_peer_add_allowed_ip(side->peer, AF_INET6, v6, 128), ==, 0);
		wh_peer_set_endpoint(side->peer, &other->endpoint);
	}
}

static void world_free(struct world *world)
{
	for (unsigned i = 0; i < world->in_flight_count; i++)
		g_free(world->in_flight[i]);
	for (int i = 0; i < 2; i++) {
		wh_engine_free(world->sides[i].engine);
		g_ptr_array_unref(world->sides[i].delivered);
	}
}

/* Delivers every datagram in flight, and those they cause, in order. */
static void pump(struct world *world)
{
	for (int round = 0; world->in_flight_count; round++) {
		struct datagram *datagram = world->in_flight[0];

		g_assert_cmpint(round, <, 100000);
		memmove(world->in_flight, world->in_flight + 1, --world->in_flight_count * sizeof(world->in_flight[0]));
		if (!world->sides[datagram->to].unreachable)
			wh_engine_receive(world->sides[datagram->to].engine, datagram->data, datagram->len,
					  &datagram->from);
		g_free(datagram);
	}
}

static void drop_in_flight(struct world *world)
{
	for (unsigned i = 0; i < world->in_flight_count; i++)
		g_free(world->in_flight[i]);
	world->in_flight_count = 0;
}

/* Advances the fake clock in steps of step_ms, running both engines' timers and the network. */
static void run_for(struct world *world, uint64_t ms, uint64_t step_ms)
{
	for (uint64_t t = 0; t < ms; t += step_ms) {
		fake_clock_advance(&world->clock, step_ms * WH_NSEC_PER_MSEC);
		for (int i = 0; i < 2; i++)
			if (!world->sides[i].dead)
				wh_engine_tick(world->sides[i].engine);
		pump(world);
	}
}

/* Sends a tagged packet from side `from` to the other side's tunnel address; returns the engine's result. */
static int send_tagged(struct world *world, int from, size_t payload, uint32_t tag)
{
	uint8_t buffer[PACKET_ROOM];
	struct side *side = &world->sides[from], *other = &world->sides[1 - from];
	size_t len = test_ipv4_packet(buffer + WH_ENGINE_HEADROOM, side->tunnel_ip, other->tunnel_ip, payload, tag);

	return wh_engine_send(side->engine, buffer + WH_ENGINE_HEADROOM, len);
}

static uint32_t delivered_tag(struct side *side, unsigned i)
{
	gsize len;
	const uint8_t *data = g_bytes_get_data(g_ptr_array_index(side->delivered, i), &len);
	uint32_t tag;

	g_assert_cmpuint(len, >=, 24);
	memcpy(&tag, data + 20, 4);
	return tag;
}

/* A completes a handshake with B by sending one packet, and B answers one. */
static void establish(struct world *world)
{
	g_assert_cmpint(send_tagged(world, 0, 100, 1), ==, WH_SEND_STAGED);
	pump(world);
	g_assert_cmpuint(world->sides[1].delivered->len, ==, 1);
	g_assert_cmpint(send_tagged(world, 1, 100, 2), ==, WH_SEND_SENT);
	pump(world);
	g_assert_cmpuint(world->sides[0].delivered->len, ==, 1);
}

static void test_handshake_and_data_both_roles(void)
{
	for (int initiator = 0; initiator < 2; initiator++) {
		struct world world;
		struct wh_peer_stats stats;
		struct side *a = &world.sides[initiator], *b = &world.sides[1 - initiator];

		world_init(&world, 100 + (uint64_t)initiator);
		g_assert_cmpint(send_tagged(&world, initiator, 64, 0xabc), ==, WH_SEND_STAGED);
		g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, 1);
		pump(&world);
		g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, 1);
		/* The staged packet went out right after the response: no keepalive was needed. */
		g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_DATA], ==, 1);
		g_assert_cmpuint(b->delivered->len, ==, 1);
		g_assert_cmpuint(delivered_tag(b, 0), ==, 0xabc);
		g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(b->delivered, 0)), ==, 84);

		/* The responder was confirmed by that packet and now sends at once. */
		for (uint32_t i = 0; i < 50; i++)
			g_assert_cmpint(send_tagged(&world, 1 - initiator, 4 + i * 20, 1000 + i), ==, WH_SEND_SENT);
		pump(&world);
		g_assert_cmpuint(a->delivered->len, ==, 50);
		for (uint32_t i = 0; i < 50; i++)
			g_assert_cmpuint(delivered_tag(a, i), ==, 1000 + i);

		wh_peer_get_stats(a->peer, &stats);
		g_assert_cmpuint(stats.last_handshake_realtime_ns, ==, world.clock.realtime_ns);
		g_assert_cmpuint(stats.tx_bytes, ==, 148 + 16 + 96 + 16);
		g_assert_true(stats.has_endpoint);
		wh_peer_get_stats(b->peer, &stats);
		g_assert_cmpuint(stats.rx_bytes, ==, 148 + 16 + 96 + 16);
		g_assert_cmpuint(stats.tx_bytes, >, 92);
		world_free(&world);
	}
}

static void test_ipv6_inside(void)
{
	struct world world;
	uint8_t buffer[PACKET_ROOM];
	uint8_t *packet = buffer + WH_ENGINE_HEADROOM;

	world_init(&world, 110);
	establish(&world);
	memset(packet, 0, 40 + 8);
	packet[0] = 0x60;
	packet[5] = 8;
	packet[6] = 17;
	packet[7] = 64;
	packet[8] = 0xfd;
	packet[23] = 1; /* source fd00::1 */
	packet[24] = 0xfd;
	packet[39] = 2; /* destination fd00::2 */
	g_assert_cmpint(wh_engine_send(world.sides[0].engine, packet, 48), ==, WH_SEND_SENT);
	pump(&world);
	g_assert_cmpuint(world.sides[1].delivered->len, ==, 2);
	g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(world.sides[1].delivered, 1)), ==, 48);
	world_free(&world);
}

static void test_crossing_initiations(void)
{
	struct world world;

	world_init(&world, 120);
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_STAGED);
	g_assert_cmpint(send_tagged(&world, 1, 10, 2), ==, WH_SEND_STAGED);
	pump(&world);
	run_for(&world, 12000, 100);
	g_assert_cmpuint(world.sides[0].delivered->len, >=, 1);
	g_assert_cmpuint(world.sides[1].delivered->len, >=, 1);
	g_assert_cmpint(send_tagged(&world, 0, 10, 3), ==, WH_SEND_SENT);
	g_assert_cmpint(send_tagged(&world, 1, 10, 4), ==, WH_SEND_SENT);
	pump(&world);
	g_assert_cmpuint(delivered_tag(&world.sides[1], world.sides[1].delivered->len - 1), ==, 3);
	g_assert_cmpuint(delivered_tag(&world.sides[0], world.sides[0].delivered->len - 1), ==, 4);
	world_free(&world);
}

static enum wh_receive_result inject(struct world *world, int to, const uint8_t *data, size_t len)
{
	uint8_t copy[MAX_DATAGRAM + 8];

	memcpy(copy, data, len);
	return wh_engine_receive(world->sides[to].engine, copy, len, &world->sides[1 - to].endpoint);
}

static void test_malformed_messages_refused(void)
{
	struct world world;
	struct datagram initiation, data;
	uint8_t buffer[MAX_DATAGRAM + 8] = {0};

	world_init(&world, 130);
	world.sides[1].unreachable = true;
	send_tagged(&world, 0, 10, 1);
	initiation = world.last_sent[0];
	g_assert_cmpuint(initiation.len, ==, 148);
	world.sides[1].unreachable = false;
	drop_in_flight(&world);

	/* Sizes and types. */
	g_assert_cmpint(inject(&world, 1, buffer, 0), ==, WH_RECEIVE_BAD_LENGTH);
	g_assert_cmpint(inject(&world, 1, buffer, 3), ==, WH_RECEIVE_BAD_LENGTH);
	g_assert_cmpint(inject(&world, 1, initiation.data, 147), ==, WH_RECEIVE_BAD_LENGTH);
	memcpy(buffer, initiation.data, 148);
	g_assert_cmpint(inject(&world, 1, buffer, 149), ==, WH_RECEIVE_BAD_LENGTH);
	buffer[0] = 2;
	g_assert_cmpint(inject(&world, 1, buffer, 91), ==, WH_RECEIVE_BAD_LENGTH);
	g_assert_cmpint(inject(&world, 1, buffer, 93), ==, WH_RECEIVE_BAD_LENGTH);
	buffer[0] = 3;
	g_assert_cmpint(inject(&world, 1, buffer, 63), ==, WH_RECEIVE_BAD_LENGTH);
	g_assert_cmpint(inject(&world, 1, buffer, 65), ==, WH_RECEIVE_BAD_LENGTH);
	buffer[0] = 4;
	g_assert_cmpint(inject(&world, 1, buffer, 31), ==, WH_RECEIVE_BAD_LENGTH);
	for (int type = 5; type < 256; type++) {
		buffer[0] = (uint8_t)type;
		g_assert_cmpint(inject(&world, 1, buffer, 148), ==, WH_RECEIVE_BAD_TYPE);
	}
	buffer[0] = 0;
	g_assert_cmpint(inject(&world, 1, buffer, 148), ==, WH_RECEIVE_BAD_TYPE);
	memcpy(buffer, initiation.data, 148);
	buffer[2] = 1;
	g_assert_cmpint(inject(&world, 1, buffer, 148), ==, WH_RECEIVE_BAD_TYPE);

	/* mac1 covers every byte before it. */
	for (size_t i = 4; i < 132; i++) {
		memcpy(buffer, initiation.data, 148);
		buffer[i] ^= 0x10;
		g_assert_cmpint(inject(&world, 1, buffer, 148), ==, WH_RECEIVE_BAD_MAC);
	}
	g_assert_cmpuint(world.sides[1].sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, 0);

	/* A response and a cookie reply for an index nobody has. */
	memset(buffer, 0, sizeof(buffer));
	buffer[0] = 3;
	g_assert_cmpint(inject(&world, 0, buffer, 64), ==, WH_RECEIVE_UNKNOWN_INDEX);
	buffer[0] = 4;
	g_assert_cmpint(inject(&world, 0, buffer, 64), ==, WH_RECEIVE_UNKNOWN_INDEX);

	/* The genuine initiation still works after all that, and a replay of it does not. */
	g_assert_cmpint(inject(&world, 1, initiation.data, 148), ==, WH_RECEIVE_HANDSHAKE);
	fake_clock_advance(&world.clock, WH_NSEC_PER_SEC);
	g_assert_cmpint(inject(&world, 1, initiation.data, 148), ==, WH_RECEIVE_BAD_HANDSHAKE);
	pump(&world);
	g_assert_cmpuint(world.sides[1].delivered->len, ==, 1);

	/* Data: replay, tampering, truncation. */
	g_assert_cmpint(send_tagged(&world, 0, 10, 7), ==, WH_SEND_SENT);
	data = world.last_sent[0];
	drop_in_flight(&world);
	memcpy(buffer, data.data, data.len);
	buffer[data.len - 1] ^= 1;
	g_assert_cmpint(inject(&world, 1, buffer, data.len), ==, WH_RECEIVE_BAD_DATA);
	memcpy(buffer, data.data, data.len);
	buffer[8] ^= 1; /* the counter is authenticated through the nonce */
	g_assert_cmpint(inject(&world, 1, buffer, data.len), ==, WH_RECEIVE_BAD_DATA);
	g_assert_cmpint(inject(&world, 1, data.data, data.len - 1), ==, WH_RECEIVE_BAD_DATA);
	g_assert_cmpint(inject(&world, 1, data.data, data.len), ==, WH_RECEIVE_DATA);
	g_assert_cmpint(inject(&world, 1, data.data, data.len), ==, WH_RECEIVE_REPLAYED);
	g_assert_cmpuint(world.sides[1].delivered->len, ==, 2);
	world_free(&world);
}

static void test_counter_beyond_window_refused(void)
{
	struct world world;
	struct datagram early;

	world_init(&world, 140);
	establish(&world);
	g_assert_cmpint(send_tagged(&world, 0, 10, 9), ==, WH_SEND_SENT);
	early = world.last_sent[0];
	drop_in_flight(&world);
	for (uint32_t i = 0; i < WH_REPLAY_BITS_TOTAL + 100; i++)
		g_assert_cmpint(send_tagged(&world, 0, 0, i), ==, WH_SEND_SENT);
	pump(&world);
	g_assert_cmpint(inject(&world, 1, early.data, early.len), ==, WH_RECEIVE_REPLAYED);
	world_free(&world);
}

static void test_inner_source_checked(void)
{
	struct world world;
	struct wh_keypair *keypair;
	uint8_t buffer[PACKET_ROOM];
	uint8_t *packet = buffer + WH_ENGINE_HEADROOM;
	static const uint8_t stranger[4] = {192, 168, 99, 9};
	ssize_t len;

	world_init(&world, 150);
	establish(&world);
	keypair = world.sides[1].peer->keypairs.current;
	g_assert_nonnull(keypair);

	/* B sends a packet claiming a source A does not allow for B. */
	test_ipv4_packet(packet, stranger, world.sides[0].tunnel_ip, 20, 5);
	g_assert_cmpint(wh_engine_send(world.sides[1].engine, packet, 40), ==, WH_SEND_SENT);
	g_assert_cmpint(inject(&world, 0, world.last_sent[1].data, world.last_sent[1].len), ==,
			WH_RECEIVE_NOT_ALLOWED);
	drop_in_flight(&world);

	/* Plaintext that is no IP packet at all, sealed with the real session. */
	memset(packet, 0x11, 40);
	len = wh_keypair_seal(keypair, buffer, 40, sizeof(buffer), 1420, world.clock.monotonic_ns);
	g_assert_cmpint(len, >, 0);
	g_assert_cmpint(inject(&world, 0, buffer, (size_t)len), ==, WH_RECEIVE_BAD_PACKET);
	/* An IPv4 header claiming more bytes than there are. */
	test_ipv4_packet(packet, world.sides[1].tunnel_ip, world.sides[0].tunnel_ip, 20, 6);
	packet[2] = 0x05;
	len = wh_keypair_seal(keypair, buffer, 40, sizeof(buffer), 1420, world.clock.monotonic_ns);
	g_assert_cmpint(inject(&world, 0, buffer, (size_t)len), ==, WH_RECEIVE_BAD_PACKET);
	g_assert_cmpuint(world.sides[0].delivered->len, ==, 1);

	/* The sender refuses what it cannot route or parse. */
	g_assert_cmpint(wh_engine_send(world.sides[1].engine, packet, 40), ==, -EINVAL);
	test_ipv4_packet(packet, world.sides[1].tunnel_ip, stranger, 20, 6);
	g_assert_cmpint(wh_engine_send(world.sides[1].engine, packet, 40), ==, -EHOSTUNREACH);
	world_free(&world);
}

static void test_unknown_initiator_refused(void)
{
	struct world world, strangers;

	world_init(&world, 160);
	world_init(&strangers, 161);
	/* A stranger who knows B's public key but whom B does not know. */
	wh_engine_remove_peer(strangers.sides[0].engine, strangers.sides[0].peer);
	strangers.sides[0].peer = wh_engine_add_peer(strangers.sides[0].engine, world.sides[1].public_key);
	g_assert_cmpint(wh_peer_add_allowed_ip(strangers.sides[0].peer, AF_INET, world.sides[1].tunnel_ip, 32), ==, 0);
	wh_peer_set_endpoint(strangers.sides[0].peer, &strangers.sides[1].endpoint);
	strangers.sides[1].unreachable = true;
	g_assert_cmpint(send_tagged(&strangers, 0, 10, 1), ==, WH_SEND_STAGED);
	g_assert_cmpint(inject(&world, 1, strangers.last_sent[0].data, strangers.last_sent[0].len), ==,
			WH_RECEIVE_BAD_HANDSHAKE);
	g_assert_cmpuint(world.sides[1].sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, 0);
	world_free(&strangers);
	world_free(&world);
}

static void test_keepalive_after_receiving(void)
{
	struct world world;
	struct side *b = &world.sides[1];
	unsigned data_before;

	world_init(&world, 170);
	establish(&world);
	g_assert_cmpint(send_tagged(&world, 0, 10, 3), ==, WH_SEND_SENT);
	pump(&world);
	data_before = b->sent_by_type[WH_MESSAGE_DATA];
	run_for(&world, (WH_KEEPALIVE_TIMEOUT - 1) * 1000, 100);
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_DATA], ==, data_before);
	run_for(&world, 1100, 100);
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_DATA], ==, data_before + 1);
	g_assert_cmpuint(world.last_sent[1].len, ==, 32); /* an empty, authenticated message */
	run_for(&world, 60000, 1000);
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_DATA], ==, data_before + 1);
	world_free(&world);
}

static void test_rekey_under_traffic(void)
{
	struct world world;
	unsigned sent = 0;

	world_init(&world, 180);
	establish(&world);
	/* Both directions every 500 ms for 400 s: past REKEY_AFTER_TIME, REJECT_AFTER_TIME and more. */
	for (int step = 0; step < 800; step++) {
		send_tagged(&world, step % 2, 100, (uint32_t)step);
		sent++;
		run_for(&world, 500, 500);
	}
	g_assert_cmpuint(world.sides[0].delivered->len + world.sides[1].delivered->len, ==, sent + 2);
	/* A rekeyed at least every REKEY_AFTER_TIME and never let a session run to REJECT_AFTER_TIME. */
	g_assert_cmpuint(world.sides[0].sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION] +
				 world.sides[1].sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION],
			 >=, 4);
	g_assert_cmpuint(world.sides[0].peer->keypairs.current->birthdate + WH_REKEY_AFTER_TIME * WH_NSEC_PER_SEC +
				 WH_REKEY_TIMEOUT * WH_NSEC_PER_SEC,
			 >, world.clock.monotonic_ns);
	world_free(&world);
}

static void test_reject_after_time(void)
{
	struct world world;

	world_init(&world, 190);
	establish(&world);
	world.sides[1].unreachable = true;
	run_for(&world, WH_REJECT_AFTER_TIME * 1000, 1000);
	/* The session is too old to send with: the packet waits for a new handshake. */
	g_assert_false(wh_keypair_can_send(world.sides[0].peer->keypairs.current, world.clock.monotonic_ns));
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_STAGED);
	world.sides[1].unreachable = false;
	run_for(&world, 10000, 100);
	g_assert_cmpuint(world.sides[1].delivered->len, ==, 2);
	world_free(&world);
}

static void test_give_up_after_attempts_then_zero_keys(void)
{
	struct world world;
	struct side *a = &world.sides[0];
	uint64_t start, last_initiation = 0;
	unsigned initiations = 0;

	world_init(&world, 200);
	establish(&world);
	world.sides[1].unreachable = true;
	world.sides[1].dead = true;
	start = world.clock.monotonic_ns;
	a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION] = 0;
	/* Rekey is due: the next packet starts handshakes nobody answers. */
	fake_clock_advance(&world.clock, WH_REKEY_AFTER_TIME * WH_NSEC_PER_SEC);
	start = world.clock.monotonic_ns;
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_SENT);
	for (int i = 0; i < 2000; i++) {
		run_for(&world, 100, 100);
		if (a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION] != initiations) {
			initiations = a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION];
			last_initiation = world.clock.monotonic_ns;
		}
	}
	/* The first attempt and MAX_TIMER_HANDSHAKES + 1 retries, REKEY_TIMEOUT + jitter apart (the
	 * kernel's "did not complete after MAX_TIMER_HANDSHAKES + 2 attempts"), then silence. */
	g_assert_cmpuint(initiations, ==, WH_MAX_TIMER_HANDSHAKES + 2);
	g_assert_cmpuint(last_initiation - start, >=,
			 (uint64_t)(WH_MAX_TIMER_HANDSHAKES + 1) * WH_REKEY_TIMEOUT * WH_NSEC_PER_SEC);
	g_assert_cmpuint(last_initiation - start, <=,
			 (uint64_t)(WH_MAX_TIMER_HANDSHAKES + 1) *
				 (WH_REKEY_TIMEOUT * 1000 + WH_REKEY_TIMEOUT_JITTER_MAX_MS + 100) * WH_NSEC_PER_MSEC);
	g_assert_cmpuint(a->peer->staged_count, ==, 0);

	/* Keys linger until 3 * REJECT_AFTER_TIME after the last session, then are wiped. */
	g_assert_nonnull(a->peer->keypairs.current);
	run_for(&world, 3 * WH_REJECT_AFTER_TIME * 1000, 1000);
	g_assert_null(a->peer->keypairs.current);
	g_assert_null(a->peer->keypairs.previous);
	g_assert_null(a->peer->keypairs.next);
	g_assert_cmpuint(a->engine->index_table.count, ==, 0);
	world_free(&world);
}

static void test_new_handshake_when_peer_goes_quiet(void)
{
	struct world world;
	struct side *a = &world.sides[0];
	unsigned before;

	world_init(&world, 210);
	establish(&world);
	world.sides[1].unreachable = true;
	world.sides[1].dead = true;
	before = a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION];
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_SENT);
	run_for(&world, (WH_KEEPALIVE_TIMEOUT + WH_REKEY_TIMEOUT) * 1000 - 100, 100);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, before);
	run_for(&world, 500, 100);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, before + 1);
	world_free(&world);
}

static void test_persistent_keepalive(void)
{
	struct world world;
	struct side *a = &world.sides[0];
	unsigned data_before, handshakes_before, keepalives;

	world_init(&world, 220);
	wh_peer_set_persistent_keepalive(a->peer, 25);
	/* A newly configured persistent keepalive reaches out at once, which also makes the session. */
	run_for(&world, 1000, 100);
	g_assert_nonnull(world.sides[1].peer->keypairs.current);
	data_before = a->sent_by_type[WH_MESSAGE_DATA];
	handshakes_before = a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION];
	run_for(&world, 250 * 1000, 500);
	/* One keepalive per 25 s, plus the one that confirms each rekey (every 120 s). */
	keepalives = a->sent_by_type[WH_MESSAGE_DATA] - data_before -
		     (a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION] - handshakes_before);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION] - handshakes_before, ==, 2);
	g_assert_cmpuint(keepalives, >=, 9);
	g_assert_cmpuint(keepalives, <=, 10);
	wh_peer_set_persistent_keepalive(a->peer, 0);
	data_before = a->sent_by_type[WH_MESSAGE_DATA];
	run_for(&world, 100 * 1000, 1000);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_DATA], ==, data_before);
	world_free(&world);
}

/* A client brings its tunnel up before any traffic: the keepalive starts the handshake, and once
 * the session exists it goes out as an empty data message. */
static void test_send_keepalive_starts_session(void)
{
	struct world world;
	struct side *a = &world.sides[0];

	world_init(&world, 221);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, 0);
	wh_peer_send_keepalive(a->peer);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, 1);
	pump(&world);
	g_assert_nonnull(world.sides[1].peer->keypairs.current);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_DATA], ==, 1);
	g_assert_cmpuint(world.sides[1].delivered->len, ==, 0);
	wh_peer_send_keepalive(a->peer);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_HANDSHAKE_INITIATION], ==, 1);
	g_assert_cmpuint(a->sent_by_type[WH_MESSAGE_DATA], ==, 2);
	world_free(&world);
}

static void test_cookie_under_load(void)
{
	struct world world;
	struct side *a = &world.sides[0], *b = &world.sides[1];

	world_init(&world, 230);
	wh_engine_set_under_load(b->engine, true);
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_STAGED);
	g_assert_cmpuint(world.in_flight_count, ==, 1);
	pump(&world);
	/* B answered with a cookie reply, not a response; A keeps it for its next attempt. */
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, 0);
	g_assert_cmpuint(world.last_sent[1].len, ==, 64);
	g_assert_true(a->peer->cookie.is_valid);
	g_assert_cmpuint(b->delivered->len, ==, 0);
	/* The retry after REKEY_TIMEOUT carries mac2 and gets through while B stays under load. */
	run_for(&world, (WH_REKEY_TIMEOUT + 1) * 1000, 100);
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, 1);
	g_assert_cmpuint(b->delivered->len, ==, 1);
	world_free(&world);
}

/* A makes a fresh initiation at once and B receives it from A's address; returns B's verdict. */
static enum wh_receive_result initiate_now(struct world *world)
{
	struct side *a = &world->sides[0], *b = &world->sides[1];
	struct datagram initiation;

	a->peer->last_sent_handshake = 0;
	send_handshake_initiation(a->peer, false);
	initiation = world->last_sent[0];
	g_assert_cmpuint(initiation.data[0], ==, WH_MESSAGE_HANDSHAKE_INITIATION);
	drop_in_flight(world);
	return wh_engine_receive(b->engine, initiation.data, initiation.len, &a->endpoint);
}

static void test_rate_limited_under_load(void)
{
	enum { STEP_MS = 25, TRIES = 41 };
	struct world world;
	struct side *a = &world.sides[0], *b = &world.sides[1];
	unsigned passed = 0, limited = 0;

	world_init(&world, 235);
	wh_engine_set_under_load(b->engine, true);
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, WH_SEND_STAGED);
	pump(&world);
	g_assert_true(a->peer->cookie.is_valid);
	/* With the cookie, A floods B with fresh initiations every 25 ms for a second: twice the rate
	 * allowed, yet slow enough for B's per-peer flood check and TAI64N's 16 ms steps. */
	for (unsigned i = 0; i < TRIES; i++) {
		enum wh_receive_result result = initiate_now(&world);

		if (i < WH_RATELIMITER_PACKETS_BURSTABLE)
			g_assert_cmpint(result, ==, WH_RECEIVE_HANDSHAKE);
		g_assert_true(result == WH_RECEIVE_HANDSHAKE || result == WH_RECEIVE_RATE_LIMITED);
		passed += result == WH_RECEIVE_HANDSHAKE;
		limited += result == WH_RECEIVE_RATE_LIMITED;
		fake_clock_advance(&world.clock, STEP_MS * WH_NSEC_PER_MSEC);
	}
	/* A full bucket of 250 ms of credit, then 50 ms per handshake: the first nine pass, then every
	 * other one. */
	g_assert_cmpuint(passed, ==, 9 + (TRIES - 9) / 2);
	g_assert_cmpuint(limited, ==, TRIES - passed);
	g_assert_cmpuint(b->sent_by_type[WH_MESSAGE_HANDSHAKE_RESPONSE], ==, passed);
	/* 25 ms after the last one passed, A is refused; out of load, a try at that moment is not. */
	g_assert_cmpint(initiate_now(&world), ==, WH_RECEIVE_RATE_LIMITED);
	wh_engine_set_under_load(b->engine, false);
	g_assert_cmpint(initiate_now(&world), ==, WH_RECEIVE_HANDSHAKE);
	world_free(&world);
}

static void test_roaming(void)
{
	struct world world;
	struct side *a = &world.sides[0], *b = &world.sides[1];
	struct wh_peer_stats stats;

	world_init(&world, 240);
	establish(&world);
	/* A moves to another address; B learns it from the next authenticated packet. */
	endpoint_v4(&a->endpoint, "10.9.5.7", 40000);
	g_assert_cmpint(send_tagged(&world, 0, 10, 5), ==, WH_SEND_SENT);
	pump(&world);
	wh_peer_get_stats(b->peer, &stats);
	g_assert_true(same_endpoint(&stats.endpoint, &a->endpoint));
	g_assert_cmpint(send_tagged(&world, 1, 10, 6), ==, WH_SEND_SENT);
	pump(&world);
	g_assert_cmpuint(delivered_tag(a, a->delivered->len - 1), ==, 6);
	/* A forged packet from elsewhere does not move it. */
	{
		struct wh_endpoint forged;
		uint8_t junk[64] = {4};

		endpoint_v4(&forged, "10.66.6.6", 666);
		wh_put_le32(junk + 4, b->peer->keypairs.current->local_index);
		g_assert_cmpint(wh_engine_receive(b->engine, junk, sizeof(junk), &forged), ==, WH_RECEIVE_BAD_DATA);
		wh_peer_get_stats(b->peer, &stats);
		g_assert_true(same_endpoint(&stats.endpoint, &a->endpoint));
	}
	world_free(&world);
}

static void test_staged_packets_bounded_and_ordered(void)
{
	struct world world;
	struct side *b = &world.sides[1];

	world_init(&world, 250);
	b->unreachable = true;
	for (uint32_t i = 0; i < 300; i++)
		g_assert_cmpint(send_tagged(&world, 0, 30, i), ==, WH_SEND_STAGED);
	g_assert_cmpuint(world.sides[0].peer->staged_count, ==, WH_MAX_STAGED_PACKETS);
	b->unreachable = false;
	run_for(&world, (WH_REKEY_TIMEOUT + 1) * 1000, 100);
	/* The newest MAX_STAGED_PACKETS arrive, in order. */
	g_assert_cmpuint(b->delivered->len, ==, WH_MAX_STAGED_PACKETS);
	for (unsigned i = 0; i < WH_MAX_STAGED_PACKETS; i++)
		g_assert_cmpuint(delivered_tag(b, i), ==, 300 - WH_MAX_STAGED_PACKETS + i);
	world_free(&world);
}

static void test_peer_management(void)
{
	struct world world;
	struct wh_engine *engine;
	uint8_t own[32], other[32], zero[32] = {0};

	world_init(&world, 260);
	establish(&world);
	engine = world.sides[0].engine;
	g_assert_true(wh_engine_find_peer(engine, world.sides[1].public_key) == world.sides[0].peer);
	g_assert_null(wh_engine_add_peer(engine, world.sides[1].public_key));
	g_assert_cmpint(errno, ==, EEXIST);
	g_assert_true(wh_engine_get_public_key(engine, own));
	g_assert_null(wh_engine_add_peer(engine, own));
	g_assert_cmpint(errno, ==, EINVAL);
	g_assert_cmpint(wh_engine_set_private_key(engine, zero), ==, -EINVAL);

	/* A new private key drops sessions made with the old one. */
	g_assert_cmpuint(engine->index_table.count, >, 0);
	wh_key_generate_private(other, NULL);
	g_assert_cmpint(wh_engine_set_private_key(engine, other), ==, 0);
	g_assert_null(world.sides[0].peer->keypairs.current);
	g_assert_cmpuint(engine->index_table.count, ==, 0);

	/* Removing the peer removes its routes. */
	wh_engine_remove_peer(engine, world.sides[0].peer);
	world.sides[0].peer = NULL;
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, -EHOSTUNREACH);
	g_assert_cmpint(wh_engine_set_private_key(engine, NULL), ==, 0);
	g_assert_false(wh_engine_get_public_key(engine, own));
	world_free(&world);
}

static void test_no_endpoint(void)
{
	struct world world;

	world_init(&world, 270);
	wh_peer_set_endpoint(world.sides[0].peer, NULL);
	g_assert_cmpint(send_tagged(&world, 0, 10, 1), ==, -EDESTADDRREQ);
	/* The other side can still reach us, which teaches us the endpoint. */
	g_assert_cmpint(send_tagged(&world, 1, 10, 2), ==, WH_SEND_STAGED);
	pump(&world);
	g_assert_cmpuint(world.sides[0].delivered->len, ==, 1);
	g_assert_cmpint(send_tagged(&world, 0, 10, 3), ==, WH_SEND_SENT);
	world_free(&world);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/engine/handshake-and-data-both-roles", test_handshake_and_data_both_roles);
	g_test_add_func("/engine/ipv6-inside", test_ipv6_inside);
	g_test_add_func("/engine/crossing-initiations", test_crossing_initiations);
	g_test_add_func("/engine/malformed-messages", test_malformed_messages_refused);
	g_test_add_func("/engine/counter-beyond-window", test_counter_beyond_window_refused);
	g_test_add_func("/engine/inner-source-checked", test_inner_source_checked);
	g_test_add_func("/engine/unknown-initiator", test_unknown_initiator_refused);
	g_test_add_func("/engine/keepalive-after-receiving", test_keepalive_after_receiving);
	g_test_add_func("/engine/rekey-under-traffic", test_rekey_under_traffic);
	g_test_add_func("/engine/reject-after-time", test_reject_after_time);
	g_test_add_func("/engine/give-up-then-zero-keys", test_give_up_after_attempts_then_zero_keys);
	g_test_add_func("/engine/new-handshake-when-quiet", test_new_handshake_when_peer_goes_quiet);
	g_test_add_func("/engine/persistent-keepalive", test_persistent_keepalive);
	g_test_add_func("/engine/send-keepalive-starts-session", test_send_keepalive_starts_session);
	g_test_add_func("/engine/cookie-under-load", test_cookie_under_load);
	g_test_add_func("/engine/rate-limited-under-load", test_rate_limited_under_load);
	g_test_add_func("/engine/roaming", test_roaming);
	g_test_add_func("/engine/staged-bounded-ordered", test_staged_packets_bounded_and_ordered);
	g_test_add_func("/engine/peer-management", test_peer_management);
	g_test_add_func("/engine/no-endpoint", test_no_endpoint);
	return g_test_run();
}
