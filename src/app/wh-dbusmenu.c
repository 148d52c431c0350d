/* The tray's menu over com.canonical.dbusmenu (protocol version 3), built on the skeleton that
 * gdbus-codegen makes from data/com.canonical.dbusmenu.xml. */
#include "wh-dbusmenu.h"

#include <glib/gi18n.h>

#include "wh-tray-generated.h"

#define DBUSMENU_VERSION 3

/* Fixed items have fixed ids; server items get fresh ids at every layout change, so an event
 * for a menu the host showed before the change never reaches another server. */
enum menu_id {
	MENU_ROOT = 0,
	MENU_TOGGLE = 1,
	MENU_SEPARATOR_SERVERS = 2,
	MENU_SEPARATOR_WINDOW = 3,
	MENU_SHOW_WINDOW = 4,
	MENU_QUIT = 5,
	MENU_FIRST_SERVER = 100,
};

struct server_item {
	int id;
	char *server_id;
	char *label; /* the name with "_" doubled: dbusmenu reads a single "_" as a mnemonic */
};

/* What an id stands for; the strings belong to the menu. */
struct menu_item {
	gboolean is_root;
	gboolean is_separator;
	const char *label;
	const char *action;
	const char *target; /* the parameter of app.connect-server */
};

struct _WhDbusmenu {
	GObject parent_instance;

	GActionGroup *actions;
	GListModel *servers;
	WhGenDbusmenu *skeleton;
	GArray *server_items;	   /* struct server_item, in model order */
	GPtrArray *named_servers;  /* the servers whose notify::name we follow */
	char *state;
	guint revision;
	int next_server_id;
};

G_DEFINE_FINAL_TYPE(WhDbusmenu, wh_dbusmenu, G_TYPE_OBJECT)

static void server_item_clear(gpointer data)
{
	struct server_item *item = data;

	g_clear_pointer(&item->server_id, g_free);
	g_clear_pointer(&item->label, g_free);
}

static gboolean state_is_active(const char *state)
{
	return g_strcmp0(state, "connecting") == 0 || g_strcmp0(state, "connected") == 0 ||
	       g_strcmp0(state, "disconnecting") == 0;
}

static gboolean find_item(WhDbusmenu *self, int id, struct menu_item *item)
{
	*item = (struct menu_item){ 0 };
	switch (id) {
	case MENU_ROOT:
		item->is_root = TRUE;
		return TRUE;
	case MENU_TOGGLE:
		if (state_is_active(self->state)) {
			item->label = _("Disconnect");
			item->action = "disconnect";
		} else {
			item->label = _("Connect");
			item->action = "connect";
		}
		return TRUE;
	case MENU_SEPARATOR_SERVERS:
		item->is_separator = TRUE;
		return self->server_items->len > 0;
	case MENU_SEPARATOR_WINDOW:
		item->is_separator = TRUE;
		return TRUE;
	case MENU_SHOW_WINDOW:
		item->label = _("Show Wirehop");
		item->action = "show-window";
		return TRUE;
	case MENU_QUIT:
		item->label = _("Quit");
		item->action = "quit";
		return TRUE;
	default:
		break;
	}
	for (guint i = 0; i < self->server_items->len; i++) {
		const struct server_item *server = &g_array_index(self->server_items, struct server_item, i);

		if (server->id == id) {
			item->label = server->label;
			item->action = "connect-server";
			item->target = server->server_id;
			return TRUE;
		}
	}
	return FALSE;
}

/* The root's children in menu order. */
static GArray *child_ids(WhDbusmenu *self)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
	static const int tail[] = { MENU_SEPARATOR_WINDOW, MENU_SHOW_WINDOW, MENU_QUIT };
	int id = MENU_TOGGLE;

	g_array_append_val(ids, id);
	if (self->server_items->len > 0) {
		id = MENU_SEPARATOR_SERVERS;
		g_array_append_val(ids, id);
		for (guint i = 0; i < self->server_items->len; i++)
			g_array_append_val(ids, g_array_index(self->server_items, struct server_item, i).id);
	}
	g_array_append_vals(ids, tail, G_N_ELEMENTS(tail));
	return ids;
}

