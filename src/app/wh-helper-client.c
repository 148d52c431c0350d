/* WhHelperClient: follows wirehopd on the system bus (name owner, StateChanged, the State property,
 * statistics once a second while connected) and makes its calls, all asynchronously. */
#include "wh-helper-client.h"

#include <glib/gi18n.h>

#include "helper-error.h"
#include "wh-helper1-generated.h"

#define HELPER_NAME "io.github.wirehop.Helper1"
#define HELPER_PATH "/io/github/wirehop/Helper1"
#define STATE_UNAVAILABLE "unavailable"

struct _WhHelperClient {
	GObject parent_instance;

	GCancellable *cancellable;
	WhHelper1 *proxy;
	gboolean proxy_pending; /* the proxy is being made: calls wait in waiting_calls */
	GQueue waiting_calls;   /* of GTask */
	char *state;
	GVariant *details;
	gboolean available;

	/* Rates are the difference of two GetStatistics samples over monotonic time. */
	guint statistics_source;
	gboolean statistics_pending;
	gint64 sample_time_us;
	guint64 sample_rx_bytes;
	guint64 sample_tx_bytes;
	double rx_rate;
	double tx_rate;
	gint64 handshake_age;
};

G_DEFINE_FINAL_TYPE(WhHelperClient, wh_helper_client, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_STATE,
	PROP_DETAILS,
	PROP_AVAILABLE,
	PROP_RX_RATE,
	PROP_TX_RATE,
	PROP_HANDSHAKE_AGE,
	N_PROPS,
};

enum {
	SIGNAL_CHANGED,
	N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void refresh_state(WhHelperClient *self);

static void set_statistics(WhHelperClient *self, double rx_rate, double tx_rate, gint64 handshake_age)
{
	g_object_freeze_notify(G_OBJECT(self));
	if (self->rx_rate != rx_rate) {
		self->rx_rate = rx_rate;
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RX_RATE]);
	}
	if (self->tx_rate != tx_rate) {
		self->tx_rate = tx_rate;
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_TX_RATE]);
	}
	if (self->handshake_age != handshake_age) {
		self->handshake_age = handshake_age;
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_HANDSHAKE_AGE]);
	}
	g_object_thaw_notify(G_OBJECT(self));
}

static gint64 handshake_age_of(GVariant *dict)
{
	guint32 age;
	if (dict && g_variant_lookup(dict, "handshake-age", "u", &age))
		return age;
	return -1;
}

static void on_statistics(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) statistics = wh_helper_client_get_statistics_finish(WH_HELPER_CLIENT(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	WhHelperClient *self = user_data;
	self->statistics_pending = FALSE;
	if (!statistics || !self->statistics_source)
		return;

	guint64 rx = 0, tx = 0;
	g_variant_lookup(statistics, "rx-bytes", "t", &rx);
	g_variant_lookup(statistics, "tx-bytes", "t", &tx);
	gint64 now = g_get_monotonic_time();
	double rx_rate = self->rx_rate, tx_rate = self->tx_rate;
	if (self->sample_time_us && now > self->sample_time_us && rx >= self->sample_rx_bytes &&
	    tx >= self->sample_tx_bytes) {
		double seconds = (double)(now - self->sample_time_us) / G_USEC_PER_SEC;
		rx_rate = (double)(rx - self->sample_rx_bytes) / seconds;
		tx_rate = (double)(tx - self->sample_tx_bytes) / seconds;
	}
	self->sample_time_us = now;
	self->sample_rx_bytes = rx;
	self->sample_tx_bytes = tx;
	set_statistics(self, rx_rate, tx_rate, handshake_age_of(statistics));
}

static gboolean on_statistics_tick(gpointer user_data)
{
	WhHelperClient *self = user_data;
	if (!self->statistics_pending) {
		self->statistics_pending = TRUE;
		wh_helper_client_get_statistics(self, self->cancellable, on_statistics, self);
	}
	return G_SOURCE_CONTINUE;
}

static void follow_statistics(WhHelperClient *self, gboolean follow)
{
	if (follow && !self->statistics_source) {
		self->sample_time_us = 0;
		self->statistics_source = g_timeout_add_seconds(1, on_statistics_tick, self);
		on_statistics_tick(self);
	} else if (!follow && self->statistics_source) {
		g_clear_handle_id(&self->statistics_source, g_source_remove);
		set_statistics(self, 0, 0, -1);
	}
}

static void set_state(WhHelperClient *self, const char *state, GVariant *details, gboolean available)
{
	/* details: transfer full, floating or not; NULL for none. */
	g_autoptr(GVariant) owned_details = details ? g_variant_take_ref(details) : NULL;
	if (!owned_details)
		owned_details = g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
	gboolean state_changed = g_strcmp0(self->state, state) != 0;
	gboolean details_changed = !self->details || !g_variant_equal(self->details, owned_details);
	gboolean available_changed = self->available != available;
	if (!state_changed && !details_changed && !available_changed)
		return;

	g_object_freeze_notify(G_OBJECT(self));
	if (state_changed) {
		g_free(self->state);
		self->state = g_strdup(state);
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STATE]);
	}
	if (details_changed) {
		g_clear_pointer(&self->details, g_variant_unref);
		self->details = g_steal_pointer(&owned_details);
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_DETAILS]);
	}
	if (available_changed) {
		self->available = available;
		g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_AVAILABLE]);
	}
	g_object_thaw_notify(G_OBJECT(self));

	gboolean connected = g_str_equal(self->state, "connected");
	follow_statistics(self, connected);
	if (connected && !self->statistics_pending)
		set_statistics(self, self->rx_rate, self->tx_rate, handshake_age_of(self->details));
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_get_state(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	g_autoptr(GVariant) details = NULL;
	if (!wh_helper1_call_get_state_finish(WH_HELPER1(source), &state, &details, result, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_debug("GetState: %s", error->message);
		return;
	}
	WhHelperClient *self = user_data;
	set_state(self, state, g_steal_pointer(&details), TRUE);
}

static void refresh_state(WhHelperClient *self)
{
	wh_helper1_call_get_state(self->proxy, G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_get_state, self);
}

static void on_state_changed(WhHelper1 *proxy, const char *state, GVariant *details, gpointer user_data)
{
	(void)proxy;
	set_state(WH_HELPER_CLIENT(user_data), state, g_variant_ref(details), TRUE);
}

/* A client that missed a signal still sees the property change; GetState brings the details. */
static void on_state_property(GObject *proxy, GParamSpec *pspec, gpointer user_data)
{
	(void)pspec;
	WhHelperClient *self = user_data;
	const char *state = wh_helper1_get_state(WH_HELPER1(proxy));
	if (state && self->available && g_strcmp0(state, self->state) != 0)
		refresh_state(self);
}

static void on_name_owner(GObject *proxy, GParamSpec *pspec, gpointer user_data)
{
	(void)pspec;
	WhHelperClient *self = user_data;
	g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(proxy));
	if (owner)
		refresh_state(self);
	else
		set_state(self, STATE_UNAVAILABLE, NULL, FALSE);
}

