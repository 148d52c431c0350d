/* The threaded device: two devices joined by an in-test wire (bind ports) with host-side TUN queues,
 * under the system clock. Handshake, bulk data both ways with order and integrity, many peers, peer
 * removal under traffic, clean shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "support.h"
#include "wirehop/port.h"
#include "wirehop/tunnel.h"

/* A blocking queue of byte strings with an endpoint: the simplest port that works across threads. */
struct wire_queue {
	GMutex lock;
	GCond cond;
	GQueue items; /* struct wire_item * */
	bool closed;
	unsigned max;
	unsigned dropped;
};

struct wire_item {
	struct wh_endpoint endpoint;
	size_t len;
	uint8_t data[];
};

static void wire_queue_init(struct wire_queue *queue, unsigned max)
{
	g_mutex_init(&queue->lock);
	g_cond_init(&queue->cond);
	g_queue_init(&queue->items);
	queue->closed = false;
	queue->max = max;
	queue->dropped = 0;
}

static void wire_queue_clear(struct wire_queue *queue)
{
	g_queue_clear_full(&queue->items, g_free);
	g_mutex_clear(&queue->lock);
	g_cond_clear(&queue->cond);
}

static void wire_queue_put(struct wire_queue *queue, const struct wh_endpoint *endpoint, const uint8_t *data,
			   size_t len)
{
	struct wire_item *item = g_malloc(sizeof(*item) + len);

	if (endpoint)
		item->endpoint = *endpoint;
	else
		memset(&item->endpoint, 0, sizeof(item->endpoint));
	item->len = len;
	memcpy(item->data, data, len);
	g_mutex_lock(&queue->lock);
	if (g_queue_get_length(&queue->items) >= queue->max) {
		queue->dropped++;
		g_free(item);
	} else {
		g_queue_push_tail(&queue->items, item);
		g_cond_signal(&queue->cond);
	}
	g_mutex_unlock(&queue->lock);
}

/* Fills up to count packets, blocking for the first; 0 once closed. */
static int wire_queue_read(struct wire_queue *queue, struct wh_packet **packets, unsigned count)
{
	unsigned got = 0;

	g_mutex_lock(&queue->lock);
	while (g_queue_is_empty(&queue->items) && !queue->closed)
		g_cond_wait(&queue->cond, &queue->lock);
	while (got < count && !queue->closed && !g_queue_is_empty(&queue->items)) {
		struct wire_item *item = g_queue_pop_head(&queue->items);

		if (item->len <= packets[got]->capacity) {
			memcpy(packets[got]->data, item->data, item->len);
			packets[got]->len = (uint32_t)item->len;
			packets[got]->endpoint = item->endpoint;
			got++;
		}
		g_free(item);
	}
	g_mutex_unlock(&queue->lock);
	return (int)got;
}

/* Waits up to timeout_ms for an item; NULL on timeout. */
static struct wire_item *wire_queue_take(struct wire_queue *queue, unsigned timeout_ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	struct wire_item *item;

	g_mutex_lock(&queue->lock);
	while (g_queue_is_empty(&queue->items))
		if (!g_cond_wait_until(&queue->cond, &queue->lock, until))
			break;
	item = g_queue_pop_head(&queue->items);
	g_mutex_unlock(&queue->lock);
	return item;
}

static void wire_queue_close(struct wire_queue *queue)
{
	g_mutex_lock(&queue->lock);
	queue->closed = true;
	g_cond_broadcast(&queue->cond);
	g_mutex_unlock(&queue->lock);
}

struct node {
	struct wire_queue tun_in;   /* packets the "kernel" gives the device */
	struct wire_queue tun_out;  /* packets the device delivers */
	struct wire_queue bind_in;  /* datagrams arriving */
	struct wh_endpoint endpoint;
	struct node *other;
	struct wh_device *device;
	struct wh_peer *peer;
	uint8_t public_key[WH_KEY_SIZE];
	uint8_t tunnel_ip[4];
	GMutex last_sent_lock; /* the latest datagram this node put on the wire */
	uint8_t last_sent[2048];
	size_t last_sent_len;
};

static int tun_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	return wire_queue_read(&((struct node *)ctx)->tun_in, packets, count);
}

static int tun_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct node *node = ctx;

	for (unsigned i = 0; i < count; i++)
		wire_queue_put(&node->tun_out, NULL, packets[i]->data, packets[i]->len);
	return (int)count;
}

static unsigned tun_mtu(void *ctx)
{
	(void)ctx;
	return 1420;
}

static void tun_close(void *ctx)
{
	wire_queue_close(&((struct node *)ctx)->tun_in);
}

static const struct wh_tun_port_ops tun_ops = {tun_read, tun_write, tun_mtu, tun_close};

static int bind_open(void *ctx, uint16_t port, uint16_t *bound)
{
	struct node *node = ctx;

	*bound = port ? port : node->endpoint.port;
	return 0;
}

static int bind_read(void *ctx, struct wh_packet **packets, unsigned count)
{
	return wire_queue_read(&((struct node *)ctx)->bind_in, packets, count);
}

