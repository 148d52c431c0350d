/* The receive counter's sliding replay window (RFC 6479), 2048 bits kept as a ring of 64-bit words. */
#ifndef WH_NOISE_REPLAY_H
#define WH_NOISE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum wh_replay_window_limits {
	WH_REPLAY_BITS_TOTAL = 2048,
	WH_REPLAY_WORD_BITS = 64,
	WH_REPLAY_WORDS = WH_REPLAY_BITS_TOTAL / WH_REPLAY_WORD_BITS,
	/* One word of the ring is always being cleared, so the usable window is one word short. */
	WH_REPLAY_WINDOW_SIZE = WH_REPLAY_BITS_TOTAL - WH_REPLAY_WORD_BITS,
};

struct wh_replay_window {
	uint64_t greatest; /* highest counter accepted, plus one; 0 before the first */
	uint64_t bitmap[WH_REPLAY_WORDS];
};

void wh_replay_window_init(struct wh_replay_window *window);

/* Accepts counter exactly once: false when it is at or beyond limit (REJECT_AFTER_MESSAGES), older than
 * the window allows, or already seen. Call only for packets whose authentication tag verified. */
bool wh_replay_window_check(struct wh_replay_window *window, uint64_t counter, uint64_t limit);

#endif