static void dispatch_waiting_calls(WhHelperClient *self);

static void on_proxy_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	(void)source;
	g_autoptr(GError) error = NULL;
	WhHelper1 *proxy = wh_helper1_proxy_new_for_bus_finish(result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	WhHelperClient *self = user_data;
	self->proxy_pending = FALSE;
	if (!proxy) {
		g_message("The system bus cannot be reached: %s", error->message);
		dispatch_waiting_calls(self);
		return;
	}
	self->proxy = proxy;
	g_signal_connect_object(proxy, "notify::g-name-owner", G_CALLBACK(on_name_owner), self, 0);
	g_signal_connect_object(proxy, "notify::state", G_CALLBACK(on_state_property), self, 0);
	g_signal_connect_object(proxy, "state-changed", G_CALLBACK(on_state_changed), self, 0);
	on_name_owner(G_OBJECT(proxy), NULL, self);
	dispatch_waiting_calls(self);
}

/* One path for every method call: the reply (or the stripped error) goes to the caller's task. */
static void on_call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	GVariant *reply = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), result, &error);
	if (!reply) {
		g_dbus_error_strip_remote_error(error);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_task_return_pointer(task, reply, (GDestroyNotify)g_variant_unref);
}

/* Takes task; its task data is the method's parameters (NULL: none). */
static void dispatch_call(WhHelperClient *self, GTask *task)
{
	if (!self->proxy) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
					_("The system bus cannot be reached, so the Wirehop helper cannot be asked"));
		g_object_unref(task);
		return;
	}
	g_dbus_proxy_call(G_DBUS_PROXY(self->proxy), g_task_get_name(task), g_task_get_task_data(task),
			  G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, g_task_get_cancellable(task),
			  on_call_done, task);
}

static void dispatch_waiting_calls(WhHelperClient *self)
{
	GTask *task;
	while ((task = g_queue_pop_head(&self->waiting_calls)))
		dispatch_call(self, task);
}

/* A call made while the proxy is still being made (a connect from the tray at start-up) waits
 * for it rather than failing. */
static void call_helper(WhHelperClient *self, const char *method, GVariant *parameters, GCancellable *cancellable,
			GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_name(task, method); /* a static string */
	if (parameters)
		g_task_set_task_data(task, g_variant_ref_sink(parameters), (GDestroyNotify)g_variant_unref);
	if (self->proxy_pending)
		g_queue_push_tail(&self->waiting_calls, task);
	else
		dispatch_call(self, task);
}

void wh_helper_client_connect(WhHelperClient *self, GVariant *profile, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data)
{
	g_return_if_fail(WH_IS_HELPER_CLIENT(self));
	call_helper(self, "Connect", g_variant_new("(@a{sv})", profile), cancellable, callback, user_data);
}

/* For the methods that return nothing. */
static gboolean call_finish(WhHelperClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	g_autoptr(GVariant) reply = g_task_propagate_pointer(G_TASK(result), error);
	return reply != NULL;
}

gboolean wh_helper_client_connect_finish(WhHelperClient *self, GAsyncResult *result, GError **error)
{
	return call_finish(self, result, error);
}

