/* The in-memory ports: every operation of the TUN link and of bind ports on a simulated network,
 * bounds, routing by address and port, close waking a blocked reader, and the loss knobs. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "platform/memory/memport.h"
#include "port_support.h"

static void fill_pattern(uint8_t *data, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(seed * 31 + i);
}

static void assert_pattern(const struct wh_packet *packet, size_t len, unsigned seed)
{
	uint8_t expected[2048];

	g_assert_cmpuint(packet->len, ==, len);
	fill_pattern(expected, len, seed);
	g_assert_cmpmem(packet->data, packet->len, expected, len);
}

static void inject_pattern(struct wh_memory_link *link, size_t len, unsigned seed)
{
	uint8_t data[2048];

	fill_pattern(data, len, seed);
	g_assert_cmpint(wh_memory_link_inject(link, data, len), ==, 0);
}

/* Packets injected by the host come out of the device's reads in order and in batches. */
static void test_link_inject_read(void)
{
	struct wh_memory_link *link = wh_memory_link_new(0, 1420);
	struct wh_tun_port port = wh_memory_link_tun_port(link);
	struct wh_memory_queue_stats stats;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 4, 1500);

	for (unsigned i = 0; i < 6; i++)
		inject_pattern(link, 40 + i, i);
	g_assert_cmpint(port.ops->read(port.ctx, packets, 4), ==, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_pattern(packets[i], 40 + i, i);
	g_assert_cmpint(port.ops->read(port.ctx, packets, 4), ==, 2);
	assert_pattern(packets[0], 44, 4);
	assert_pattern(packets[1], 45, 5);
	g_assert_cmpuint(port.ops->mtu(port.ctx), ==, 1420);
	wh_memory_link_get_stats(link, WH_MEMORY_TO_DEVICE, &stats);
	g_assert_cmpuint(stats.queued, ==, 6);
	g_assert_cmpuint(stats.dropped_full + stats.dropped_loss + stats.dropped_too_big, ==, 0);
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
}

/* What the device writes, the host collects: whole, or cut to its buffer with the full length. */
static void test_link_write_collect(void)
{
	struct wh_memory_link *link = wh_memory_link_new(0, 0);
	struct wh_tun_port port = wh_memory_link_tun_port(link);
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 3, 1500);
	uint8_t collected[1500], expected[1500];

	g_assert_cmpuint(port.ops->mtu(port.ctx), ==, 0);
	for (unsigned i = 0; i < 3; i++) {
		fill_pattern(packets[i]->data, 100 * (i + 1), i);
		packets[i]->len = 100 * (i + 1);
	}
	g_assert_cmpint(port.ops->write(port.ctx, packets, 3), ==, 3);
	/* The port copied: changing the device's buffers now changes nothing on the wire. */
	memset(packets[0]->data, 0, 1500);
	g_assert_cmpint(wh_memory_link_collect(link, collected, sizeof(collected), 0), ==, 100);
	fill_pattern(expected, 100, 0);
	g_assert_cmpmem(collected, 100, expected, 100);
	g_assert_cmpint(wh_memory_link_collect(link, collected, 50, 0), ==, 200);
	fill_pattern(expected, 200, 1);
	g_assert_cmpmem(collected, 50, expected, 50);
	g_assert_cmpint(wh_memory_link_collect(link, collected, sizeof(collected), -1), ==, 300);
	g_assert_cmpint(wh_memory_link_collect(link, collected, sizeof(collected), 0), ==, -ETIMEDOUT);
	g_assert_cmpint(wh_memory_link_collect(link, collected, sizeof(collected), 20), ==, -ETIMEDOUT);
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
}

/* Queues hold their limit and drop (and count) the rest; a packet longer than the reader's buffer is
 * dropped whole, without a byte past the buffer's capacity written. */
