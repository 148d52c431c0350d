/* Support for the port tests: packet buffers over one allocation, each followed by a guard zone that
 * a port must never write into, endpoints from text, and a check that close wakes a blocked read. */
#ifndef WH_TEST_PORT_SUPPORT_H
#define WH_TEST_PORT_SUPPORT_H

#include <arpa/inet.h>
#include <glib.h>
#include <stdatomic.h>
#include <string.h>

#include "wirehop/port.h"

enum { PORT_BUFFERS_GUARD = 64, PORT_BUFFERS_GUARD_BYTE = 0xa5 };

struct port_buffers {
	unsigned count;
	uint32_t capacity;
	uint8_t *memory;
	struct wh_packet *packets;
	struct wh_packet **pointers; /* what a port's read takes */
};

static inline struct wh_packet **port_buffers_init(struct port_buffers *buffers, unsigned count, uint32_t capacity)
{
	size_t stride = (size_t)capacity + PORT_BUFFERS_GUARD;

	buffers->count = count;
	buffers->capacity = capacity;
	buffers->memory = g_malloc(stride * count);
	buffers->packets = g_new0(struct wh_packet, count);
	buffers->pointers = g_new0(struct wh_packet *, count);
	memset(buffers->memory, PORT_BUFFERS_GUARD_BYTE, stride * count);
	for (unsigned i = 0; i < count; i++) {
		buffers->packets[i].data = buffers->memory + stride * i;
		buffers->packets[i].capacity = capacity;
		buffers->pointers[i] = &buffers->packets[i];
	}
	return buffers->pointers;
}

/* Asserts that nothing was written past any buffer's capacity. */
static inline void port_buffers_check_guards(const struct port_buffers *buffers)
{
	size_t stride = (size_t)buffers->capacity + PORT_BUFFERS_GUARD;

	for (unsigned i = 0; i < buffers->count; i++)
		for (size_t j = 0; j < PORT_BUFFERS_GUARD; j++)
			g_assert_cmpint(buffers->memory[stride * i + buffers->capacity + j], ==, PORT_BUFFERS_GUARD_BYTE);
}

static inline void port_buffers_clear(struct port_buffers *buffers)
{
	port_buffers_check_guards(buffers);
	g_free(buffers->memory);
	g_free(buffers->packets);
	g_free(buffers->pointers);
}

/* Sets endpoint to address (text, of family) and port. */
static inline void set_endpoint(struct wh_endpoint *endpoint, int family, const char *address, uint16_t port)
{
	memset(endpoint, 0, sizeof(*endpoint));
	endpoint->family = (uint16_t)family;
	endpoint->port = port;
	g_assert_cmpint(inet_pton(family, address, endpoint->addr), ==, 1);
}

static inline void assert_endpoint(const struct wh_endpoint *endpoint, int family, const char *address,
				   uint16_t port)
{
	struct wh_endpoint expected;

	set_endpoint(&expected, family, address, port);
	g_assert_cmpmem(endpoint, sizeof(*endpoint), &expected, sizeof(expected));
}

/* Opens a bind port on wanted (0: any) and returns the port it got. */
static inline uint16_t open_bind(struct wh_bind_port *port, uint16_t wanted)
{
	uint16_t bound = 0;

	g_assert_cmpint(port->ops->open(port->ctx, wanted, &bound), ==, 0);
	g_assert_cmpuint(bound, !=, 0);
	if (wanted)
		g_assert_cmpuint(bound, ==, wanted);
	return bound;
}

struct blocked_read {
	int (*read)(void *ctx, struct wh_packet **packets, unsigned count);
	void *ctx;
	atomic_bool returned;
	int result;
};

static inline gpointer blocked_read_main(gpointer data)
{
	struct blocked_read *blocked = data;
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 4, 1500);

	blocked->result = blocked->read(blocked->ctx, packets, 4);
	atomic_store(&blocked->returned, true);
	port_buffers_clear(&buffers);
	return NULL;
}

/* Starts a reader on an empty port, checks that it waits, calls close and expects it to return 0. */
static inline void assert_close_wakes(int (*read)(void *ctx, struct wh_packet **packets, unsigned count),
				      void (*close_port)(void *ctx), void *ctx)
{
	struct blocked_read blocked = {.read = read, .ctx = ctx, .result = -1};
	struct port_buffers buffers;
	struct wh_packet **packets = port_buffers_init(&buffers, 1, 100);
	GThread *thread;

	atomic_init(&blocked.returned, false);
	thread = g_thread_new("blocked-read", blocked_read_main, &blocked);
	g_usleep(50 * 1000);
	g_assert_false(atomic_load(&blocked.returned));
	close_port(ctx);
	g_thread_join(thread);
	g_assert_cmpint(blocked.result, ==, 0);
	/* Later reads return at once. */
	g_assert_cmpint(read(ctx, packets, 1), ==, 0);
	port_buffers_clear(&buffers);
}

#endif