static int bind_write(void *ctx, struct wh_packet *const *packets, unsigned count)
{
	struct node *node = ctx;

	for (unsigned i = 0; i < count; i++) {
		g_mutex_lock(&node->last_sent_lock);
		node->last_sent_len = packets[i]->len;
		memcpy(node->last_sent, packets[i]->data, packets[i]->len);
		g_mutex_unlock(&node->last_sent_lock);
		if (memcmp(&packets[i]->endpoint, &node->other->endpoint, sizeof(node->endpoint)) == 0)
			wire_queue_put(&node->other->bind_in, &node->endpoint, packets[i]->data, packets[i]->len);
	}
	return (int)count;
}

static int bind_set_mark(void *ctx, uint32_t mark)
{
	(void)ctx;
	(void)mark;
	return 0;
}

static void bind_close(void *ctx)
{
	wire_queue_close(&((struct node *)ctx)->bind_in);
}

static const struct wh_bind_port_ops bind_ops = {bind_open, bind_read, bind_write, bind_set_mark, bind_close};

static void node_init_clock(struct node *node, int index, unsigned workers, const struct wh_clock *clock)
{
	uint8_t private_key[WH_KEY_SIZE];
	struct wh_device_config config = {
		.tun_ops = &tun_ops,
		.tun_ctx = node,
		.bind_ops = &bind_ops,
		.bind_ctx = node,
		.clock = clock,
		.workers = workers,
	};
	struct wh_engine *engine;

	memset(node, 0, sizeof(*node));
	g_mutex_init(&node->last_sent_lock);
	wire_queue_init(&node->tun_in, 100000);
	wire_queue_init(&node->tun_out, 100000);
	wire_queue_init(&node->bind_in, 100000);
	node->endpoint.family = AF_INET;
	node->endpoint.port = (uint16_t)(51820 + index);
	inet_pton(AF_INET, index ? "10.9.0.2" : "10.9.0.1", node->endpoint.addr);
	inet_pton(AF_INET, index ? "192.168.77.2" : "192.168.77.1", node->tunnel_ip);
	node->device = wh_device_new(&config);
	g_assert_nonnull(node->device);
	wh_key_generate_private(private_key, NULL);
	engine = wh_device_lock(node->device);
	g_assert_cmpint(wh_engine_set_private_key(engine, private_key), ==, 0);
	g_assert_true(wh_engine_get_public_key(engine, node->public_key));
	g_assert_cmpint(wh_device_set_listen_port(node->device, 0), ==, 0);
	wh_device_unlock(node->device);
	memset(private_key, 0, sizeof(private_key));
}

static void node_init(struct node *node, int index, unsigned workers)
{
	node_init_clock(node, index, workers, NULL);
}

static void connect_nodes(struct node *a, struct node *b)
{
	struct node *nodes[2] = {a, b};

	a->other = b;
	b->other = a;
	for (int i = 0; i < 2; i++) {
		struct node *node = nodes[i], *other = nodes[1 - i];

		wh_device_lock(node->device);
		node->peer = wh_device_add_peer(node->device, other->public_key);
		g_assert_nonnull(node->peer);
		g_assert_cmpint(wh_peer_add_allowed_ip(node->peer, AF_INET, other->tunnel_ip, 32), ==, 0);
		wh_peer_set_endpoint(node->peer, &other->endpoint);
		wh_device_unlock(node->device);
	}
}

static void node_free(struct node *node)
{
	wh_device_free(node->device);
	wire_queue_clear(&node->tun_in);
	wire_queue_clear(&node->tun_out);
	wire_queue_clear(&node->bind_in);
	g_mutex_clear(&node->last_sent_lock);
}

static size_t make_packet(uint8_t *packet, const struct node *from, const struct node *to, size_t payload,
			  uint32_t sequence)
{
	return test_ipv4_packet(packet, from->tunnel_ip, to->tunnel_ip, payload, sequence);
}

static void inject(struct node *from, size_t payload, uint32_t sequence)
{
	uint8_t packet[1500];
	size_t len = make_packet(packet, from, from->other, payload, sequence);

	wire_queue_put(&from->tun_in, NULL, packet, len);
}

/* Checks that `count` packets arrive at `to` intact and in order, starting at `first`. */
static void expect_packets(struct node *to, uint32_t first, unsigned count, size_t payload)
{
	uint8_t expected[1500];

	for (unsigned i = 0; i < count; i++) {
		struct wire_item *item = wire_queue_take(&to->tun_out, 10000);
		size_t len = make_packet(expected, to->other, to, payload, first + i);

		g_assert_nonnull(item);
		if (item->len != len || memcmp(item->data, expected, len) != 0) {
			uint32_t got = 0;

			if (item->len >= 24)
				memcpy(&got, item->data + 20, sizeof(got));
			g_test_message("packet %u: expected sequence %u, %zu bytes; got sequence %u, %zu bytes", i,
				       first + i, len, got, item->len);
		}
		g_assert_cmpmem(item->data, item->len, expected, len);
		g_free(item);
	}
}

/* Two connected devices with a session: the first packet a -> b made the handshake. */
static void start_pair(struct node *a, struct node *b, unsigned workers)
{
	node_init(a, 0, workers);
	node_init(b, 1, workers);
	connect_nodes(a, b);
	inject(a, 64, 0);
	expect_packets(b, 0, 1, 64);
}

