/* The receive counter's sliding replay window (RFC 6479). */
#include "noise/replay.h"

#include <string.h>

void wh_replay_window_init(struct wh_replay_window *window)
{
	memset(window, 0, sizeof(*window));
}

bool wh_replay_window_check(struct wh_replay_window *window, uint64_t counter, uint64_t limit)
{
	uint64_t position, word, current_word, words_to_clear, bit;

	if (counter >= limit)
		return false;
	/* Shift by one so that greatest == 0 can mean "nothing received yet". */
	position = counter + 1;
	if (position + WH_REPLAY_WINDOW_SIZE < window->greatest)
		return false;

	word = position / WH_REPLAY_WORD_BITS;
	if (position > window->greatest) {
		current_word = window->greatest / WH_REPLAY_WORD_BITS;
		words_to_clear = word - current_word;
		if (words_to_clear > WH_REPLAY_WORDS)
			words_to_clear = WH_REPLAY_WORDS;
		for (uint64_t i = 1; i <= words_to_clear; i++)
			window->bitmap[(current_word + i) % WH_REPLAY_WORDS] = 0;
		window->greatest = position;
	}

	bit = UINT64_C(1) << (position % WH_REPLAY_WORD_BITS);
	word %= WH_REPLAY_WORDS;
	if (window->bitmap[word] & bit)
		return false;
	window->bitmap[word] |= bit;
	return true;
}
