/* libFuzzer target: handshake initiations to the responder engine, raw, forged with a correct mac1
 * (also under load), genuine but edited, and genuine from the mirror peer with chosen timestamps. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inputs.h"
#include "world.h"

static void send_forged(struct fuzz_world *world, const uint8_t *payload, size_t len,
			const struct wh_endpoint *source, bool under_load)
{
	struct wh_message_handshake_initiation message = {.header.type = WH_MESSAGE_HANDSHAKE_INITIATION};
	size_t body = offsetof(struct wh_message_handshake_initiation, macs) - sizeof(message.header);

	memcpy((uint8_t *)&message + sizeof(message.header), payload, len < body ? len : body);
	fuzz_world_send_forged(world, &world->responder, &world->macs_to_responder, (uint8_t *)&message,
			       sizeof(message), source, under_load);
}

static void send_genuine(struct fuzz_world *world, const uint8_t *payload, size_t len,
			 const struct wh_endpoint *source)
{
	struct wh_message_handshake_initiation genuine = world->pending_initiation;

	fuzz_world_send_genuine(world, &world->responder, &world->macs_to_responder, (uint8_t *)&genuine,
				sizeof(genuine), payload, len, source);
}

/* Each record: a fresh initiation from the mirror at a chosen time with a chosen timestamp. */
static void send_from_mirror(struct fuzz_world *world, const uint8_t *payload, size_t len)
{
	struct fuzz_mirror *mirror = &world->mirror;
	struct wh_message_handshake_initiation message;

	for (size_t i = 0; i < FUZZ_MIRROR_RECORDS && (i + 1) * FUZZ_MIRROR_RECORD_LEN <= len; i++) {
		const uint8_t *record = payload + i * FUZZ_MIRROR_RECORD_LEN;

		fuzz_world_advance(world, record[0] * WH_NSEC_PER_MSEC);
		if (!wh_handshake_create_initiation(&mirror->handshake, &message, FUZZ_MIRROR_INDEX,
						    world->clock.realtime_ns + wh_get_le64(record + 1), &world->rng.rng))
			return;
		wh_cookie_add_macs(&mirror->cookie, (uint8_t *)&message, sizeof(message), world->clock.monotonic_ns);
		fuzz_world_receive(world, &world->responder, (const uint8_t *)&message, sizeof(message),
				   &mirror->endpoint);
	}
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	struct wh_endpoint source = fuzz_endpoint(first & FUZZ_FLAG_IPV6, FUZZ_INITIATOR_HOST);

	switch (fuzz_mode(first, FUZZ_INITIATION_MODES)) {
	case FUZZ_INITIATION_RAW:
		fuzz_world_receive(world, &world->responder, payload, len, &source);
		break;
	case FUZZ_INITIATION_MAC1:
		send_forged(world, payload, len, &source, false);
		break;
	case FUZZ_INITIATION_UNDER_LOAD:
		send_forged(world, payload, len, &source, true);
		break;
	case FUZZ_INITIATION_GENUINE:
		send_genuine(world, payload, len, &source);
		break;
	case FUZZ_INITIATION_MIRROR:
		send_from_mirror(world, payload, len);
		break;
	}
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_PENDING, run};
