/* Replay window: its exact boundaries, the ring's clearing on jumps, the limit, and a random cross-check
 * against a naive model that remembers every counter it ever accepted. */
#include <glib.h>
#include <string.h>

#include "noise/messages.h"
#include "noise/replay.h"

/* replay.c works on position = counter + 1 against greatest = highest accepted + 1 and refuses when
 * position + WINDOW_SIZE < greatest, that is counter + WINDOW_SIZE < highest. So with highest h the
 * oldest counter still accepted is h - WINDOW_SIZE and h - WINDOW_SIZE - 1 is too old. */
#define WINDOW ((uint64_t)WH_REPLAY_WINDOW_SIZE)
#define LIMIT WH_REJECT_AFTER_MESSAGES

static bool check(struct wh_replay_window *window, uint64_t counter)
{
	return wh_replay_window_check(window, counter, LIMIT);
}

static void test_window_size(void)
{
	g_assert_cmpuint(WH_REPLAY_BITS_TOTAL, ==, 2048);
	g_assert_cmpuint(WH_REPLAY_WINDOW_SIZE, ==, 1984);
	g_assert_cmpuint(sizeof(((struct wh_replay_window *)NULL)->bitmap) * 8, ==, WH_REPLAY_BITS_TOTAL);
}

static void test_init_is_empty(void)
{
	struct wh_replay_window window;

	memset(&window, 0xa5, sizeof(window));
	wh_replay_window_init(&window);
	g_assert_cmpuint(window.greatest, ==, 0);
	for (unsigned i = 0; i < WH_REPLAY_WORDS; i++)
		g_assert_cmpuint(window.bitmap[i], ==, 0);
}

static void test_in_order_accepted_once(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	for (uint64_t counter = 0; counter < 10000; counter++) {
		g_assert_true(check(&window, counter));
		g_assert_false(check(&window, counter));
		g_assert_cmpuint(window.greatest, ==, counter + 1);
	}
	/* Everything still inside the window stays refused. */
	for (uint64_t counter = 10000 - WINDOW - 1; counter < 10000; counter++)
		g_assert_false(check(&window, counter));
}

static void test_counter_zero_first(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	g_assert_true(check(&window, 0));
	g_assert_cmpuint(window.greatest, ==, 1);
	g_assert_false(check(&window, 0));
	g_assert_true(check(&window, 1));
	g_assert_false(check(&window, 0));
	g_assert_false(check(&window, 1));
}

static void test_counter_zero_after_later_ones(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	g_assert_true(check(&window, 1));
	g_assert_true(check(&window, 0));
	g_assert_false(check(&window, 0));

	/* A first counter far ahead makes 0 too old at once. */
	wh_replay_window_init(&window);
	g_assert_true(check(&window, 5000));
	g_assert_false(check(&window, 0));
	g_assert_false(check(&window, 5000 - WINDOW - 1));
	g_assert_true(check(&window, 5000 - WINDOW));
}

static void test_duplicates_rejected(void)
{
	static const uint64_t counters[] = {7, 3, 100, 64, 63, 65, 128, 1000, 999, 2047, 2048};
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	for (size_t i = 0; i < G_N_ELEMENTS(counters); i++)
		g_assert_true(check(&window, counters[i]));
	for (size_t round = 0; round < 3; round++)
		for (size_t i = 0; i < G_N_ELEMENTS(counters); i++)
			g_assert_false(check(&window, counters[i]));
}

static void test_out_of_order_within_window(void)
{
	struct wh_replay_window window;
	const uint64_t highest = 3000;

	wh_replay_window_init(&window);
	g_assert_true(check(&window, highest));
	/* Descending through the whole window: each one once, and they never move greatest. */
	for (uint64_t counter = highest - 1; counter >= highest - WINDOW; counter--) {
		g_assert_true(check(&window, counter));
		g_assert_false(check(&window, counter));
		g_assert_cmpuint(window.greatest, ==, highest + 1);
	}
	g_assert_false(check(&window, highest - WINDOW - 1));
	/* Interleaved odd/even arrival ahead of highest. */
	for (uint64_t counter = highest + 2; counter < highest + 400; counter += 2)
		g_assert_true(check(&window, counter));
	for (uint64_t counter = highest + 1; counter < highest + 400; counter += 2)
		g_assert_true(check(&window, counter));
	for (uint64_t counter = highest + 1; counter < highest + 400; counter++)
		g_assert_false(check(&window, counter));
}

