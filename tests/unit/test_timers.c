/* Peer timers against a hand-moved clock: every rule of whitepaper section 6 as the kernel's timers.c applies it. */
#include <glib.h>
#include <string.h>

#include "noise/messages.h"
#include "noise/timers.h"
#include "support.h"

#define SEC(s) ((uint64_t)(s) * WH_NSEC_PER_SEC)
#define JITTER_MAX ((uint64_t)WH_REKEY_TIMEOUT_JITTER_MAX_MS * WH_NSEC_PER_MSEC)
#define START SEC(1000)

static void init_seeded(struct wh_timers *timers, struct seeded_rng *seeded, uint64_t seed)
{
	wh_timers_init(timers, seeded_rng_init(seeded, seed));
}

static void assert_within(uint64_t value, uint64_t low, uint64_t high)
{
	g_assert_cmpuint(value, >=, low);
	g_assert_cmpuint(value, <=, high);
}

static void test_init_arms_nothing(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 1);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, UINT64_MAX), ==, 0);
	g_assert_cmpuint(timers.handshake_attempts, ==, 0);
	g_assert_false(timers.need_another_keepalive);
}

static void test_retransmit_after_rekey_timeout_and_jitter(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t now = START, deadline;

	init_seeded(&timers, &seeded, 2);
	for (int i = 0; i < 200; i++) {
		wh_timers_handshake_initiated(&timers, now, false);
		deadline = timers.retransmit_handshake;
		assert_within(deadline, now + SEC(WH_REKEY_TIMEOUT), now + SEC(WH_REKEY_TIMEOUT) + JITTER_MAX);
		g_assert_cmpuint(wh_timers_expire(&timers, deadline - 1), ==, 0);
		g_assert_cmpuint(wh_timers_expire(&timers, deadline), ==, WH_TIMER_RETRY_HANDSHAKE);
		g_assert_cmpuint(timers.handshake_attempts, ==, 1);
		g_assert_cmpuint(timers.retransmit_handshake, ==, 0);
		now = deadline + SEC(1);
	}
}

/* A peer that answers every RETRY with a new initiation and never hears back; returns the give-up time. */
static uint64_t retry_until_give_up(struct wh_timers *timers, uint64_t now, unsigned *retries)
{
	unsigned actions;

	*retries = 0;
	wh_timers_handshake_initiated(timers, now, false);
	/* Bounded, so that a timer that never gives up fails the test instead of hanging it. */
	for (int step = 0; step < 2 * WH_MAX_TIMER_HANDSHAKES; step++) {
		/* Data arriving before the last retransmit: giving up must cancel its keepalive. */
		if (timers->handshake_attempts == WH_MAX_TIMER_HANDSHAKES + 1)
			wh_timers_data_received(timers, now);
		now = timers->retransmit_handshake;
		g_assert_cmpuint(now, !=, 0);
		actions = wh_timers_expire(timers, now);
		if (actions & WH_TIMER_GIVE_UP_HANDSHAKE) {
			g_assert_cmpuint(actions, ==, WH_TIMER_GIVE_UP_HANDSHAKE);
			return now;
		}
		g_assert_cmpuint(actions, ==, WH_TIMER_RETRY_HANDSHAKE);
		++*retries;
		wh_timers_handshake_initiated(timers, now, true);
	}
	g_assert_not_reached();
	return 0;
}

static void test_retries_then_give_up(void)
{
	/* Every one of the MAX + 2 initiations waits REKEY_TIMEOUT plus under JITTER_MAX before the next step. */
	const uint64_t initiations = WH_MAX_TIMER_HANDSHAKES + 2;
	struct seeded_rng seeded;
	struct wh_timers timers;
	unsigned retries;
	uint64_t give_up;

	init_seeded(&timers, &seeded, 3);
	give_up = retry_until_give_up(&timers, START, &retries);
	g_assert_cmpuint(retries, ==, WH_MAX_TIMER_HANDSHAKES + 1);
	g_assert_cmpuint(timers.handshake_attempts, ==, WH_MAX_TIMER_HANDSHAKES + 1);
	assert_within(give_up - START, initiations * SEC(WH_REKEY_TIMEOUT),
		      initiations * (SEC(WH_REKEY_TIMEOUT) + JITTER_MAX));
	g_assert_cmpuint(timers.retransmit_handshake, ==, 0);
	g_assert_cmpuint(timers.send_keepalive, ==, 0);
	g_assert_cmpuint(timers.zero_key_material, ==, give_up + SEC(3 * WH_REJECT_AFTER_TIME));
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, timers.zero_key_material);
	g_assert_cmpuint(wh_timers_expire(&timers, give_up + SEC(3 * WH_REJECT_AFTER_TIME) - 1), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, give_up + SEC(3 * WH_REJECT_AFTER_TIME)), ==, WH_TIMER_ZERO_KEYS);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
}