void wh_helper_client_disconnect(WhHelperClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
				 gpointer user_data)
{
	g_return_if_fail(WH_IS_HELPER_CLIENT(self));
	call_helper(self, "Disconnect", NULL, cancellable, callback, user_data);
}

gboolean wh_helper_client_disconnect_finish(WhHelperClient *self, GAsyncResult *result, GError **error)
{
	return call_finish(self, result, error);
}

void wh_helper_client_get_statistics(WhHelperClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data)
{
	g_return_if_fail(WH_IS_HELPER_CLIENT(self));
	call_helper(self, "GetStatistics", NULL, cancellable, callback, user_data);
}

GVariant *wh_helper_client_get_statistics_finish(WhHelperClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	g_autoptr(GVariant) reply = g_task_propagate_pointer(G_TASK(result), error);
	if (!reply)
		return NULL;
	return g_variant_get_child_value(reply, 0);
}

const char *wh_helper_client_get_state(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), NULL);
	return self->state;
}

GVariant *wh_helper_client_get_details(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), NULL);
	return self->details;
}

gboolean wh_helper_client_get_available(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), FALSE);
	return self->available;
}

double wh_helper_client_get_rx_rate(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), 0);
	return self->rx_rate;
}

double wh_helper_client_get_tx_rate(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), 0);
	return self->tx_rate;
}

gint64 wh_helper_client_get_handshake_age(WhHelperClient *self)
{
	g_return_val_if_fail(WH_IS_HELPER_CLIENT(self), -1);
	return self->handshake_age;
}

static void wh_helper_client_constructed(GObject *object)
{
	WhHelperClient *self = WH_HELPER_CLIENT(object);
	G_OBJECT_CLASS(wh_helper_client_parent_class)->constructed(object);
	/* The helper's error names become HELPER_ERROR codes, so g_dbus_error_get_remote_error still
	 * names them after the message is stripped. */
	(void)HELPER_ERROR;
	self->proxy_pending = TRUE;
	wh_helper1_proxy_new_for_bus(G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_GET_INVALIDATED_PROPERTIES, HELPER_NAME,
				     HELPER_PATH, self->cancellable, on_proxy_ready, self);
}

static void wh_helper_client_dispose(GObject *object)
{
	WhHelperClient *self = WH_HELPER_CLIENT(object);
	g_cancellable_cancel(self->cancellable);
	self->proxy_pending = FALSE;
	dispatch_waiting_calls(self);
	g_clear_handle_id(&self->statistics_source, g_source_remove);
	g_clear_object(&self->proxy);
	G_OBJECT_CLASS(wh_helper_client_parent_class)->dispose(object);
}

static void wh_helper_client_finalize(GObject *object)
{
	WhHelperClient *self = WH_HELPER_CLIENT(object);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->details, g_variant_unref);
	g_free(self->state);
	G_OBJECT_CLASS(wh_helper_client_parent_class)->finalize(object);
}

static void wh_helper_client_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	WhHelperClient *self = WH_HELPER_CLIENT(object);
	switch (prop_id) {
	case PROP_STATE:
		g_value_set_string(value, self->state);
		break;
	case PROP_DETAILS:
		g_value_set_variant(value, self->details);
		break;
	case PROP_AVAILABLE:
		g_value_set_boolean(value, self->available);
		break;
	case PROP_RX_RATE:
		g_value_set_double(value, self->rx_rate);
		break;
	case PROP_TX_RATE:
		g_value_set_double(value, self->tx_rate);
		break;
	case PROP_HANDSHAKE_AGE:
		g_value_set_int64(value, self->handshake_age);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void wh_helper_client_class_init(WhHelperClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->constructed = wh_helper_client_constructed;
	object_class->dispose = wh_helper_client_dispose;
	object_class->finalize = wh_helper_client_finalize;
	object_class->get_property = wh_helper_client_get_property;

	const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
	properties[PROP_STATE] = g_param_spec_string("state", NULL, NULL, STATE_UNAVAILABLE, flags);
	properties[PROP_DETAILS] = g_param_spec_variant("details", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL, flags);
	properties[PROP_AVAILABLE] = g_param_spec_boolean("available", NULL, NULL, FALSE, flags);
	properties[PROP_RX_RATE] = g_param_spec_double("rx-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
	properties[PROP_TX_RATE] = g_param_spec_double("tx-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
	properties[PROP_HANDSHAKE_AGE] = g_param_spec_int64("handshake-age", NULL, NULL, -1, G_MAXINT64, -1, flags);
	g_object_class_install_properties(object_class, N_PROPS, properties);

	signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
					       NULL, G_TYPE_NONE, 0);
}

static void wh_helper_client_init(WhHelperClient *self)
{
	self->cancellable = g_cancellable_new();
	self->state = g_strdup(STATE_UNAVAILABLE);
	self->details = g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
	self->handshake_age = -1;
}

WhHelperClient *wh_helper_client_new(void)
{
	return g_object_new(WH_TYPE_HELPER_CLIENT, NULL);
}
