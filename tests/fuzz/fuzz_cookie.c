/* libFuzzer target: cookie replies to the initiator engine waiting on its initiation, raw, forged with
 * the pending index, and the genuine reply of a responder under load, edited and followed by the retry
 * it allows. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inputs.h"
#include "world.h"

static void send_forged(struct fuzz_world *world, const uint8_t *payload, size_t len, bool keep_index,
			const struct wh_endpoint *source)
{
	struct wh_message_handshake_cookie message = {.header.type = WH_MESSAGE_HANDSHAKE_COOKIE};
	size_t body = sizeof(message) - sizeof(message.header);

	memcpy((uint8_t *)&message + sizeof(message.header), payload, len < body ? len : body);
	if (!keep_index)
		wh_put_le32(message.receiver_index, world->pending_index);
	fuzz_world_receive(world, &world->initiator, (const uint8_t *)&message, sizeof(message), source);
}

/* A responder under load answers the pending initiation with a cookie reply; the payload edits it. */
static void send_genuine(struct fuzz_world *world, const uint8_t *payload, size_t len,
			 const struct wh_endpoint *source)
{
	struct wh_message_handshake_cookie reply;

	fuzz_world_put_under_load(world, &world->responder);
	if (!fuzz_world_answer_pending(world, WH_MESSAGE_HANDSHAKE_COOKIE, &reply, sizeof(reply)))
		return;
	fuzz_world_send_genuine(world, &world->initiator, NULL, (uint8_t *)&reply, sizeof(reply), payload, len,
				source);
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	struct wh_endpoint source = fuzz_endpoint(first & FUZZ_FLAG_IPV6, FUZZ_RESPONDER_HOST);

	switch (fuzz_mode(first, FUZZ_COOKIE_MODES)) {
	case FUZZ_COOKIE_RAW:
		fuzz_world_receive(world, &world->initiator, payload, len, &source);
		break;
	case FUZZ_COOKIE_FORCED:
		send_forged(world, payload, len, first & FUZZ_FLAG_VARIANT, &source);
		break;
	case FUZZ_COOKIE_GENUINE:
		send_genuine(world, payload, len, &source);
		break;
	}
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_PENDING, run};