static void test_link_bounds(void)
{
	struct wh_memory_link *link = wh_memory_link_new(4, 1420);
	struct wh_tun_port port = wh_memory_link_tun_port(link);
	struct wh_memory_queue_stats stats;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 6, 64);
	uint8_t data[200] = {0};

	for (unsigned i = 0; i < 4; i++)
		g_assert_cmpint(wh_memory_link_inject(link, data, 10), ==, 0);
	g_assert_cmpint(wh_memory_link_inject(link, data, 10), ==, -ENOBUFS);
	g_assert_cmpint(wh_memory_link_inject(link, data, 10), ==, -ENOBUFS);
	wh_memory_link_get_stats(link, WH_MEMORY_TO_DEVICE, &stats);
	g_assert_cmpuint(stats.queued, ==, 4);
	g_assert_cmpuint(stats.dropped_full, ==, 2);
	g_assert_cmpint(port.ops->read(port.ctx, packets, 6), ==, 4);

	inject_pattern(link, 65, 1);
	inject_pattern(link, 200, 2);
	inject_pattern(link, 64, 3);
	g_assert_cmpint(port.ops->read(port.ctx, packets, 6), ==, 1);
	assert_pattern(packets[0], 64, 3);
	wh_memory_link_get_stats(link, WH_MEMORY_TO_DEVICE, &stats);
	g_assert_cmpuint(stats.dropped_too_big, ==, 2);
	port_buffers_check_guards(&buffers);

	for (unsigned i = 0; i < 6; i++)
		packets[i]->len = 10;
	g_assert_cmpint(port.ops->write(port.ctx, packets, 6), ==, 4);
	g_assert_cmpint(port.ops->write(port.ctx, packets, 1), ==, -ENOBUFS);
	wh_memory_link_get_stats(link, WH_MEMORY_TO_HOST, &stats);
	g_assert_cmpuint(stats.queued, ==, 4);
	g_assert_cmpuint(stats.dropped_full, ==, 3);
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
}

static void test_link_close_wakes_reader(void)
{
	struct wh_memory_link *link = wh_memory_link_new(0, 1420);
	struct wh_tun_port port = wh_memory_link_tun_port(link);
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 100);
	uint8_t collected[100];

	assert_close_wakes(port.ops->read, port.ops->close, port.ctx);
	/* Closed for reading only: what the device still writes reaches the host. */
	packets[0]->len = 20;
	g_assert_cmpint(port.ops->write(port.ctx, packets, 1), ==, 1);
	g_assert_cmpint(wh_memory_link_collect(link, collected, sizeof(collected), 0), ==, 20);
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
}

/* Datagrams reach the bind that opened their destination, from the sender's address of that family
 * and its port; the rest is counted, never delivered elsewhere. */
