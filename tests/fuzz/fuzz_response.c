/* libFuzzer target: handshake responses to the initiator engine waiting on its initiation, raw, forged
 * with a correct mac1 and the pending index (also under load), and genuine but edited. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inputs.h"
#include "world.h"

static void send_forged(struct fuzz_world *world, const uint8_t *payload, size_t len, bool keep_index,
			const struct wh_endpoint *source, bool under_load)
{
	struct wh_message_handshake_response message = {.header.type = WH_MESSAGE_HANDSHAKE_RESPONSE};
	size_t body = offsetof(struct wh_message_handshake_response, macs) - sizeof(message.header);

	memcpy((uint8_t *)&message + sizeof(message.header), payload, len < body ? len : body);
	if (!keep_index)
		wh_put_le32(message.receiver_index, world->pending_index);
	fuzz_world_send_forged(world, &world->initiator, &world->macs_to_initiator, (uint8_t *)&message,
			       sizeof(message), source, under_load);
}

/* The responder answers the pending initiation for real; the payload then edits that answer. */
static void send_genuine(struct fuzz_world *world, const uint8_t *payload, size_t len,
			 const struct wh_endpoint *source)
{
	struct wh_message_handshake_response response;

	if (!fuzz_world_answer_pending(world, WH_MESSAGE_HANDSHAKE_RESPONSE, &response, sizeof(response)))
		return;
	fuzz_world_send_genuine(world, &world->initiator, &world->macs_to_initiator, (uint8_t *)&response,
				sizeof(response), payload, len, source);
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	struct wh_endpoint source = fuzz_endpoint(first & FUZZ_FLAG_IPV6, FUZZ_RESPONDER_HOST);
	bool keep_index = first & FUZZ_FLAG_VARIANT;

	switch (fuzz_mode(first, FUZZ_RESPONSE_MODES)) {
	case FUZZ_RESPONSE_RAW:
		fuzz_world_receive(world, &world->initiator, payload, len, &source);
		break;
	case FUZZ_RESPONSE_MAC1:
		send_forged(world, payload, len, keep_index, &source, false);
		break;
	case FUZZ_RESPONSE_UNDER_LOAD:
		send_forged(world, payload, len, keep_index, &source, true);
		break;
	case FUZZ_RESPONSE_GENUINE:
		send_genuine(world, payload, len, &source);
		break;
	}
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_PENDING, run};
