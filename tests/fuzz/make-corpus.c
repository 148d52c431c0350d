/* Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/) from the same deterministic world
 * the targets build. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"
#include "world.h"

static const char *corpus_dir;

static void fail(const char *what, const char *path)
{
	fprintf(stderr, "make-corpus: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* Writes corpus_dir/target/label: the mode byte, then head (flags and the like), then body. */
static void seed(const char *target, const char *label, uint8_t first, const uint8_t *head, size_t head_len,
		 const void *body, size_t body_len)
{
	char path[4096];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fail("cannot create", path);
	snprintf(path, sizeof(path), "%s/%s/%s", corpus_dir, target, label);
	file = fopen(path, "wb");
	if (!file)
		fail("cannot write", path);
	if (fputc(first, file) == EOF || fwrite(head, 1, head_len, file) != head_len ||
	    fwrite(body, 1, body_len, file) != body_len || fclose(file) != 0)
		fail("cannot write", path);
}

static void seed_bytes(const char *target, const char *label, uint8_t first, const void *body, size_t body_len)
{
	seed(target, label, first, NULL, 0, body, body_len);
}

static const uint8_t *body_of(const void *message)
{
	return (const uint8_t *)message + sizeof(struct wh_message_header);
}

static void copy_sent(void *out, size_t len, const struct fuzz_party *party, uint8_t type)
{
	const struct fuzz_datagram *datagram = fuzz_outbox_find(party, type);

	if (!datagram || datagram->len != len) {
		fprintf(stderr, "make-corpus: the world did not send message type %u\n", type);
		exit(1);
	}
	memcpy(out, datagram->bytes, len);
}

static void must_answer(struct fuzz_world *world, uint8_t type, void *out, size_t len)
{
	if (!fuzz_world_answer_pending(world, type, out, len)) {
		fprintf(stderr, "make-corpus: the responder did not answer with message type %u\n", type);
		exit(1);
	}
}

static void initiation_seeds(struct fuzz_world *world)
{
	static const uint8_t header_only[4] = {WH_MESSAGE_HANDSHAKE_INITIATION};
	static const uint8_t zero_body[112];
	const struct wh_message_handshake_initiation *genuine = &world->pending_initiation;
	size_t body_len = offsetof(struct wh_message_handshake_initiation, macs) - sizeof(struct wh_message_header);
	const uint8_t twice_follow[] = {FUZZ_GENUINE_TWICE | FUZZ_GENUINE_FOLLOW, 0};
	const uint8_t follow[] = {FUZZ_GENUINE_FOLLOW, 0};
	/* Flip a bit of the encrypted static key and make mac1 right again: only the AEAD notices. */
	const uint8_t edited_static[] = {FUZZ_GENUINE_FIX_MACS, 0, 40, 0x01};
	/* The first is taken; 5 ms later a flood; then a timestamp older than the first; then a good one. */
	const uint8_t mirror[] = {
		0,  0, 0, 0, 0, 0, 0, 0, 0,
		5,  0x00, 0xca, 0x9a, 0x3b, 0, 0, 0, 0,                   /* +1 s */
		30, 0x00, 0x6c, 0xca, 0x88, 0xff, 0xff, 0xff, 0xff,       /* -2 s */
		30, 0, 0, 0, 0, 0, 0, 0, 0,
	};

	seed_bytes("initiation", "raw-genuine", FUZZ_INITIATION_RAW, genuine, sizeof(*genuine));
	seed_bytes("initiation", "raw-header-only", FUZZ_INITIATION_RAW, header_only, sizeof(header_only));
	seed_bytes("initiation", "mac1-genuine-body", FUZZ_INITIATION_MAC1, body_of(genuine), body_len);
	seed_bytes("initiation", "mac1-zero-body", FUZZ_INITIATION_MAC1, zero_body, sizeof(zero_body));
	seed_bytes("initiation", "under-load-genuine-body", FUZZ_INITIATION_UNDER_LOAD, body_of(genuine), body_len);
	seed_bytes("initiation", "genuine-twice-follow", FUZZ_INITIATION_GENUINE, twice_follow, sizeof(twice_follow));
	seed_bytes("initiation", "genuine-edited-static", FUZZ_INITIATION_GENUINE, edited_static,
		   sizeof(edited_static));
	seed_bytes("initiation", "genuine-from-ipv6", FUZZ_INITIATION_GENUINE | FUZZ_FLAG_IPV6, follow,
		   sizeof(follow));
	seed_bytes("initiation", "mirror-flood-replay", FUZZ_INITIATION_MIRROR, mirror, sizeof(mirror));
}