static gboolean action_enabled(WhDbusmenu *self, const char *action)
{
	gboolean enabled = FALSE;

	return g_action_group_query_action(self->actions, action, &enabled, NULL, NULL, NULL, NULL) &&
	       enabled;
}

/* names NULL or empty: every property. */
static void add_property(GVariantBuilder *builder, const char *const *names, const char *name,
			 GVariant *value)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(value);

	if (names == NULL || names[0] == NULL || g_strv_contains(names, name))
		g_variant_builder_add(builder, "{sv}", name, owned);
}

static GVariant *item_properties(WhDbusmenu *self, const struct menu_item *item,
				 const char *const *names)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	if (item->is_root) {
		add_property(&builder, names, "children-display", g_variant_new_string("submenu"));
	} else if (item->is_separator) {
		add_property(&builder, names, "type", g_variant_new_string("separator"));
	} else {
		add_property(&builder, names, "label", g_variant_new_string(item->label));
		add_property(&builder, names, "enabled",
			     g_variant_new_boolean(action_enabled(self, item->action)));
	}
	return g_variant_builder_end(&builder);
}

/* (ia{sv}av) of id and, depth levels deep (-1: all), its children. */
static GVariant *layout_node(WhDbusmenu *self, int id, const struct menu_item *item, int depth,
			     const char *const *names)
{
	GVariantBuilder children;

	g_variant_builder_init(&children, G_VARIANT_TYPE("av"));
	if (item->is_root && depth != 0) {
		g_autoptr(GArray) ids = child_ids(self);

		for (guint i = 0; i < ids->len; i++) {
			int child_id = g_array_index(ids, int, i);
			struct menu_item child;

			find_item(self, child_id, &child);
			g_variant_builder_add(&children, "v",
					      layout_node(self, child_id, &child, depth - 1, names));
		}
	}
	return g_variant_new("(i@a{sv}av)", id, item_properties(self, item, names), &children);
}

static void emit_layout_updated(WhDbusmenu *self)
{
	self->revision++;
	wh_gen_dbusmenu_emit_layout_updated(self->skeleton, self->revision, MENU_ROOT);
}

/* Labels and sensitivity of every item changed in place (state or actions). */
static void emit_items_updated(WhDbusmenu *self)
{
	g_autoptr(GArray) ids = child_ids(self);
	static const char *const changing[] = { "label", "enabled", NULL };
	GVariantBuilder updated;

	g_variant_builder_init(&updated, G_VARIANT_TYPE("a(ia{sv})"));
	for (guint i = 0; i < ids->len; i++) {
		int id = g_array_index(ids, int, i);
		struct menu_item item;

		if (find_item(self, id, &item) && !item.is_separator)
			g_variant_builder_add(&updated, "(i@a{sv})", id, item_properties(self, &item, changing));
	}
	wh_gen_dbusmenu_emit_items_properties_updated(self->skeleton, g_variant_builder_end(&updated),
						      g_variant_new_array(G_VARIANT_TYPE("(ias)"), NULL, 0));
}

static void activate_item(WhDbusmenu *self, const struct menu_item *item)
{
	if (item->action == NULL || !action_enabled(self, item->action))
		return;
	g_action_group_activate_action(self->actions, item->action,
				       item->target != NULL ? g_variant_new_string(item->target) : NULL);
}

/* Returns FALSE for an id that is not in the menu. */
static gboolean handle_event(WhDbusmenu *self, int id, const char *event_id)
{
	struct menu_item item;

	if (!find_item(self, id, &item))
		return FALSE;
	if (g_str_equal(event_id, "clicked"))
		activate_item(self, &item);
	return TRUE;
}

static void return_unknown_item(GDBusMethodInvocation *invocation, int id)
{
	g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
					      "No menu item with id %d", id);
}

