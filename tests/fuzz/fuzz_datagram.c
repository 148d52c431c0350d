/* libFuzzer target: any datagram of any length to either engine of the established world, after the
 * input has moved the fake clock and run both engines' timers, up to four times, when it asks to. */
#include <stddef.h>
#include <stdint.h>

#include "inputs.h"
#include "world.h"

/* Moves the clock, lets both engines act on their timers and answer each other. */
static void run_timers(struct fuzz_world *world, uint64_t units)
{
	fuzz_world_advance(world, units * FUZZ_DATAGRAM_TICK_UNIT_MS * WH_NSEC_PER_MSEC);
	wh_engine_tick(world->initiator.engine);
	wh_engine_tick(world->responder.engine);
	fuzz_world_exchange(world, FUZZ_EXCHANGE_ROUNDS);
}

static void run(struct fuzz_world *world, uint8_t first, const uint8_t *payload, size_t len)
{
	unsigned mode = fuzz_mode(first, FUZZ_DATAGRAM_MODES);
	bool to_initiator = mode % 2;
	struct fuzz_party *to = to_initiator ? &world->initiator : &world->responder;
	struct fuzz_party *from = to_initiator ? &world->responder : &world->initiator;
	struct wh_endpoint source = from->endpoint;

	if (first & FUZZ_FLAG_IPV6)
		source = fuzz_endpoint(true, to_initiator ? FUZZ_RESPONDER_HOST : FUZZ_INITIATOR_HOST);
	if (mode >= FUZZ_DATAGRAM_TICK && len > 0) {
		size_t steps = payload[0] % FUZZ_DATAGRAM_MAX_STEPS + 1;

		payload++;
		len--;
		for (; steps > 0 && len >= 2; steps--, payload += 2, len -= 2)
			run_timers(world, (uint64_t)payload[0] | (uint64_t)payload[1] << 8);
	}
	fuzz_world_receive(world, to, payload, len, &source);
	fuzz_world_exchange(world, FUZZ_EXCHANGE_ROUNDS);
}

const struct fuzz_target fuzz_target = {FUZZ_WORLD_ESTABLISHED, run};