static void test_give_up_keeps_earlier_zero_keys(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	unsigned retries;

	init_seeded(&timers, &seeded, 4);
	wh_timers_session_derived(&timers, START);
	retry_until_give_up(&timers, START, &retries);
	g_assert_cmpuint(timers.zero_key_material, ==, START + SEC(3 * WH_REJECT_AFTER_TIME));
}

static void test_handshake_complete_and_fresh_initiation_reset(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t now = START;

	init_seeded(&timers, &seeded, 5);
	wh_timers_handshake_initiated(&timers, now, false);
	for (int i = 0; i < 3; i++) {
		now = timers.retransmit_handshake;
		g_assert_cmpuint(wh_timers_expire(&timers, now), ==, WH_TIMER_RETRY_HANDSHAKE);
		wh_timers_handshake_initiated(&timers, now, true);
	}
	g_assert_cmpuint(timers.handshake_attempts, ==, 3);
	wh_timers_handshake_complete(&timers, now + SEC(1));
	g_assert_cmpuint(timers.handshake_attempts, ==, 0);
	g_assert_cmpuint(timers.retransmit_handshake, ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, now + SEC(100)), ==, 0);

	/* A retry keeps counting; a fresh initiation (new handshake, not a retransmit) starts from zero. */
	wh_timers_handshake_initiated(&timers, now + SEC(100), false);
	now = timers.retransmit_handshake;
	g_assert_cmpuint(wh_timers_expire(&timers, now), ==, WH_TIMER_RETRY_HANDSHAKE);
	wh_timers_handshake_initiated(&timers, now, true);
	g_assert_cmpuint(timers.handshake_attempts, ==, 1);
	wh_timers_handshake_initiated(&timers, now, false);
	g_assert_cmpuint(timers.handshake_attempts, ==, 0);
}

static void test_keepalive_after_data_received(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 6);
	wh_timers_data_received(&timers, START);
	g_assert_cmpuint(timers.send_keepalive, ==, START + SEC(WH_KEEPALIVE_TIMEOUT));
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(WH_KEEPALIVE_TIMEOUT) - 1), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(WH_KEEPALIVE_TIMEOUT)), ==, WH_TIMER_SEND_KEEPALIVE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
}

static void test_no_keepalive_when_something_was_sent(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 7);
	wh_timers_data_received(&timers, START);
	wh_timers_any_authenticated_packet_sent(&timers, START + SEC(3));
	g_assert_cmpuint(timers.send_keepalive, ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(60)), ==, 0);

	/* The next packet received starts a fresh wait, not a "need another". */
	wh_timers_data_received(&timers, START + SEC(61));
	g_assert_false(timers.need_another_keepalive);
	g_assert_cmpuint(timers.send_keepalive, ==, START + SEC(61 + WH_KEEPALIVE_TIMEOUT));
}

static void test_need_another_keepalive(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	const uint64_t first = START + SEC(WH_KEEPALIVE_TIMEOUT);

	init_seeded(&timers, &seeded, 8);
	wh_timers_data_received(&timers, START);
	wh_timers_data_received(&timers, START + SEC(4));
	g_assert_true(timers.need_another_keepalive);
	g_assert_cmpuint(timers.send_keepalive, ==, first);

	g_assert_cmpuint(wh_timers_expire(&timers, first), ==, WH_TIMER_SEND_KEEPALIVE);
	g_assert_false(timers.need_another_keepalive);
	g_assert_cmpuint(timers.send_keepalive, ==, first + SEC(WH_KEEPALIVE_TIMEOUT));

	g_assert_cmpuint(wh_timers_expire(&timers, first + SEC(WH_KEEPALIVE_TIMEOUT)), ==, WH_TIMER_SEND_KEEPALIVE);
	g_assert_cmpuint(timers.send_keepalive, ==, 0);
}

