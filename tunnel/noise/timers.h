/* The whitepaper's per-peer timers (section 6.1-6.5) as a state machine over an injected clock: events
 * arm or disarm deadlines, wh_timers_expire() says what has fallen due. It sends nothing itself. */
#ifndef WH_NOISE_TIMERS_H
#define WH_NOISE_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "wirehop/tunnel.h"

/* Deadlines are CLOCK_MONOTONIC nanoseconds; 0 means not armed. */
struct wh_timers {
	uint64_t retransmit_handshake;
	uint64_t send_keepalive;
	uint64_t new_handshake;
	uint64_t zero_key_material;
	uint64_t persistent_keepalive;
	unsigned handshake_attempts;
	bool need_another_keepalive;
	uint16_t persistent_keepalive_interval; /* seconds; 0 = off */
	struct wh_rng rng;                      /* jitter for REKEY_TIMEOUT */
};

/* What the peer must do; wh_timers_expire() returns an OR of these. */
enum wh_timer_action {
	/* No response to our initiation after REKEY_TIMEOUT + jitter: send another (a retry: keep the count). */
	WH_TIMER_RETRY_HANDSHAKE = 1 << 0,
	/* Retries exhausted (more than MAX_TIMER_HANDSHAKES): stop, drop staged packets. */
	WH_TIMER_GIVE_UP_HANDSHAKE = 1 << 1,
	/* Data received and nothing sent back for KEEPALIVE_TIMEOUT: send a keepalive. */
	WH_TIMER_SEND_KEEPALIVE = 1 << 2,
	/* Data sent and nothing received for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT: start a new handshake. */
	WH_TIMER_NEW_HANDSHAKE = 1 << 3,
	/* No new session for 3 * REJECT_AFTER_TIME: wipe every keypair and the handshake. */
	WH_TIMER_ZERO_KEYS = 1 << 4,
	/* persistent_keepalive_interval passed with no authenticated traffic: send a keepalive. */
	WH_TIMER_PERSISTENT_KEEPALIVE = 1 << 5,
};

/* Starts with nothing armed; rng (NULL: the system RNG) supplies the jitter. */
void wh_timers_init(struct wh_timers *timers, const struct wh_rng *rng);
/* Disarms everything (peer removed or device down). */
void wh_timers_stop(struct wh_timers *timers);
/* Sets the persistent keepalive interval in seconds (0 turns it off and disarms it). */
void wh_timers_set_persistent_keepalive(struct wh_timers *timers, uint16_t interval, uint64_t now);

/* Handles every deadline at or before now, re-arming as the whitepaper says, and returns the actions. */
unsigned wh_timers_expire(struct wh_timers *timers, uint64_t now);
/* The earliest armed deadline, or 0 when none is armed. */
uint64_t wh_timers_next_deadline(const struct wh_timers *timers);

/* Events, named after the kernel's timers.c; now is CLOCK_MONOTONIC nanoseconds. */
void wh_timers_data_sent(struct wh_timers *timers, uint64_t now);
void wh_timers_data_received(struct wh_timers *timers, uint64_t now);
void wh_timers_any_authenticated_packet_sent(struct wh_timers *timers, uint64_t now);
void wh_timers_any_authenticated_packet_received(struct wh_timers *timers, uint64_t now);
void wh_timers_any_authenticated_packet_traversal(struct wh_timers *timers, uint64_t now);
/* An initiation went out; is_retry false resets the attempt count. */
void wh_timers_handshake_initiated(struct wh_timers *timers, uint64_t now, bool is_retry);
void wh_timers_handshake_complete(struct wh_timers *timers, uint64_t now);
void wh_timers_session_derived(struct wh_timers *timers, uint64_t now);

#endif