static void response_seeds(struct fuzz_world *world)
{
	static const uint8_t header_only[4] = {WH_MESSAGE_HANDSHAKE_RESPONSE};
	static const uint8_t zero_body[56];
	struct wh_message_handshake_response response;
	size_t body_len = offsetof(struct wh_message_handshake_response, macs) - sizeof(struct wh_message_header);
	const uint8_t follow[] = {FUZZ_GENUINE_FOLLOW, 0};
	const uint8_t twice[] = {FUZZ_GENUINE_TWICE, 0};
	const uint8_t edited_ephemeral[] = {FUZZ_GENUINE_FIX_MACS, 0, 12, 0x80};

	must_answer(world, WH_MESSAGE_HANDSHAKE_RESPONSE, &response, sizeof(response));

	seed_bytes("response", "raw-genuine", FUZZ_RESPONSE_RAW, &response, sizeof(response));
	seed_bytes("response", "raw-header-only", FUZZ_RESPONSE_RAW, header_only, sizeof(header_only));
	seed_bytes("response", "mac1-genuine-body", FUZZ_RESPONSE_MAC1, body_of(&response), body_len);
	seed_bytes("response", "mac1-zero-body", FUZZ_RESPONSE_MAC1, zero_body, sizeof(zero_body));
	seed_bytes("response", "under-load-genuine-body", FUZZ_RESPONSE_UNDER_LOAD, body_of(&response), body_len);
	seed_bytes("response", "genuine-follow", FUZZ_RESPONSE_GENUINE, follow, sizeof(follow));
	seed_bytes("response", "genuine-twice", FUZZ_RESPONSE_GENUINE, twice, sizeof(twice));
	seed_bytes("response", "genuine-edited-ephemeral", FUZZ_RESPONSE_GENUINE, edited_ephemeral,
		   sizeof(edited_ephemeral));
}

static void cookie_seeds(struct fuzz_world *world)
{
	static const uint8_t zero_body[60];
	struct wh_message_handshake_cookie reply;
	/* REKEY_TIMEOUT plus the largest jitter has passed after 6 s: the initiator retries with mac2. */
	const uint8_t follow_retry[] = {FUZZ_GENUINE_FOLLOW, 6};
	const uint8_t twice[] = {FUZZ_GENUINE_TWICE, 0};
	const uint8_t edited_nonce[] = {0, 0, 8, 0x01};

	fuzz_world_put_under_load(world, &world->responder);
	must_answer(world, WH_MESSAGE_HANDSHAKE_COOKIE, &reply, sizeof(reply));

	seed_bytes("cookie", "raw-genuine", FUZZ_COOKIE_RAW, &reply, sizeof(reply));
	seed_bytes("cookie", "forced-genuine-body", FUZZ_COOKIE_FORCED, body_of(&reply),
		   sizeof(reply) - sizeof(struct wh_message_header));
	seed_bytes("cookie", "forced-zero-body", FUZZ_COOKIE_FORCED, zero_body, sizeof(zero_body));
	seed_bytes("cookie", "genuine-follow-retry", FUZZ_COOKIE_GENUINE, follow_retry, sizeof(follow_retry));
	seed_bytes("cookie", "genuine-twice", FUZZ_COOKIE_GENUINE, twice, sizeof(twice));
	seed_bytes("cookie", "genuine-edited-nonce", FUZZ_COOKIE_GENUINE, edited_nonce, sizeof(edited_nonce));
}

/* The initiator's next data message: fresh in a newly built world. */
static size_t initiator_data(struct fuzz_world *world, uint8_t *out, size_t cap)
{
	uint8_t buffer[WH_ENGINE_HEADROOM + 48 + WH_ENGINE_TAILROOM];
	size_t len = fuzz_ip_packet(buffer + WH_ENGINE_HEADROOM, 4, FUZZ_INITIATOR_HOST, FUZZ_RESPONDER_HOST, 8);
	const struct fuzz_datagram *sent;

	wh_engine_send(world->initiator.engine, buffer + WH_ENGINE_HEADROOM, len);
	sent = fuzz_outbox_find(&world->initiator, WH_MESSAGE_DATA);
	if (!sent || sent->len > cap) {
		fprintf(stderr, "make-corpus: the initiator sent no data\n");
		exit(1);
	}
	memcpy(out, sent->bytes, sent->len);
	return sent->len;
}