static void test_new_handshake_after_unanswered_data(void)
{
	const uint64_t wait = SEC(WH_KEEPALIVE_TIMEOUT + WH_REKEY_TIMEOUT);
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t deadline;

	init_seeded(&timers, &seeded, 9);
	wh_timers_data_sent(&timers, START);
	deadline = timers.new_handshake;
	assert_within(deadline, START + wait, START + wait + JITTER_MAX);
	/* More data does not postpone it: the wait counts from the first unanswered packet. */
	wh_timers_data_sent(&timers, START + SEC(2));
	g_assert_cmpuint(timers.new_handshake, ==, deadline);
	g_assert_cmpuint(wh_timers_expire(&timers, deadline - 1), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, deadline), ==, WH_TIMER_NEW_HANDSHAKE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
}

static void test_no_new_handshake_when_answered(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 10);
	wh_timers_data_sent(&timers, START);
	wh_timers_any_authenticated_packet_received(&timers, START + SEC(1));
	g_assert_cmpuint(timers.new_handshake, ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(60)), ==, 0);
}

static void test_session_derived_rearms_zero_keys(void)
{
	const uint64_t wipe_after = SEC(3 * WH_REJECT_AFTER_TIME);
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 11);
	wh_timers_session_derived(&timers, START);
	g_assert_cmpuint(timers.zero_key_material, ==, START + wipe_after);
	wh_timers_session_derived(&timers, START + SEC(100));
	g_assert_cmpuint(timers.zero_key_material, ==, START + SEC(100) + wipe_after);
	g_assert_cmpuint(wh_timers_expire(&timers, START + wipe_after), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(100) + wipe_after), ==, WH_TIMER_ZERO_KEYS);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
}

static void test_persistent_keepalive_cadence(void)
{
	const uint16_t interval = 25;
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t now = START;

	init_seeded(&timers, &seeded, 12);
	wh_timers_set_persistent_keepalive(&timers, interval, now);
	/* Quiet link: each keepalive sent is itself a traversal and sets up the next one. */
	for (int i = 1; i <= 10; i++) {
		g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(i * interval));
		g_assert_cmpuint(wh_timers_expire(&timers, now + SEC(interval) - 1), ==, 0);
		now += SEC(interval);
		g_assert_cmpuint(wh_timers_expire(&timers, now), ==, WH_TIMER_PERSISTENT_KEEPALIVE);
		g_assert_cmpuint(timers.persistent_keepalive, ==, 0);
		wh_timers_any_authenticated_packet_traversal(&timers, now);
	}
	/* Busy link: traffic every 10 s keeps pushing it back, so it never fires. */
	for (int i = 0; i < 10; i++) {
		now += SEC(10);
		g_assert_cmpuint(wh_timers_expire(&timers, now), ==, 0);
		wh_timers_any_authenticated_packet_traversal(&timers, now);
		g_assert_cmpuint(timers.persistent_keepalive, ==, now + SEC(interval));
	}
	g_assert_cmpuint(wh_timers_expire(&timers, now + SEC(interval)), ==, WH_TIMER_PERSISTENT_KEEPALIVE);
}

static void test_persistent_keepalive_off(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 13);
	wh_timers_any_authenticated_packet_traversal(&timers, START);
	g_assert_cmpuint(timers.persistent_keepalive, ==, 0);

	wh_timers_set_persistent_keepalive(&timers, 25, START);
	g_assert_cmpuint(timers.persistent_keepalive, ==, START + SEC(25));
	wh_timers_set_persistent_keepalive(&timers, 0, START + SEC(1));
	g_assert_cmpuint(timers.persistent_keepalive, ==, 0);
	wh_timers_any_authenticated_packet_traversal(&timers, START + SEC(2));
	g_assert_cmpuint(timers.persistent_keepalive, ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(1000)), ==, 0);
}

static void test_expire_handles_many_deadlines_at_once(void)
{
	const uint64_t late = START + SEC(10000);
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 14);
	wh_timers_set_persistent_keepalive(&timers, 25, START);
	wh_timers_handshake_initiated(&timers, START, false);
	wh_timers_session_derived(&timers, START);
	wh_timers_data_sent(&timers, START);
	wh_timers_data_received(&timers, START);
	wh_timers_data_received(&timers, START + SEC(1));

	g_assert_cmpuint(wh_timers_expire(&timers, late), ==,
			 WH_TIMER_RETRY_HANDSHAKE | WH_TIMER_SEND_KEEPALIVE | WH_TIMER_NEW_HANDSHAKE |
				 WH_TIMER_ZERO_KEYS | WH_TIMER_PERSISTENT_KEEPALIVE);
	/* Only the second keepalive is left, counted from when expire ran, not from the missed deadline. */
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, late + SEC(WH_KEEPALIVE_TIMEOUT));
	g_assert_cmpuint(timers.retransmit_handshake | timers.new_handshake | timers.zero_key_material |
				 timers.persistent_keepalive,
			 ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, late), ==, 0);
}