static gboolean on_handle_get_layout(WhGenDbusmenu *skeleton, GDBusMethodInvocation *invocation,
				     int parent_id, int depth, const char *const *names, gpointer user_data)
{
	WhDbusmenu *self = user_data;
	struct menu_item item;

	if (!find_item(self, parent_id, &item)) {
		return_unknown_item(invocation, parent_id);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	wh_gen_dbusmenu_complete_get_layout(skeleton, invocation, self->revision,
					    layout_node(self, parent_id, &item, depth, names));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_handle_get_group_properties(WhGenDbusmenu *skeleton,
					       GDBusMethodInvocation *invocation, GVariant *ids_variant,
					       const char *const *names, gpointer user_data)
{
	WhDbusmenu *self = user_data;
	g_autoptr(GArray) ids = NULL;
	GVariantBuilder properties;
	gsize n_requested = 0;
	const gint32 *requested = g_variant_get_fixed_array(ids_variant, &n_requested, sizeof(gint32));

	if (n_requested == 0) {
		int root = MENU_ROOT;

		ids = child_ids(self);
		g_array_prepend_val(ids, root);
	} else {
		ids = g_array_new(FALSE, FALSE, sizeof(int));
		g_array_append_vals(ids, requested, (guint)n_requested);
	}
	g_variant_builder_init(&properties, G_VARIANT_TYPE("a(ia{sv})"));
	for (guint i = 0; i < ids->len; i++) {
		int id = g_array_index(ids, int, i);
		struct menu_item item;

		if (find_item(self, id, &item))
			g_variant_builder_add(&properties, "(i@a{sv})", id, item_properties(self, &item, names));
	}
	wh_gen_dbusmenu_complete_get_group_properties(skeleton, invocation,
						      g_variant_builder_end(&properties));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_handle_get_property(WhGenDbusmenu *skeleton, GDBusMethodInvocation *invocation,
				       int id, const char *name, gpointer user_data)
{
	WhDbusmenu *self = user_data;
	const char *names[] = { name, NULL };
	struct menu_item item;
	g_autoptr(GVariant) properties = NULL;
	g_autoptr(GVariant) value = NULL;

	if (!find_item(self, id, &item)) {
		return_unknown_item(invocation, id);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	properties = g_variant_ref_sink(item_properties(self, &item, names));
	value = g_variant_lookup_value(properties, name, NULL);
	if (value == NULL) {
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
						      "Menu item %d has no property %s", id, name);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	wh_gen_dbusmenu_complete_get_property(skeleton, invocation, g_variant_new_variant(value));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_handle_event(WhGenDbusmenu *skeleton, GDBusMethodInvocation *invocation, int id,
				const char *event_id, GVariant *data, guint timestamp, gpointer user_data)
{
	(void)data;
	(void)timestamp;
	if (!handle_event(user_data, id, event_id)) {
		return_unknown_item(invocation, id);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	wh_gen_dbusmenu_complete_event(skeleton, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_handle_event_group(WhGenDbusmenu *skeleton, GDBusMethodInvocation *invocation,
				      GVariant *events, gpointer user_data)
{
	GVariantBuilder errors;
	GVariantIter iter;
	const char *event_id;
	int id;

	g_variant_builder_init(&errors, G_VARIANT_TYPE("ai"));
	g_variant_iter_init(&iter, events);
	while (g_variant_iter_next(&iter, "(i&svu)", &id, &event_id, NULL, NULL)) {
		if (!handle_event(user_data, id, event_id))
			g_variant_builder_add(&errors, "i", id);
	}
	wh_gen_dbusmenu_complete_event_group(skeleton, invocation, g_variant_builder_end(&errors));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The menu is always current (changes are announced as they happen), so no item needs an update. */
static gboolean on_handle_about_to_show(WhGenDbusmenu *skeleton, GDBusMethodInvocation *invocation,
					int id, gpointer user_data)
{
	(void)id;
	(void)user_data;
	wh_gen_dbusmenu_complete_about_to_show(skeleton, invocation, FALSE);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_handle_about_to_show_group(WhGenDbusmenu *skeleton,
					      GDBusMethodInvocation *invocation, GVariant *ids,
					      gpointer user_data)
{
	WhDbusmenu *self = user_data;
	GVariantBuilder errors;
	GVariantIter iter;
	int id;

	g_variant_builder_init(&errors, G_VARIANT_TYPE("ai"));
	g_variant_iter_init(&iter, ids);
	while (g_variant_iter_next(&iter, "i", &id)) {
		struct menu_item item;

		if (!find_item(self, id, &item))
			g_variant_builder_add(&errors, "i", id);
	}
	wh_gen_dbusmenu_complete_about_to_show_group(skeleton, invocation,
						     g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0),
						     g_variant_builder_end(&errors));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void on_servers_changed(WhDbusmenu *self);

static void forget_servers(WhDbusmenu *self)
{
	for (guint i = 0; i < self->named_servers->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(self->named_servers, i), self);
	g_ptr_array_set_size(self->named_servers, 0);
	g_array_set_size(self->server_items, 0);
}

static void read_servers(WhDbusmenu *self)
{
	guint n_servers = g_list_model_get_n_items(self->servers);

	forget_servers(self);
	for (guint i = 0; i < n_servers; i++) {
		GObject *server = g_list_model_get_item(self->servers, i);
		g_autofree char *name = NULL;
		struct server_item item = { .id = self->next_server_id++ };
		g_autoptr(GString) label = NULL;

		g_object_get(server, "id", &item.server_id, "name", &name, NULL);
		label = g_string_new(name);
		g_string_replace(label, "_", "__", 0);
		item.label = g_string_free(g_steal_pointer(&label), FALSE);
		g_array_append_val(self->server_items, item);
		g_signal_connect_swapped(server, "notify::name", G_CALLBACK(on_servers_changed), self);
		g_ptr_array_add(self->named_servers, server);
	}
}

/* A server added, removed or renamed. */
static void on_servers_changed(WhDbusmenu *self)
{
	read_servers(self);
	emit_layout_updated(self);
}

static void on_actions_changed(WhDbusmenu *self)
{
	emit_items_updated(self);
}

/* GTK's own answer for the locale's direction, without linking GTK. */
static const char *text_direction(void)
{
	return g_str_equal(g_dgettext("gtk40", "default:LTR"), "default:RTL") ? "rtl" : "ltr";
}

static void wh_dbusmenu_dispose(GObject *object)
{
	WhDbusmenu *self = WH_DBUSMENU(object);

	wh_dbusmenu_unexport(self);
	if (self->named_servers != NULL)
		forget_servers(self);
	if (self->servers != NULL)
		g_signal_handlers_disconnect_by_data(self->servers, self);
	if (self->actions != NULL)
		g_signal_handlers_disconnect_by_data(self->actions, self);
	g_clear_object(&self->servers);
	g_clear_object(&self->actions);
	g_clear_object(&self->skeleton);
	G_OBJECT_CLASS(wh_dbusmenu_parent_class)->dispose(object);
}

static void wh_dbusmenu_finalize(GObject *object)
{
	WhDbusmenu *self = WH_DBUSMENU(object);

	g_clear_pointer(&self->server_items, g_array_unref);
	g_clear_pointer(&self->named_servers, g_ptr_array_unref);
	g_clear_pointer(&self->state, g_free);
	G_OBJECT_CLASS(wh_dbusmenu_parent_class)->finalize(object);
}

static void wh_dbusmenu_class_init(WhDbusmenuClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = wh_dbusmenu_dispose;
	object_class->finalize = wh_dbusmenu_finalize;
}

static void wh_dbusmenu_init(WhDbusmenu *self)
{
	static const char *const no_paths[] = { NULL };

	self->server_items = g_array_new(FALSE, TRUE, sizeof(struct server_item));
	g_array_set_clear_func(self->server_items, server_item_clear);
	self->named_servers = g_ptr_array_new_with_free_func(g_object_unref);
	self->next_server_id = MENU_FIRST_SERVER;
	self->revision = 1;

	self->skeleton = wh_gen_dbusmenu_skeleton_new();
	wh_gen_dbusmenu_set_version(self->skeleton, DBUSMENU_VERSION);
	wh_gen_dbusmenu_set_text_direction(self->skeleton, text_direction());
	wh_gen_dbusmenu_set_status(self->skeleton, "normal");
	wh_gen_dbusmenu_set_icon_theme_path(self->skeleton, no_paths);
	g_signal_connect(self->skeleton, "handle-get-layout", G_CALLBACK(on_handle_get_layout), self);
	g_signal_connect(self->skeleton, "handle-get-group-properties",
			 G_CALLBACK(on_handle_get_group_properties), self);
	g_signal_connect(self->skeleton, "handle-get-property", G_CALLBACK(on_handle_get_property), self);
	g_signal_connect(self->skeleton, "handle-event", G_CALLBACK(on_handle_event), self);
	g_signal_connect(self->skeleton, "handle-event-group", G_CALLBACK(on_handle_event_group), self);
	g_signal_connect(self->skeleton, "handle-about-to-show", G_CALLBACK(on_handle_about_to_show), self);
	g_signal_connect(self->skeleton, "handle-about-to-show-group",
			 G_CALLBACK(on_handle_about_to_show_group), self);
}

WhDbusmenu *wh_dbusmenu_new(GActionGroup *actions, GListModel *servers)
{
	WhDbusmenu *self;

	g_return_val_if_fail(G_IS_ACTION_GROUP(actions), NULL);
	g_return_val_if_fail(G_IS_LIST_MODEL(servers), NULL);

	self = g_object_new(WH_TYPE_DBUSMENU, NULL);
	self->actions = g_object_ref(actions);
	self->servers = g_object_ref(servers);
	read_servers(self);
	g_signal_connect_swapped(servers, "items-changed", G_CALLBACK(on_servers_changed), self);
	g_signal_connect_swapped(actions, "action-added", G_CALLBACK(on_actions_changed), self);
	g_signal_connect_swapped(actions, "action-removed", G_CALLBACK(on_actions_changed), self);
	g_signal_connect_swapped(actions, "action-enabled-changed", G_CALLBACK(on_actions_changed), self);
	return self;
}

gboolean wh_dbusmenu_export(WhDbusmenu *self, GDBusConnection *connection, const char *object_path,
			    GError **error)
{
	g_return_val_if_fail(WH_IS_DBUSMENU(self), FALSE);

	return g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->skeleton), connection,
						object_path, error);
}

void wh_dbusmenu_unexport(WhDbusmenu *self)
{
	g_return_if_fail(WH_IS_DBUSMENU(self));

	if (self->skeleton != NULL &&
	    g_dbus_interface_skeleton_get_object_path(G_DBUS_INTERFACE_SKELETON(self->skeleton)) != NULL)
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
}

void wh_dbusmenu_set_state(WhDbusmenu *self, const char *state)
{
	gboolean was_active;

	g_return_if_fail(WH_IS_DBUSMENU(self));

	was_active = state_is_active(self->state);
	g_free(self->state);
	self->state = g_strdup(state);
	if (was_active != state_is_active(self->state))
		emit_items_updated(self);
}

void wh_dbusmenu_activate_toggle(WhDbusmenu *self)
{
	struct menu_item item;

	g_return_if_fail(WH_IS_DBUSMENU(self));

	find_item(self, MENU_TOGGLE, &item);
	activate_item(self, &item);
}

guint wh_dbusmenu_get_revision(WhDbusmenu *self)
{
	g_return_val_if_fail(WH_IS_DBUSMENU(self), 0);

	return self->revision;
}