static void test_handshake_then_data(void)
{
	struct node a, b;

	node_init(&a, 0, 2);
	node_init(&b, 1, 2);
	connect_nodes(&a, &b);
	inject(&a, 100, 0);
	expect_packets(&b, 0, 1, 100);
	inject(&b, 100, 0);
	expect_packets(&a, 0, 1, 100);
	node_free(&a);
	node_free(&b);
}

static void test_bulk_in_order_both_ways(void)
{
	enum { COUNT = 20000 };
	struct node a, b;

	start_pair(&a, &b, 0);
	for (uint32_t i = 1; i <= COUNT; i++) {
		inject(&a, 1380, i);
		inject(&b, 1380, i);
	}
	/* Four workers per device on two cores: order must still hold per peer. */
	expect_packets(&b, 1, COUNT, 1380);
	expect_packets(&a, 1, COUNT, 1380);
	g_assert_cmpuint(wh_device_dropped_packets(a.device), ==, 0);
	node_free(&a);
	node_free(&b);
}

/* Blasts packets from a to b while b removes a, then frees both with packets in flight. */
static void test_remove_peer_and_stop_under_traffic(void)
{
	struct node a, b;

	start_pair(&a, &b, 0);
	for (uint32_t i = 1; i <= 5000; i++)
		inject(&a, 1000, i);
	wh_device_lock(b.device);
	wh_device_remove_peer(b.device, b.peer);
	b.peer = NULL;
	wh_device_unlock(b.device);
	for (uint32_t i = 5001; i <= 10000; i++)
		inject(&a, 1000, i);
	/* Whatever b delivered before the removal is intact and in order. */
	for (uint32_t expected = 1;; expected++) {
		struct wire_item *item = wire_queue_take(&b.tun_out, 200);
		uint32_t sequence;

		if (!item)
			break;
		memcpy(&sequence, item->data + 20, sizeof(sequence));
		g_assert_cmpuint(sequence, ==, expected);
		g_free(item);
	}
	node_free(&a);
	node_free(&b);
}

/* A replayed datagram is dropped by the device, not delivered twice. */
static void test_replayed_datagram_dropped(void)
{
	struct node a, b;
	struct wire_item *item;
	uint8_t datagram[2048];
	size_t len;
	uint64_t dropped;

	start_pair(&a, &b, 1);
	inject(&a, 64, 1);
	expect_packets(&b, 1, 1, 64);
	g_mutex_lock(&a.last_sent_lock);
	len = a.last_sent_len;
	memcpy(datagram, a.last_sent, len);
	g_mutex_unlock(&a.last_sent_lock);
	g_assert_cmpuint(datagram[0], ==, 4);

	dropped = wh_device_dropped_packets(b.device);
	wire_queue_put(&b.bind_in, &a.endpoint, datagram, len);
	for (int i = 0; i < 500 && wh_device_dropped_packets(b.device) == dropped; i++)
		g_usleep(10000);
	g_assert_cmpuint(wh_device_dropped_packets(b.device), ==, dropped + 1);
	item = wire_queue_take(&b.tun_out, 100);
	g_assert_null(item);
	node_free(&a);
	node_free(&b);
}

/* With a fake clock: after REKEY_AFTER_TIME the initiator rekeys and traffic carries on. */
static void test_rekey_with_fake_clock(void)
{
	struct fake_clock clock;
	struct node a, b;
	struct wh_peer_stats before, after;

	fake_clock_init(&clock);
	node_init_clock(&a, 0, 1, &clock.clock);
	node_init_clock(&b, 1, 1, &clock.clock);
	connect_nodes(&a, &b);
	inject(&a, 64, 0);
	expect_packets(&b, 0, 1, 64);
	wh_device_lock(a.device);
	wh_peer_get_stats(a.peer, &before);
	wh_device_unlock(a.device);
	/* The clock is shared and only read: moving it from here is safe enough for a test. */
	fake_clock_advance(&clock, UINT64_C(121) * 1000000000u);
	for (uint32_t i = 1; i <= 50; i++) {
		inject(&a, 200, i);
		expect_packets(&b, i, 1, 200);
		g_usleep(20000);
	}
	wh_device_lock(a.device);
	wh_peer_get_stats(a.peer, &after);
	wh_device_unlock(a.device);
	g_assert_cmpuint(after.last_handshake_realtime_ns, >, before.last_handshake_realtime_ns);
	node_free(&a);
	node_free(&b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(wh_init(), ==, 0);
	g_test_add_func("/device/handshake-then-data", test_handshake_then_data);
	g_test_add_func("/device/bulk-in-order-both-ways", test_bulk_in_order_both_ways);
	g_test_add_func("/device/remove-peer-and-stop-under-traffic", test_remove_peer_and_stop_under_traffic);
	g_test_add_func("/device/rekey-with-fake-clock", test_rekey_with_fake_clock);
	g_test_add_func("/device/replayed-datagram-dropped", test_replayed_datagram_dropped);
	return g_test_run();
}