static void test_give_up_cancels_keepalive_due_together(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t late;

	init_seeded(&timers, &seeded, 15);
	wh_timers_handshake_initiated(&timers, START, false);
	timers.handshake_attempts = WH_MAX_TIMER_HANDSHAKES + 1;
	wh_timers_data_received(&timers, START);
	late = START + SEC(100);
	g_assert_cmpuint(wh_timers_expire(&timers, late), ==, WH_TIMER_GIVE_UP_HANDSHAKE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, late + SEC(3 * WH_REJECT_AFTER_TIME));
}

static void test_next_deadline_is_earliest(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	uint64_t retransmit;

	init_seeded(&timers, &seeded, 16);
	wh_timers_session_derived(&timers, START);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(3 * WH_REJECT_AFTER_TIME));
	wh_timers_set_persistent_keepalive(&timers, 25, START);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(25));
	wh_timers_data_sent(&timers, START);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, timers.new_handshake);
	wh_timers_data_received(&timers, START);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(WH_KEEPALIVE_TIMEOUT));
	wh_timers_handshake_initiated(&timers, START, false);
	retransmit = timers.retransmit_handshake;
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, retransmit);

	/* Expiring the earliest exposes the next one, in order. */
	g_assert_cmpuint(wh_timers_expire(&timers, retransmit), ==, WH_TIMER_RETRY_HANDSHAKE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(WH_KEEPALIVE_TIMEOUT));
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(WH_KEEPALIVE_TIMEOUT)), ==, WH_TIMER_SEND_KEEPALIVE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, timers.new_handshake);
	g_assert_cmpuint(wh_timers_expire(&timers, timers.new_handshake), ==, WH_TIMER_NEW_HANDSHAKE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(25));
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(25)), ==, WH_TIMER_PERSISTENT_KEEPALIVE);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, START + SEC(3 * WH_REJECT_AFTER_TIME));
	g_assert_cmpuint(wh_timers_expire(&timers, START + SEC(3 * WH_REJECT_AFTER_TIME)), ==, WH_TIMER_ZERO_KEYS);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
}

static void test_stop_disarms_everything(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 17);
	wh_timers_set_persistent_keepalive(&timers, 25, START);
	wh_timers_handshake_initiated(&timers, START, false);
	wh_timers_session_derived(&timers, START);
	wh_timers_data_sent(&timers, START);
	wh_timers_data_received(&timers, START);
	wh_timers_stop(&timers);
	g_assert_cmpuint(wh_timers_next_deadline(&timers), ==, 0);
	g_assert_cmpuint(wh_timers_expire(&timers, UINT64_MAX), ==, 0);
}

static void collect_jitters(uint64_t seed, uint64_t jitters[], size_t count)
{
	struct seeded_rng seeded;
	struct wh_timers timers;
	const uint64_t now = START;

	init_seeded(&timers, &seeded, seed);
	for (size_t i = 0; i < count; i += 2) {
		wh_timers_handshake_initiated(&timers, now, false);
		jitters[i] = timers.retransmit_handshake - now - SEC(WH_REKEY_TIMEOUT);
		wh_timers_data_sent(&timers, now);
		jitters[i + 1] = timers.new_handshake - now - SEC(WH_KEEPALIVE_TIMEOUT + WH_REKEY_TIMEOUT);
		wh_timers_any_authenticated_packet_received(&timers, now);
	}
}

static void test_jitter_seeded_and_varying(void)
{
	uint64_t a[200], b[200], c[200], low = UINT64_MAX, high = 0;

	collect_jitters(42, a, G_N_ELEMENTS(a));
	collect_jitters(42, b, G_N_ELEMENTS(b));
	collect_jitters(43, c, G_N_ELEMENTS(c));
	g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
	g_assert_cmpint(memcmp(a, c, sizeof(a)), !=, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(a); i++) {
		g_assert_cmpuint(a[i], <, JITTER_MAX);
		low = MIN(low, a[i]);
		high = MAX(high, a[i]);
	}
	/* 200 uniform draws cover the range well; a stuck or narrow generator would not. */
	g_assert_cmpuint(low, <, JITTER_MAX / 10);
	g_assert_cmpuint(high, >, JITTER_MAX - JITTER_MAX / 10);
}