static void test_network_routing(void)
{
	struct wh_memory_network *network = wh_memory_network_new(0);
	struct wh_memory_bind *a = wh_memory_bind_new(network, "10.0.0.1", "fd00::1");
	struct wh_memory_bind *b = wh_memory_bind_new(network, "10.0.0.2", "fd00::2");
	struct wh_memory_bind *v4_only = wh_memory_bind_new(network, "10.0.0.3", NULL);
	struct wh_bind_port port_a = wh_memory_bind_port(a), port_b = wh_memory_bind_port(b);
	struct wh_bind_port port_c = wh_memory_bind_port(v4_only);
	struct wh_memory_bind_stats stats;
	struct wh_endpoint endpoint;
	struct port_buffers buffers, received;
	struct wh_packet **packets = port_buffers_init(&buffers, 4, 1500);
	struct wh_packet **in = port_buffers_init(&received, 8, 1500);
	uint16_t pa, pb;

	g_assert_null(wh_memory_bind_new(network, NULL, NULL));
	g_assert_null(wh_memory_bind_new(network, "10.0.0.300", NULL));
	g_assert_null(wh_memory_bind_new(network, NULL, "10.0.0.4"));
	g_assert_false(wh_memory_bind_endpoint(a, AF_INET, &endpoint));

	/* Not open yet: nothing leaves. */
	set_endpoint(&packets[0]->endpoint, AF_INET, "10.0.0.2", 51820);
	packets[0]->len = 10;
	g_assert_cmpint(port_a.ops->write(port_a.ctx, packets, 1), ==, -ENOTCONN);

	pa = open_bind(&port_a, 0);
	g_assert_cmpuint(pa, ==, 49152);
	pb = open_bind(&port_b, 51820);
	g_assert_true(wh_memory_bind_endpoint(b, AF_INET6, &endpoint));
	assert_endpoint(&endpoint, AF_INET6, "fd00::2", 51820);
	g_assert_false(wh_memory_bind_endpoint(v4_only, AF_INET, &endpoint));
	open_bind(&port_c, 0);
	g_assert_false(wh_memory_bind_endpoint(v4_only, AF_INET6, &endpoint));

	/* a -> b over both families, and two that reach no one. */
	set_endpoint(&packets[0]->endpoint, AF_INET, "10.0.0.2", pb);
	set_endpoint(&packets[1]->endpoint, AF_INET6, "fd00::2", pb);
	set_endpoint(&packets[2]->endpoint, AF_INET, "10.0.0.2", (uint16_t)(pb + 1));
	set_endpoint(&packets[3]->endpoint, AF_INET6, "fd00::9", pb);
	for (unsigned i = 0; i < 4; i++) {
		fill_pattern(packets[i]->data, 100 + i, i);
		packets[i]->len = 100 + i;
	}
	g_assert_cmpint(port_a.ops->write(port_a.ctx, packets, 4), ==, 4);
	g_assert_cmpint(port_b.ops->read(port_b.ctx, in, 8), ==, 2);
	assert_pattern(in[0], 100, 0);
	assert_endpoint(&in[0]->endpoint, AF_INET, "10.0.0.1", pa);
	assert_pattern(in[1], 101, 1);
	assert_endpoint(&in[1]->endpoint, AF_INET6, "fd00::1", pa);
	wh_memory_bind_get_stats(a, &stats);
	g_assert_cmpuint(stats.tx_sent, ==, 4);
	g_assert_cmpuint(stats.tx_unroutable, ==, 2);
	g_assert_cmpuint(stats.tx_dropped, ==, 1);

	/* b answers to where a's datagram came from. */
	in[0]->len = 5;
	g_assert_cmpint(port_b.ops->write(port_b.ctx, in, 1), ==, 1);
	g_assert_cmpint(port_a.ops->read(port_a.ctx, in + 1, 1), ==, 1);
	assert_endpoint(&in[1]->endpoint, AF_INET, "10.0.0.2", pb);

	/* An IPv4-only host cannot send IPv6. */
	set_endpoint(&packets[0]->endpoint, AF_INET6, "fd00::2", pb);
	g_assert_cmpint(port_c.ops->write(port_c.ctx, packets, 1), ==, -EAFNOSUPPORT);
	set_endpoint(&packets[1]->endpoint, AF_INET, "10.0.0.2", pb);
	g_assert_cmpint(port_c.ops->write(port_c.ctx, packets, 2), ==, 1);
	g_assert_cmpint(port_b.ops->read(port_b.ctx, in, 8), ==, 1);
	assert_endpoint(&in[0]->endpoint, AF_INET, "10.0.0.3", 49153);
	wh_memory_bind_get_stats(v4_only, &stats);
	g_assert_cmpuint(stats.tx_dropped, ==, 2);
	g_assert_cmpuint(stats.tx_sent, ==, 1);

	port_buffers_clear(&buffers);
	port_buffers_clear(&received);
	wh_memory_bind_free(a);
	wh_memory_bind_free(b);
	wh_memory_bind_free(v4_only);
	wh_memory_network_free(network);
}

/* A port is taken per address; re-opening moves a bind; the mark is kept. */
static void test_network_open_and_mark(void)
{
	struct wh_memory_network *network = wh_memory_network_new(0);
	struct wh_memory_bind *a = wh_memory_bind_new(network, "10.0.0.1", NULL);
	struct wh_memory_bind *same_v4 = wh_memory_bind_new(network, "10.0.0.1", "fd00::5");
	struct wh_memory_bind *other = wh_memory_bind_new(network, "10.0.0.2", NULL);
	struct wh_bind_port port_a = wh_memory_bind_port(a), port_same = wh_memory_bind_port(same_v4);
	struct wh_bind_port port_other = wh_memory_bind_port(other);
	struct wh_memory_bind_stats stats;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 2, 100);
	uint16_t bound = 0;

	open_bind(&port_a, 51820);
	g_assert_cmpint(port_same.ops->open(port_same.ctx, 51820, &bound), ==, -EADDRINUSE);
	open_bind(&port_other, 51820); /* another address: free there */
	open_bind(&port_a, 51820);     /* the same port again: fine */
	/* Port 0 skips ports in use on a shared address. */
	open_bind(&port_same, 49152);
	g_assert_cmpuint(open_bind(&port_a, 0), ==, 49153);
	g_assert_cmpuint(open_bind(&port_other, 0), ==, 49154);
	g_assert_cmpuint(open_bind(&port_same, 51820), ==, 51820);

	/* other -> 10.0.0.1:51820 now reaches same_v4, and its old port is silent. */
	set_endpoint(&packets[0]->endpoint, AF_INET, "10.0.0.1", 51820);
	set_endpoint(&packets[1]->endpoint, AF_INET, "10.0.0.1", 49152);
	packets[0]->len = packets[1]->len = 1;
	g_assert_cmpint(port_other.ops->write(port_other.ctx, packets, 2), ==, 2);
	g_assert_cmpint(port_same.ops->read(port_same.ctx, packets, 2), ==, 1);
	wh_memory_bind_get_stats(other, &stats);
	g_assert_cmpuint(stats.tx_unroutable, ==, 1);
	wh_memory_bind_get_stats(a, &stats);
	g_assert_cmpuint(stats.rx.queued, ==, 0);

	g_assert_cmpuint(wh_memory_bind_mark(a), ==, 0);
	g_assert_cmpint(port_a.ops->set_mark(port_a.ctx, 0x1234), ==, 0);
	g_assert_cmpuint(wh_memory_bind_mark(a), ==, 0x1234);
	g_assert_cmpint(port_a.ops->set_mark(port_a.ctx, 0), ==, 0);
	g_assert_cmpuint(wh_memory_bind_mark(a), ==, 0);

	port_buffers_clear(&buffers);
	wh_memory_bind_free(same_v4);
	wh_memory_bind_free(a);
	wh_memory_bind_free(other);
	wh_memory_network_free(network);
}