/* Both sides of the edge, for highest counters on and around word and window boundaries. */
static void test_window_edge(void)
{
	static const uint64_t highests[] = {2048, 2049, 2111, 2112, 4095, 4096, 4097, 10000, 65536 + 63,
					    UINT64_C(1) << 40};
	struct wh_replay_window window;

	for (size_t i = 0; i < G_N_ELEMENTS(highests); i++) {
		uint64_t highest = highests[i];

		wh_replay_window_init(&window);
		g_assert_true(check(&window, highest));
		g_assert_false(check(&window, highest - WINDOW - 1));
		g_assert_false(check(&window, highest - WINDOW - 2));
		g_assert_false(check(&window, highest - 2047));
		g_assert_false(check(&window, highest - 2048));
		g_assert_true(check(&window, highest - WINDOW));
		g_assert_false(check(&window, highest - WINDOW));
		g_assert_true(check(&window, highest - WINDOW + 1));

		/* One step forward pushes the edge by one: the old edge's neighbour now falls out. */
		wh_replay_window_init(&window);
		g_assert_true(check(&window, highest));
		g_assert_true(check(&window, highest + 1));
		g_assert_false(check(&window, highest - WINDOW));
		g_assert_true(check(&window, highest + 1 - WINDOW));
	}
}

/* While highest is at most WINDOW_SIZE every counter below it is still inside the window. */
static void test_early_counters(void)
{
	static const uint64_t highests[] = {0, 1, 63, 64, 65, 1000, 1983, 1984, 1985, 1986};
	struct wh_replay_window window;

	for (size_t i = 0; i < G_N_ELEMENTS(highests); i++) {
		uint64_t highest = highests[i];

		wh_replay_window_init(&window);
		g_assert_true(check(&window, highest));
		for (uint64_t counter = 0; counter < highest; counter++) {
			bool in_window = counter + WINDOW >= highest;

			g_assert_cmpint(check(&window, counter), ==, in_window);
		}
	}
}

static void test_rejections_leave_state_alone(void)
{
	struct wh_replay_window window, before;

	wh_replay_window_init(&window);
	g_assert_true(check(&window, 5000));
	g_assert_true(check(&window, 4000));
	before = window;
	g_assert_false(check(&window, 5000));		 /* duplicate */
	g_assert_false(check(&window, 4000));		 /* duplicate */
	g_assert_false(check(&window, 5000 - WINDOW - 1)); /* too old */
	g_assert_false(wh_replay_window_check(&window, 9000, 9000));
	g_assert_false(wh_replay_window_check(&window, UINT64_MAX, LIMIT));
	g_assert_cmpmem(&window, sizeof(window), &before, sizeof(before));
}

/* Fills counters [0, fill) and jumps to jump_to; then every counter of the sweep must answer as the
 * model says: accepted when never seen and inside the new window, refused otherwise. */
static void assert_jump(uint64_t fill, uint64_t jump_to)
{
	struct wh_replay_window window;
	uint64_t low = jump_to > 2100 ? jump_to - 2100 : 0;

	wh_replay_window_init(&window);
	for (uint64_t counter = 0; counter < fill; counter++)
		g_assert_true(check(&window, counter));
	g_assert_true(check(&window, jump_to));
	for (uint64_t counter = low; counter < jump_to; counter++) {
		bool seen = counter < fill;
		bool too_old = counter + WINDOW < jump_to;

		g_assert_cmpint(check(&window, counter), ==, !seen && !too_old);
	}
	for (uint64_t counter = low; counter <= jump_to; counter++)
		g_assert_false(check(&window, counter));
	/* And the ring keeps working past the jump. */
	for (uint64_t counter = jump_to + 1; counter < jump_to + 3 * WH_REPLAY_BITS_TOTAL; counter++)
		g_assert_true(check(&window, counter));
}

static void test_jumps(void)
{
	static const uint64_t distances[] = {1, 63, 64, 65, 1983, 1984, 1985, 2047, 2048, 2049, 2111, 2112, 4096,
					     4097, 100000, UINT64_C(1) << 40};
	static const uint64_t fills[] = {1, 64, 100, 1999, 2048, 2049, 5000};

	for (size_t f = 0; f < G_N_ELEMENTS(fills); f++)
		for (size_t d = 0; d < G_N_ELEMENTS(distances); d++)
			assert_jump(fills[f], fills[f] - 1 + distances[d]);
}