static void test_system_rng_jitter(void)
{
	struct wh_timers timers;

	wh_timers_init(&timers, NULL);
	for (int i = 0; i < 100; i++) {
		wh_timers_handshake_initiated(&timers, START, false);
		assert_within(timers.retransmit_handshake, START + SEC(WH_REKEY_TIMEOUT),
			      START + SEC(WH_REKEY_TIMEOUT) + JITTER_MAX);
	}
}

static void test_deadline_never_zero(void)
{
	struct seeded_rng seeded;
	struct wh_timers timers;

	init_seeded(&timers, &seeded, 18);
	wh_timers_data_received(&timers, 0);
	g_assert_cmpuint(timers.send_keepalive, ==, SEC(WH_KEEPALIVE_TIMEOUT));

	/* Near the end of the clock a deadline saturates instead of wrapping to "disarmed" or the past. */
	wh_timers_handshake_initiated(&timers, UINT64_MAX - SEC(1), false);
	wh_timers_session_derived(&timers, UINT64_MAX - SEC(1));
	wh_timers_set_persistent_keepalive(&timers, 25, UINT64_MAX);
	g_assert_cmpuint(timers.retransmit_handshake, ==, UINT64_MAX);
	g_assert_cmpuint(timers.zero_key_material, ==, UINT64_MAX);
	g_assert_cmpuint(timers.persistent_keepalive, ==, UINT64_MAX);
	g_assert_cmpuint(wh_timers_expire(&timers, UINT64_MAX - 1), ==, WH_TIMER_SEND_KEEPALIVE);
	g_assert_cmpuint(wh_timers_expire(&timers, UINT64_MAX), ==,
			 WH_TIMER_RETRY_HANDSHAKE | WH_TIMER_ZERO_KEYS | WH_TIMER_PERSISTENT_KEEPALIVE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/timers/init-arms-nothing", test_init_arms_nothing);
	g_test_add_func("/timers/retransmit-after-rekey-timeout-and-jitter",
			test_retransmit_after_rekey_timeout_and_jitter);
	g_test_add_func("/timers/retries-then-give-up", test_retries_then_give_up);
	g_test_add_func("/timers/give-up-keeps-earlier-zero-keys", test_give_up_keeps_earlier_zero_keys);
	g_test_add_func("/timers/handshake-complete-and-fresh-initiation-reset",
			test_handshake_complete_and_fresh_initiation_reset);
	g_test_add_func("/timers/keepalive-after-data-received", test_keepalive_after_data_received);
	g_test_add_func("/timers/no-keepalive-when-something-was-sent", test_no_keepalive_when_something_was_sent);
	g_test_add_func("/timers/need-another-keepalive", test_need_another_keepalive);
	g_test_add_func("/timers/new-handshake-after-unanswered-data", test_new_handshake_after_unanswered_data);
	g_test_add_func("/timers/no-new-handshake-when-answered", test_no_new_handshake_when_answered);
	g_test_add_func("/timers/session-derived-rearms-zero-keys", test_session_derived_rearms_zero_keys);
	g_test_add_func("/timers/persistent-keepalive-cadence", test_persistent_keepalive_cadence);
	g_test_add_func("/timers/persistent-keepalive-off", test_persistent_keepalive_off);
	g_test_add_func("/timers/expire-handles-many-deadlines-at-once", test_expire_handles_many_deadlines_at_once);
	g_test_add_func("/timers/give-up-cancels-keepalive-due-together", test_give_up_cancels_keepalive_due_together);
	g_test_add_func("/timers/next-deadline-is-earliest", test_next_deadline_is_earliest);
	g_test_add_func("/timers/stop-disarms-everything", test_stop_disarms_everything);
	g_test_add_func("/timers/jitter-seeded-and-varying", test_jitter_seeded_and_varying);
	g_test_add_func("/timers/system-rng-jitter", test_system_rng_jitter);
	g_test_add_func("/timers/deadline-never-zero", test_deadline_never_zero);
	return g_test_run();
}