static void test_bind_close_wakes_reader(void)
{
	struct wh_memory_network *network = wh_memory_network_new(0);
	struct wh_memory_bind *unopened = wh_memory_bind_new(network, "10.0.0.1", NULL);
	struct wh_memory_bind *opened = wh_memory_bind_new(network, "10.0.0.2", NULL);
	struct wh_bind_port port_unopened = wh_memory_bind_port(unopened), port_opened = wh_memory_bind_port(opened);

	assert_close_wakes(port_unopened.ops->read, port_unopened.ops->close, port_unopened.ctx);
	open_bind(&port_opened, 0);
	assert_close_wakes(port_opened.ops->read, port_opened.ops->close, port_opened.ctx);
	wh_memory_bind_free(unopened);
	wh_memory_bind_free(opened);
	wh_memory_network_free(network);
}

/* A bind's queue holds its limit; too long a datagram for the reader's buffer is dropped whole. */
static void test_bind_bounds(void)
{
	struct wh_memory_network *network = wh_memory_network_new(3);
	struct wh_memory_bind *a = wh_memory_bind_new(network, "10.0.0.1", NULL);
	struct wh_memory_bind *b = wh_memory_bind_new(network, "10.0.0.2", NULL);
	struct wh_bind_port port_a = wh_memory_bind_port(a), port_b = wh_memory_bind_port(b);
	struct wh_memory_bind_stats stats;
	struct port_buffers buffers, small;
	struct wh_packet **packets = port_buffers_init(&buffers, 5, 200);
	struct wh_packet **in = port_buffers_init(&small, 5, 100);

	open_bind(&port_a, 0);
	open_bind(&port_b, 0);
	for (unsigned i = 0; i < 5; i++) {
		g_assert_true(wh_memory_bind_endpoint(b, AF_INET, &packets[i]->endpoint));
		fill_pattern(packets[i]->data, i == 1 ? 200 : 100, i);
		packets[i]->len = i == 1 ? 200 : 100;
	}
	/* Full at the far end is loss on the wire: the sender still counts them as sent. */
	g_assert_cmpint(port_a.ops->write(port_a.ctx, packets, 5), ==, 5);
	wh_memory_bind_get_stats(b, &stats);
	g_assert_cmpuint(stats.rx.queued, ==, 3);
	g_assert_cmpuint(stats.rx.dropped_full, ==, 2);
	g_assert_cmpint(port_b.ops->read(port_b.ctx, in, 5), ==, 2);
	assert_pattern(in[0], 100, 0);
	assert_pattern(in[1], 100, 2);
	wh_memory_bind_get_stats(b, &stats);
	g_assert_cmpuint(stats.rx.dropped_too_big, ==, 1);
	port_buffers_clear(&buffers);
	port_buffers_clear(&small);
	wh_memory_bind_free(a);
	wh_memory_bind_free(b);
	wh_memory_network_free(network);
}

