/* The per-peer timers of whitepaper section 6 as deadlines on an injected clock, following the kernel's timers.c. */
#include "noise/timers.h"

#include <string.h>

#include "noise/messages.h"

/* Saturates instead of wrapping: a wrapped deadline would lie in the past, or be 0, which means disarmed.
 * Every delay here is at least a second, so a deadline built by this is never 0. */
static uint64_t deadline_after(uint64_t now, uint64_t delay)
{
	if (delay > UINT64_MAX - now)
		return UINT64_MAX;
	return now + delay;
}

/* Spreads retries of peers that started together (whitepaper 6.1); uniform in [0, JITTER_MAX_MS) like the
 * kernel's get_random_u32_below(), with rejection so that no value is likelier than another. */
static uint64_t rekey_jitter(struct wh_timers *timers)
{
	const uint64_t range = WH_REKEY_TIMEOUT_JITTER_MAX_MS * WH_NSEC_PER_MSEC;
	const uint64_t reject_below = (0 - range) % range; /* 2^64 mod range */
	uint64_t random;

	do
		timers->rng.fill(timers->rng.ctx, &random, sizeof(random));
	while (random < reject_below);
	return random % range;
}

/* True, and disarmed, when the deadline is armed and has been reached. */
static bool fall_due(uint64_t *deadline, uint64_t now)
{
	if (!*deadline || *deadline > now)
		return false;
	*deadline = 0;
	return true;
}

void wh_timers_init(struct wh_timers *timers, const struct wh_rng *rng)
{
	memset(timers, 0, sizeof(*timers));
	timers->rng = rng ? *rng : *wh_rng_system();
}

void wh_timers_stop(struct wh_timers *timers)
{
	timers->retransmit_handshake = 0;
	timers->send_keepalive = 0;
	timers->new_handshake = 0;
	timers->zero_key_material = 0;
	timers->persistent_keepalive = 0;
}

void wh_timers_set_persistent_keepalive(struct wh_timers *timers, uint16_t interval, uint64_t now)
{
	timers->persistent_keepalive_interval = interval;
	/* Arming now rather than on the next traversal lets a freshly configured peer reach out on its own. */
	timers->persistent_keepalive = interval ? deadline_after(now, interval * WH_NSEC_PER_SEC) : 0;
}

static unsigned expired_retransmit_handshake(struct wh_timers *timers, uint64_t now)
{
	if (timers->handshake_attempts <= WH_MAX_TIMER_HANDSHAKES) {
		timers->handshake_attempts++;
		return WH_TIMER_RETRY_HANDSHAKE;
	}
	timers->send_keepalive = 0;
	/* Wipe whatever a partial exchange left behind, but never postpone a wipe already due sooner. */
	if (!timers->zero_key_material)
		timers->zero_key_material = deadline_after(now, 3 * WH_REJECT_AFTER_TIME * WH_NSEC_PER_SEC);
	return WH_TIMER_GIVE_UP_HANDSHAKE;
}

static unsigned expired_send_keepalive(struct wh_timers *timers, uint64_t now)
{
	/* Data kept arriving while the first keepalive was pending: the later packets deserve theirs too. */
	if (timers->need_another_keepalive) {
		timers->need_another_keepalive = false;
		timers->send_keepalive = deadline_after(now, WH_KEEPALIVE_TIMEOUT * WH_NSEC_PER_SEC);
	}
	return WH_TIMER_SEND_KEEPALIVE;
}

unsigned wh_timers_expire(struct wh_timers *timers, uint64_t now)
{
	unsigned actions = 0;

	/* Retransmit goes first so that giving up cancels a keepalive falling due in the same call. */
	if (fall_due(&timers->retransmit_handshake, now))
		actions |= expired_retransmit_handshake(timers, now);
	if (fall_due(&timers->send_keepalive, now))
		actions |= expired_send_keepalive(timers, now);
	if (fall_due(&timers->new_handshake, now))
		actions |= WH_TIMER_NEW_HANDSHAKE;
	if (fall_due(&timers->zero_key_material, now))
		actions |= WH_TIMER_ZERO_KEYS;
	/* Turning the interval off disarms it, so an expiry here always has an interval behind it. */
	if (fall_due(&timers->persistent_keepalive, now))
		actions |= WH_TIMER_PERSISTENT_KEEPALIVE;
	return actions;
}

static uint64_t earlier(uint64_t next, uint64_t deadline)
{
	if (!deadline)
		return next;
	if (!next || deadline < next)
		return deadline;
	return next;
}

uint64_t wh_timers_next_deadline(const struct wh_timers *timers)
{
	uint64_t next = 0;

	next = earlier(next, timers->retransmit_handshake);
	next = earlier(next, timers->send_keepalive);
	next = earlier(next, timers->new_handshake);
	next = earlier(next, timers->zero_key_material);
	next = earlier(next, timers->persistent_keepalive);
	return next;
}

void wh_timers_data_sent(struct wh_timers *timers, uint64_t now)
{
	/* Measured from the first unanswered packet, so a steady stream cannot postpone it forever. */
	if (!timers->new_handshake)
		timers->new_handshake = deadline_after(now, (WH_KEEPALIVE_TIMEOUT + WH_REKEY_TIMEOUT) * WH_NSEC_PER_SEC +
							    rekey_jitter(timers));
}

void wh_timers_data_received(struct wh_timers *timers, uint64_t now)
{
	if (!timers->send_keepalive)
		timers->send_keepalive = deadline_after(now, WH_KEEPALIVE_TIMEOUT * WH_NSEC_PER_SEC);
	else
		timers->need_another_keepalive = true;
}

void wh_timers_any_authenticated_packet_sent(struct wh_timers *timers, uint64_t now)
{
	(void)now;
	timers->send_keepalive = 0;
}

void wh_timers_any_authenticated_packet_received(struct wh_timers *timers, uint64_t now)
{
	(void)now;
	timers->new_handshake = 0;
}

void wh_timers_any_authenticated_packet_traversal(struct wh_timers *timers, uint64_t now)
{
	if (timers->persistent_keepalive_interval)
		timers->persistent_keepalive =
			deadline_after(now, timers->persistent_keepalive_interval * WH_NSEC_PER_SEC);
}

void wh_timers_handshake_initiated(struct wh_timers *timers, uint64_t now, bool is_retry)
{
	if (!is_retry)
		timers->handshake_attempts = 0;
	timers->retransmit_handshake =
		deadline_after(now, WH_REKEY_TIMEOUT * WH_NSEC_PER_SEC + rekey_jitter(timers));
}

void wh_timers_handshake_complete(struct wh_timers *timers, uint64_t now)
{
	(void)now;
	timers->retransmit_handshake = 0;
	timers->handshake_attempts = 0;
}

void wh_timers_session_derived(struct wh_timers *timers, uint64_t now)
{
	timers->zero_key_material = deadline_after(now, 3 * WH_REJECT_AFTER_TIME * WH_NSEC_PER_SEC);
}
