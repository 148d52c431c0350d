/* libFuzzer target: data messages to the responder engine over its confirmed sessions, raw, with a
 * known key index, sent by the initiator engine, and sealed by the mirror peer around any plaintext. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "world.h"

static void send_with_index(struct fuzz_world *world, const uint8_t *payload, size_t len, uint32_t index,
			    const struct wh_endpoint *source)
{
	uint8_t *message;

	if (len < offsetof(struct wh_message_data, counter)) {
		fuzz_world_receive(world, &world->responder, payload, len, source);
		return;
	}
	message = malloc(len);
	if (!message)
		abort();
	memcpy(message, payload, len);
	message[0] = WH_MESSAGE_DATA;
	message[1] = message[2] = message[3] = 0;
	wh_put_le32(message + offsetof(struct wh_message_data, key_idx), index);
	fuzz_world_receive(world, &world->responder, message, len, source);
	free(message);
}

/* The initiator's engine encrypts the payload as a packet of its own, if it takes it as one. */
static void send_from_initiator(struct fuzz_world *world, const uint8_t *payload, size_t len)
{
	uint8_t *buffer = malloc(WH_ENGINE_HEADROOM + len + WH_ENGINE_TAILROOM);

	if (!buffer)
		abort();
	if (len)
		memcpy(buffer + WH_ENGINE_HEADROOM, payload, len);
	wh_engine_send(world->initiator.engine, buffer + WH_ENGINE_HEADROOM, len);
	free(buffer);
	fuzz_world_exchange(world, 1);
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	struct wh_endpoint source = fuzz_endpoint(first & FUZZ_FLAG_IPV6, FUZZ_INITIATOR_HOST);
	bool variant = first & FUZZ_FLAG_VARIANT;

	switch (fuzz_mode(first, FUZZ_DATA_MODES)) {
	case FUZZ_DATA_RAW:
		fuzz_world_receive(world, &world->responder, payload, len, &source);
		break;
	case FUZZ_DATA_FORCED_INDEX:
		send_with_index(world, payload, len,
				variant ? world->mirror_session_index : world->initiator_session_index, &source);
		break;
	case FUZZ_DATA_ENGINE:
		send_from_initiator(world, payload, len);
		break;
	case FUZZ_DATA_SEALED:
		fuzz_mirror_send(world, payload, len, variant);
		break;
	}
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_ESTABLISHED, run};