static void data_seeds(struct fuzz_world *world)
{
	static const uint8_t short_message[32];
	uint8_t message[128], packet[64];
	size_t message_len = initiator_data(world, message, sizeof(message));
	size_t len;

	seed_bytes("data", "raw-initiator-packet", FUZZ_DATA_RAW, message, message_len);
	seed_bytes("data", "forced-initiator-packet", FUZZ_DATA_FORCED_INDEX, message, message_len);
	seed_bytes("data", "forced-mirror-short", FUZZ_DATA_FORCED_INDEX | FUZZ_FLAG_VARIANT, short_message,
		   sizeof(short_message));

	len = fuzz_ip_packet(packet, 4, FUZZ_INITIATOR_HOST, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "engine-ipv4", FUZZ_DATA_ENGINE, packet, len);
	len = fuzz_ip_packet(packet, 6, FUZZ_INITIATOR_HOST, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "engine-ipv6", FUZZ_DATA_ENGINE, packet, len);
	len = fuzz_ip_packet(packet, 4, 9, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "engine-not-allowed", FUZZ_DATA_ENGINE, packet, len);

	len = fuzz_ip_packet(packet, 4, FUZZ_MIRROR_HOST, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "sealed-ipv4", FUZZ_DATA_SEALED, packet, len);
	seed_bytes("data", "sealed-replayed", FUZZ_DATA_SEALED | FUZZ_FLAG_VARIANT, packet, len);
	packet[2] = 0x01; /* a total length of 256 in 28 bytes */
	seed_bytes("data", "sealed-bad-length", FUZZ_DATA_SEALED, packet, len);
	len = fuzz_ip_packet(packet, 6, FUZZ_MIRROR_HOST, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "sealed-ipv6", FUZZ_DATA_SEALED, packet, len);
	len = fuzz_ip_packet(packet, 4, FUZZ_INITIATOR_HOST, FUZZ_RESPONDER_HOST, 8);
	seed_bytes("data", "sealed-not-allowed", FUZZ_DATA_SEALED, packet, len);
	seed_bytes("data", "sealed-keepalive", FUZZ_DATA_SEALED, NULL, 0);
}

static void datagram_seeds(struct fuzz_world *world)
{
	static const uint8_t cookie_type[64] = {WH_MESSAGE_HANDSHAKE_COOKIE};
	static const uint8_t data_header[4] = {WH_MESSAGE_DATA};
	uint8_t message[128], keepalive[WH_MESSAGE_DATA_MIN_LEN];
	size_t message_len = initiator_data(world, message, sizeof(message));
	/* Timer steps: a count byte (one step each here), then the clock moves in 10 ms units. */
	const uint8_t ten_seconds[] = {0, 0xe8, 0x03};
	const uint8_t persistent_keepalive[] = {0, 0xc4, 0x09}; /* 25 s */
	const uint8_t two_hundred_seconds[] = {0, 0x20, 0x4e};
	const uint8_t ten_minutes[] = {0, 0x60, 0xea};
	/* Ten minutes (keys zeroed, both sides initiate and cross), then two retries 6 s apart. */
	const uint8_t ten_minutes_then_retries[] = {2, 0x60, 0xea, 0x58, 0x02, 0x58, 0x02};

	seed_bytes("datagram", "responder-initiator-packet", 0, message, message_len);
	seed_bytes("datagram", "responder-replayed-initiation", 0, &world->pending_initiation,
		   sizeof(world->pending_initiation));
	seed_bytes("datagram", "responder-cookie-type", 0, cookie_type, sizeof(cookie_type));
	seed_bytes("datagram", "initiator-data-header", 1, data_header, sizeof(data_header));
	seed("datagram", "tick-10s-responder", FUZZ_DATAGRAM_TICK, ten_seconds, sizeof(ten_seconds), NULL, 0);
	seed("datagram", "tick-25s-initiator", FUZZ_DATAGRAM_TICK + 1, persistent_keepalive,
	     sizeof(persistent_keepalive), NULL, 0);
	seed("datagram", "tick-200s-initiator", FUZZ_DATAGRAM_TICK + 1, two_hundred_seconds,
	     sizeof(two_hundred_seconds), NULL, 0);
	seed("datagram", "tick-10min-responder", FUZZ_DATAGRAM_TICK, ten_minutes, sizeof(ten_minutes), NULL, 0);
	seed("datagram", "ticks-crossing-retries", FUZZ_DATAGRAM_TICK, ten_minutes_then_retries,
	     sizeof(ten_minutes_then_retries), NULL, 0);

	/* The responder owes a keepalive KEEPALIVE_TIMEOUT after the data it got. */
	fuzz_outbox_clear(&world->initiator);
	fuzz_world_advance(world, 10 * WH_NSEC_PER_SEC);
	wh_engine_tick(world->responder.engine);
	copy_sent(keepalive, sizeof(keepalive), &world->responder, WH_MESSAGE_DATA);
	seed_bytes("datagram", "initiator-keepalive", 1, keepalive, sizeof(keepalive));
}

int main(int argc, char **argv)
{
	static struct fuzz_world world;
	static void (*const makers[])(struct fuzz_world *) = {
		initiation_seeds, response_seeds, cookie_seeds, data_seeds, datagram_seeds,
	};
	static const enum fuzz_world_stage stages[] = {
		FUZZ_WORLD_PENDING, FUZZ_WORLD_PENDING, FUZZ_WORLD_PENDING, FUZZ_WORLD_ESTABLISHED,
		FUZZ_WORLD_ESTABLISHED,
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIRECTORY\n", argv[0]);
		return 2;
	}
	corpus_dir = argv[1];
	if (mkdir(corpus_dir, 0755) != 0 && errno != EEXIST)
		fail("cannot create", corpus_dir);
	for (size_t i = 0; i < sizeof(makers) / sizeof(makers[0]); i++) {
		fuzz_world_build(&world, stages[i]);
		makers[i](&world);
		fuzz_world_destroy(&world);
	}
	return 0;
}