static void test_jump_forgets_old_counters(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	for (uint64_t counter = 0; counter < 100; counter++)
		g_assert_true(check(&window, counter));
	g_assert_true(check(&window, 99 + 2049));
	/* Seen before the jump and now too old: refused though its bit was cleared. */
	for (uint64_t counter = 0; counter < 100; counter++)
		g_assert_false(check(&window, counter));
	/* Never seen and within the new window: accepted once. */
	g_assert_true(check(&window, 99 + 2049 - WINDOW));
	g_assert_true(check(&window, 2000));
	g_assert_false(check(&window, 2000));
}

static void test_limit(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	g_assert_false(check(&window, LIMIT));
	g_assert_false(check(&window, LIMIT + 1));
	g_assert_false(check(&window, UINT64_MAX));
	g_assert_cmpuint(window.greatest, ==, 0);
	g_assert_true(check(&window, LIMIT - 1));
	g_assert_false(check(&window, LIMIT - 1));
	g_assert_true(check(&window, LIMIT - 1 - WINDOW));
	g_assert_false(check(&window, LIMIT - 2 - WINDOW));
	g_assert_true(check(&window, LIMIT - 2));
}

static void test_small_limit(void)
{
	struct wh_replay_window window;

	wh_replay_window_init(&window);
	g_assert_false(wh_replay_window_check(&window, 0, 0));
	g_assert_true(wh_replay_window_check(&window, 0, 1));
	g_assert_false(wh_replay_window_check(&window, 1, 1));

	wh_replay_window_init(&window);
	for (uint64_t counter = 0; counter < 100; counter++)
		g_assert_true(wh_replay_window_check(&window, counter, 100));
	g_assert_false(wh_replay_window_check(&window, 100, 100));
	g_assert_false(wh_replay_window_check(&window, 101, 100));

	/* A refused counter beyond the limit must not drag the window along. */
	wh_replay_window_init(&window);
	g_assert_true(wh_replay_window_check(&window, 3000, UINT64_C(1) << 30));
	g_assert_false(wh_replay_window_check(&window, UINT64_C(1) << 40, UINT64_C(1) << 30));
	g_assert_true(wh_replay_window_check(&window, 3000 - WINDOW, UINT64_C(1) << 30));
}

/* The naive model: every accepted counter in a set, and the highest one. A counter is accepted when it
 * is below the limit, not older than highest - WINDOW_SIZE (see the top of the file) and not in the set.
 * The ring must agree exactly: its 32 words always cover the whole window, so no bit inside the window
 * may be lost or left over from an earlier lap. */
struct model {
	GHashTable *seen;
	uint64_t highest;
	bool any;
	uint64_t limit;
	uint64_t start; /* where the run's first counters land */
};

enum verdict {
	ACCEPTED,
	REFUSED_LIMIT,
	REFUSED_TOO_OLD,
	REFUSED_DUPLICATE,
	VERDICTS,
};

static void model_reset(struct model *model, uint64_t limit, uint64_t start)
{
	g_hash_table_remove_all(model->seen);
	model->highest = 0;
	model->any = false;
	model->limit = limit;
	model->start = start;
}

static enum verdict model_check(struct model *model, uint64_t counter)
{
	uint64_t *key;

	if (counter >= model->limit)
		return REFUSED_LIMIT;
	if (model->any && counter < model->highest && model->highest - counter > WINDOW)
		return REFUSED_TOO_OLD;
	if (g_hash_table_contains(model->seen, &counter))
		return REFUSED_DUPLICATE;
	key = g_new(uint64_t, 1);
	*key = counter;
	g_hash_table_add(model->seen, key);
	if (!model->any || counter > model->highest)
		model->highest = counter;
	model->any = true;
	return ACCEPTED;
}