/* Which of n injected packets (numbered by their first byte) come out, in order of reading. */
static unsigned run_loss(const struct wh_memory_loss *loss, unsigned n, uint8_t *out)
{
	struct wh_memory_link *link = wh_memory_link_new(n + 1, 1420);
	struct wh_tun_port port = wh_memory_link_tun_port(link);
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, n, 16);
	unsigned got = 0;

	wh_memory_link_set_loss(link, WH_MEMORY_TO_DEVICE, loss);
	for (unsigned i = 0; i < n; i++) {
		uint8_t number = (uint8_t)i;

		g_assert_cmpint(wh_memory_link_inject(link, &number, 1), ==, 0);
	}
	/* One more that no knob touches, so that the read below never waits on an empty queue. */
	wh_memory_link_set_loss(link, WH_MEMORY_TO_DEVICE, NULL);
	g_assert_cmpint(wh_memory_link_inject(link, "\xff", 1), ==, 0);
	while (true) {
		int ret = port.ops->read(port.ctx, packets, n);

		g_assert_cmpint(ret, >, 0);
		for (int i = 0; i < ret; i++)
			out[got++] = packets[i]->data[0];
		if (out[got - 1] == 0xff)
			break;
	}
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
	return got - 1;
}

static void test_loss_drop_every(void)
{
	struct wh_memory_loss loss = {.drop_every = 3};
	uint8_t out[64];

	g_assert_cmpuint(run_loss(&loss, 9, out), ==, 6);
	g_assert_cmpmem(out, 6, "\x00\x01\x03\x04\x06\x07", 6);
}

static void test_loss_probability_is_seeded(void)
{
	struct wh_memory_loss loss = {.drop_probability = 0.3, .seed = 42};
	uint8_t first[250], second[250], other_seed[250];
	unsigned kept_first = run_loss(&loss, 250, first), kept_other;

	g_assert_cmpuint(run_loss(&loss, 250, second), ==, kept_first);
	g_assert_cmpmem(first, kept_first, second, kept_first);
	/* About 70% survive, in order. */
	g_assert_cmpuint(kept_first, >, 150);
	g_assert_cmpuint(kept_first, <, 200);
	for (unsigned i = 1; i < kept_first; i++)
		g_assert_cmpuint(first[i - 1], <, first[i]);
	loss.seed = 43;
	kept_other = run_loss(&loss, 250, other_seed);
	g_assert_true(kept_other != kept_first || memcmp(first, other_seed, kept_first) != 0);
}

static void test_loss_reorder(void)
{
	struct wh_memory_loss always = {.reorder_probability = 1.0};
	struct wh_memory_loss sometimes = {.reorder_probability = 0.2, .seed = 7};
	struct wh_memory_queue_stats stats;
	struct wh_memory_link *link;
	struct wh_tun_port port;
	struct port_buffers buffers;
	struct wh_packet **packets;
	uint8_t out[256];
	unsigned moved = 0;

	/* Every packet jumps ahead of the one before it: 1 0, then 2 jumps ahead of 0, and so on. */
	g_assert_cmpuint(run_loss(&always, 4, out), ==, 4);
	g_assert_cmpmem(out, 4, "\x01\x02\x03\x00", 4);
	/* Sometimes: nothing lost, everything there once, some out of order. */
	g_assert_cmpuint(run_loss(&sometimes, 200, out), ==, 200);
	for (unsigned i = 0; i < 200; i++) {
		unsigned seen = 0;

		for (unsigned j = 0; j < 200; j++)
			seen += out[j] == i;
		g_assert_cmpuint(seen, ==, 1);
		moved += out[i] != i;
	}
	g_assert_cmpuint(moved, >, 0);

	/* The knobs of one direction leave the other alone. */
	link = wh_memory_link_new(0, 1420);
	port = wh_memory_link_tun_port(link);
	packets = port_buffers_init(&buffers, 2, 16);
	wh_memory_link_set_loss(link, WH_MEMORY_TO_HOST, &always);
	g_assert_cmpint(wh_memory_link_inject(link, "a", 1), ==, 0);
	g_assert_cmpint(wh_memory_link_inject(link, "b", 1), ==, 0);
	g_assert_cmpint(port.ops->read(port.ctx, packets, 2), ==, 2);
	g_assert_cmpint(packets[0]->data[0], ==, 'a');
	wh_memory_link_get_stats(link, WH_MEMORY_TO_DEVICE, &stats);
	g_assert_cmpuint(stats.reordered, ==, 0);
	g_assert_cmpint(port.ops->write(port.ctx, packets, 2), ==, 2);
	g_assert_cmpint(wh_memory_link_collect(link, out, sizeof(out), 0), ==, 1);
	g_assert_cmpint(out[0], ==, 'b');
	wh_memory_link_get_stats(link, WH_MEMORY_TO_HOST, &stats);
	g_assert_cmpuint(stats.reordered, ==, 1);
	port_buffers_clear(&buffers);
	wh_memory_link_free(link);
}

