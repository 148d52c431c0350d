"""gui-tray.sh's scenario: the tray's menu driven over D-Bus as a panel drives it."""
import os
import sys

from gi.repository import Gio, GLib

import guitest as g

conf = sys.argv[1]
app_pid = int(os.environ["GUI_APP_PID"])
session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
WATCHER = ("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
MENU = "com.canonical.dbusmenu"


def call(dest, path, interface, method, args=None, reply=None):
    return session.call_sync(dest, path, interface, method, args,
                             GLib.VariantType(reply) if reply else None,
                             Gio.DBusCallFlags.NONE, 10000, None).unpack()


def registered_item():
    """The bus name the app registered with the watcher (the mock's record of the call)."""
    for _, method, args in call(*WATCHER, "org.freedesktop.DBus.Mock", "GetCalls")[0]:
        if method == "RegisterStatusNotifierItem":
            return args[0]
    return None


def menu_items(item):
    """{label: id} of the menu's top level, read with GetLayout as a panel reads it."""
    _, (_, _, children) = call(item, "/MenuBar", MENU, "GetLayout",
                               GLib.Variant("(iias)", (0, 1, [])), "(u(ia{sv}av))")
    return {props.get("label", "-"): ident for ident, props, _ in children}


def click_item(item, label):
    ident = g.wait_until(lambda: menu_items(item).get(label), 10,
                         lambda: "%r in the tray menu (it has %r)" % (label, list(menu_items(item))))
    call(item, "/MenuBar", MENU, "Event",
         GLib.Variant("(isvu)", (ident, "clicked", GLib.Variant("i", 0), 0)))


def notified(summary):
    """Whether the notification daemon mock got a Notify with this summary."""
    calls = call("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                 "org.freedesktop.DBus.Mock", "GetCalls")[0]
    return any(method == "Notify" and args[3] == summary for _, method, args in calls)


def app_on_bus(item):
    return session.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                             "NameHasOwner", GLib.Variant("(s)", (item,)), None,
                             Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]


win = g.window()
item = g.wait_until(registered_item, 20, "the app's RegisterStatusNotifierItem at the watcher")
g.ok("the app registered its StatusNotifierItem (%s) with the watcher" % item)
dialog, heading = g.import_files(win, conf)
g.close_dialog(dialog)
g.wait_until(lambda: "relay" in menu_items(item), 10, "the server in the tray menu")
g.ok("the tray menu lists the imported server: %r" % list(menu_items(item)))

click_item(item, "Connect")
g.wait_helper_state("connected", 20)
g.wait_state(win, "Connected", 10)
g.ok("the menu's Connect (Event clicked over D-Bus) → the helper is connected, the window says so")
g.wait_until(lambda: notified("Connected"), 10, "a 'Connected' desktop notification")
g.ok("a desktop notification 'Connected' went out")
g.wait_until(lambda: "Disconnect" in menu_items(item), 10, "Disconnect in the menu while connected")

win.doActionNamed("window.close")
g.wait_until(lambda: not [w for w in g.app().children if w.roleName == "frame"], 10,
             "the window closed")
g.check(os.path.exists("/proc/%d" % app_pid), "the app exited when its window closed")
g.check(app_on_bus(item), "the app left the session bus when its window closed")
g.ok("the window closed: the app keeps running, its item stays on the bus")

click_item(item, "Show Wirehop")
win = g.window()
g.wait_state(win, "Connected", 10)
g.ok("the menu's Show Wirehop brings the window back, still Connected")

click_item(item, "Disconnect")
g.wait_helper_state("disconnected", 20)
g.wait_state(win, "Disconnected", 10)
g.ok("the menu's Disconnect → the helper is disconnected, the window says so")
g.wait_until(lambda: notified("Disconnected"), 10, "a 'Disconnected' desktop notification")
g.ok("a desktop notification 'Disconnected' went out")

click_item(item, "Quit")
g.wait_until(lambda: not app_on_bus(item), 20, "the app gone from the session bus after Quit")
g.ok("the menu's Quit ends the app")