static uint64_t rand_u64(GRand *rand)
{
	return (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
}

static uint64_t below(uint64_t value, uint64_t distance)
{
	return value > distance ? value - distance : 0;
}

/* Picks the next counter: mostly in order, with reorders, edge probes, replays and jumps. */
static uint64_t next_counter(GRand *rand, const struct model *model, const uint64_t recent[64])
{
	uint64_t highest = model->highest;
	int dice = g_rand_int_range(rand, 0, 1000);

	if (!model->any)
		return model->start + (uint64_t)g_rand_int_range(rand, 0, 3);
	if (dice < 400)
		return highest + 1;
	if (dice < 550)
		return highest + (uint64_t)g_rand_int_range(rand, 1, 70);
	if (dice < 750)
		return below(highest, (uint64_t)g_rand_int_range(rand, 0, 2100));
	if (dice < 830)
		return below(highest, WINDOW + 2) + (uint64_t)g_rand_int_range(rand, 0, 5);
	if (dice < 900)
		return recent[g_rand_int_range(rand, 0, 64)];
	if (dice < 970)
		return highest + (uint64_t)g_rand_int_range(rand, 64, 5000);
	if (dice < 975)
		return highest + (uint64_t)g_rand_int_range(rand, 2048, 1 << 16);
	if (dice < 998)
		return below(highest, 3000) + (uint64_t)g_rand_int_range(rand, 0, 6000);
	return rand_u64(rand);
}

static void test_random_against_model(void)
{
	const unsigned operations = 240000, run_length = 24000;
	guint32 seed = g_test_rand_int();
	GRand *rand = g_rand_new_with_seed(seed);
	struct model model = {.seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL)};
	struct wh_replay_window window;
	uint64_t recent[64] = {0};
	unsigned long verdicts[VERDICTS] = {0};
	unsigned recent_next = 0;

	g_test_message("replay model seed %" G_GUINT32_FORMAT, seed);
	for (unsigned op = 0; op < operations; op++) {
		uint64_t counter;
		enum verdict expected;
		bool accepted;

		if (op % run_length == 0) {
			/* Runs from 0 under the real limit, from 0 under a small limit they reach halfway, and
			 * from just below the real limit, which they reach too. */
			unsigned kind = op / run_length % 3;
			uint64_t reach = 2000000 + (uint64_t)g_rand_int_range(rand, 0, 2000000);

			wh_replay_window_init(&window);
			if (kind == 0)
				model_reset(&model, LIMIT, 0);
			else if (kind == 1)
				model_reset(&model, reach, 0);
			else
				model_reset(&model, LIMIT, LIMIT - reach);
			memset(recent, 0, sizeof(recent));
		}
		counter = next_counter(rand, &model, recent);
		expected = model_check(&model, counter);
		accepted = wh_replay_window_check(&window, counter, model.limit);
		if (accepted != (expected == ACCEPTED))
			g_error("op %u: counter %" G_GUINT64_FORMAT " (highest %" G_GUINT64_FORMAT
				", limit %" G_GUINT64_FORMAT "): window %s, model verdict %d",
				op, counter, model.highest, model.limit, accepted ? "accepted" : "refused", expected);
		if (accepted) {
			recent[recent_next++ % 64] = counter;
			g_assert_cmpuint(window.greatest, ==, model.highest + 1);
		}
		verdicts[expected]++;
	}
	g_test_message("accepted %lu, over limit %lu, too old %lu, duplicates %lu", verdicts[ACCEPTED],
		       verdicts[REFUSED_LIMIT], verdicts[REFUSED_TOO_OLD], verdicts[REFUSED_DUPLICATE]);
	/* The run must have exercised every rule, or it proves little. */
	for (int verdict = 0; verdict < VERDICTS; verdict++)
		g_assert_cmpuint(verdicts[verdict], >, 1000);
	g_hash_table_unref(model.seen);
	g_rand_free(rand);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/replay/window-size", test_window_size);
	g_test_add_func("/replay/init-is-empty", test_init_is_empty);
	g_test_add_func("/replay/in-order-accepted-once", test_in_order_accepted_once);
	g_test_add_func("/replay/counter-zero-first", test_counter_zero_first);
	g_test_add_func("/replay/counter-zero-after-later-ones", test_counter_zero_after_later_ones);
	g_test_add_func("/replay/duplicates-rejected", test_duplicates_rejected);
	g_test_add_func("/replay/out-of-order-within-window", test_out_of_order_within_window);
	g_test_add_func("/replay/window-edge", test_window_edge);
	g_test_add_func("/replay/early-counters", test_early_counters);
	g_test_add_func("/replay/rejections-leave-state-alone", test_rejections_leave_state_alone);
	g_test_add_func("/replay/jumps", test_jumps);
	g_test_add_func("/replay/jump-forgets-old-counters", test_jump_forgets_old_counters);
	g_test_add_func("/replay/limit", test_limit);
	g_test_add_func("/replay/small-limit", test_small_limit);
	g_test_add_func("/replay/random-against-model", test_random_against_model);
	return g_test_run();
}