/* Loss on a bind: the knobs apply to what arrives there. */
static void test_bind_loss(void)
{
	struct wh_memory_network *network = wh_memory_network_new(0);
	struct wh_memory_bind *a = wh_memory_bind_new(network, "10.0.0.1", NULL);
	struct wh_memory_bind *b = wh_memory_bind_new(network, "10.0.0.2", NULL);
	struct wh_bind_port port_a = wh_memory_bind_port(a), port_b = wh_memory_bind_port(b);
	struct wh_memory_loss loss = {.drop_every = 2};
	struct wh_memory_bind_stats stats;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 10, 100);

	open_bind(&port_a, 0);
	open_bind(&port_b, 0);
	wh_memory_bind_set_loss(b, &loss);
	for (unsigned i = 0; i < 10; i++) {
		g_assert_true(wh_memory_bind_endpoint(b, AF_INET, &packets[i]->endpoint));
		packets[i]->data[0] = (uint8_t)i;
		packets[i]->len = 1;
	}
	g_assert_cmpint(port_a.ops->write(port_a.ctx, packets, 10), ==, 10);
	g_assert_cmpint(port_b.ops->read(port_b.ctx, packets, 10), ==, 5);
	for (unsigned i = 0; i < 5; i++)
		g_assert_cmpuint(packets[i]->data[0], ==, 2 * i);
	wh_memory_bind_get_stats(b, &stats);
	g_assert_cmpuint(stats.rx.dropped_loss, ==, 5);
	port_buffers_clear(&buffers);
	wh_memory_bind_free(a);
	wh_memory_bind_free(b);
	wh_memory_network_free(network);
}

enum { WRITERS = 4, PER_WRITER = 20000 };

struct writer {
	struct wh_bind_port port;
	struct wh_endpoint to;
	unsigned index;
};

static gpointer writer_main(gpointer data)
{
	struct writer *writer = data;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 8, 8);

	for (unsigned i = 0; i < PER_WRITER; i += 8) {
		for (unsigned j = 0; j < 8; j++) {
			uint32_t sequence = i + j;

			packets[j]->endpoint = writer->to;
			packets[j]->data[0] = (uint8_t)writer->index;
			memcpy(packets[j]->data + 1, &sequence, sizeof(sequence));
			packets[j]->len = 5;
		}
		g_assert_cmpint(writer->port.ops->write(writer->port.ctx, packets, 8), ==, 8);
	}
	port_buffers_clear(&buffers);
	return NULL;
}

/* Several threads write to one bind at once: every datagram is queued or counted as dropped, and
 * each writer's datagrams keep their order. */
static void test_concurrent_writers(void)
{
	struct wh_memory_network *network = wh_memory_network_new(256);
	struct wh_memory_bind *sink = wh_memory_bind_new(network, "10.0.0.100", NULL);
	struct wh_memory_bind *sources[WRITERS];
	struct wh_bind_port port_sink = wh_memory_bind_port(sink);
	struct writer writers[WRITERS];
	GThread *threads[WRITERS];
	struct wh_memory_bind_stats stats;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 64, 64);
	int64_t next[WRITERS] = {0};
	uint64_t read_total = 0;

	open_bind(&port_sink, 0);
	for (unsigned i = 0; i < WRITERS; i++) {
		char address[32];

		g_snprintf(address, sizeof(address), "10.0.0.%u", i + 1);
		sources[i] = wh_memory_bind_new(network, address, NULL);
		writers[i].port = wh_memory_bind_port(sources[i]);
		writers[i].index = i;
		open_bind(&writers[i].port, 0);
		g_assert_true(wh_memory_bind_endpoint(sink, AF_INET, &writers[i].to));
	}
	for (unsigned i = 0; i < WRITERS; i++)
		threads[i] = g_thread_new("writer", writer_main, &writers[i]);
	for (unsigned i = 0; i < WRITERS; i++)
		g_thread_join(threads[i]);
	/* The writers raced each other for a small queue; what it kept is read now. */
	wh_memory_bind_get_stats(sink, &stats);
	g_assert_cmpuint(stats.rx.queued + stats.rx.dropped_full, ==, WRITERS * PER_WRITER);
	g_assert_cmpuint(stats.rx.queued, ==, 256);
	while (read_total < stats.rx.queued) {
		int ret = port_sink.ops->read(port_sink.ctx, packets, 64);

		g_assert_cmpint(ret, >, 0);
		for (int i = 0; i < ret; i++) {
			uint32_t sequence;
			unsigned index = packets[i]->data[0];

			memcpy(&sequence, packets[i]->data + 1, sizeof(sequence));
			g_assert_cmpuint(index, <, WRITERS);
			g_assert_cmpint((int64_t)sequence, >=, next[index]);
			next[index] = (int64_t)sequence + 1;
		}
		read_total += (uint64_t)ret;
	}
	port_buffers_clear(&buffers);
	for (unsigned i = 0; i < WRITERS; i++)
		wh_memory_bind_free(sources[i]);
	wh_memory_bind_free(sink);
	wh_memory_network_free(network);
}

struct pipe_reader {
	struct wh_bind_port port;
	uint64_t expected;
	uint64_t received;
	bool in_order;
};

static gpointer pipe_reader_main(gpointer data)
{
	struct pipe_reader *reader = data;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 64, 64);
	uint32_t next = 0;

	reader->in_order = true;
	while (reader->received < reader->expected) {
		int ret = reader->port.ops->read(reader->port.ctx, packets, 64);

		if (ret <= 0)
			break;
		for (int i = 0; i < ret; i++) {
			uint32_t sequence;

			memcpy(&sequence, packets[i]->data + 1, sizeof(sequence));
			reader->in_order &= sequence == next;
			next = sequence + 1;
		}
		reader->received += (uint64_t)ret;
	}
	port_buffers_clear(&buffers);
	return NULL;
}

/* One writer and a concurrent reader: with a queue deep enough nothing is lost and order holds. */
static void test_concurrent_reader(void)
{
	struct wh_memory_network *network = wh_memory_network_new(PER_WRITER);
	struct wh_memory_bind *sink = wh_memory_bind_new(network, "10.0.0.100", NULL);
	struct wh_memory_bind *source = wh_memory_bind_new(network, "10.0.0.1", NULL);
	struct writer writer = {.port = wh_memory_bind_port(source)};
	struct pipe_reader reader = {.port = wh_memory_bind_port(sink), .expected = PER_WRITER};
	GThread *reading;

	open_bind(&reader.port, 0);
	open_bind(&writer.port, 0);
	g_assert_true(wh_memory_bind_endpoint(sink, AF_INET, &writer.to));
	reading = g_thread_new("reader", pipe_reader_main, &reader);
	writer_main(&writer);
	g_thread_join(reading);
	g_assert_cmpuint(reader.received, ==, PER_WRITER);
	g_assert_true(reader.in_order);
	wh_memory_bind_free(source);
	wh_memory_bind_free(sink);
	wh_memory_network_free(network);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/memport/link/inject-read", test_link_inject_read);
	g_test_add_func("/memport/link/write-collect", test_link_write_collect);
	g_test_add_func("/memport/link/bounds", test_link_bounds);
	g_test_add_func("/memport/link/close-wakes-reader", test_link_close_wakes_reader);
	g_test_add_func("/memport/network/routing", test_network_routing);
	g_test_add_func("/memport/network/open-and-mark", test_network_open_and_mark);
	g_test_add_func("/memport/bind/close-wakes-reader", test_bind_close_wakes_reader);
	g_test_add_func("/memport/bind/bounds", test_bind_bounds);
	g_test_add_func("/memport/bind/loss", test_bind_loss);
	g_test_add_func("/memport/loss/drop-every", test_loss_drop_every);
	g_test_add_func("/memport/loss/probability-seeded", test_loss_probability_is_seeded);
	g_test_add_func("/memport/loss/reorder", test_loss_reorder);
	g_test_add_func("/memport/concurrent/writers", test_concurrent_writers);
	g_test_add_func("/memport/concurrent/reader", test_concurrent_reader);
	return g_test_run();
}
