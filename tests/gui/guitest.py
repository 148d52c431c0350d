"""What the GUI scenarios share: TAP lines that continue the shell script's numbering, waits with
deadlines, the app's window through AT-SPI (dogtail), the helper's state, screenshots.

Run by gui-lib.sh's gui_py with /usr/bin/python3 inside the test's session (DISPLAY, the session
bus, DBUS_SYSTEM_BUS_ADDRESS of the private system bus). Names are looked up as GTK 4.8 exposes
them: a label's accessible name is its text, a switch is a "check box" with the action "toggle",
buttons and view-switcher tabs have "click".
"""
import atexit
import os
import subprocess
import sys
import time

from dogtail import config

# dogtail's own log: neither a file (/tmp/dogtail-$USER/logs) nor stdout, which carries TAP.
config.logDebugToFile = False
config.logDebugToStdOut = False
from dogtail import logging as dogtail_logging  # noqa: E402

dogtail_logging.debugLogger.filee = False
dogtail_logging.debugLogger.stdOut = False
# Some of its messages still ask for a file (the setting above reaches a logger created before it).
dogtail_logging.Logger.createFile = lambda self: setattr(self, "filee", open(os.devnull, "w"))
# dogtail's own retries: a node that is not there yet is looked for 40 times, 0.25 s apart.
config.searchCutoffCount = 40
config.searchBackoffDuration = 0.25
config.defaultDelay = 0.1
config.actionDelay = 0.1
config.typingDelay = 0.02

from dogtail import rawinput, tree  # noqa: E402 (config first)
import pyatspi  # noqa: E402

# dogtail sends uncaught exceptions to its (silenced) logger: give them back to stderr.
sys.excepthook = sys.__excepthook__

SHOTS = os.environ["GUI_SHOTS"]
WIREHOPCTL = os.environ["WIREHOPCTL"]
HELPER = ("io.github.wirehop.Helper1", "/io/github/wirehop/Helper1")

_tap_n = int(os.environ.get("GUI_TAP_N", "0"))


@atexit.register
def _report_tap_number():
    with open(os.environ["GUI_TAP_FILE"], "w") as f:
        f.write(str(_tap_n))


def _elapsed():
    return "%.1fs" % (time.monotonic() - _T0)


_T0 = time.monotonic()


def ok(text):
    global _tap_n
    _tap_n += 1
    print("ok %d - %s [%s]" % (_tap_n, text, _elapsed()), flush=True)


def log(text):
    for line in str(text).splitlines() or [""]:
        print("# " + line, flush=True)


def die(text):
    global _tap_n
    _tap_n += 1
    print("not ok %d - %s" % (_tap_n, text), flush=True)
    try:
        screenshot("failure")
        log("screenshot of the failure: " + os.path.join(SHOTS, "failure.png"))
    except Exception as e:  # the display may be what failed
        log("no screenshot: %s" % e)
    sys.exit(1)


def check(condition, text):
    if not condition:
        die(text)


def wait_until(predicate, seconds, what):
    """Polls predicate (a node lookup, a D-Bus call...) until it returns something true; its
    exceptions count as "not yet". Returns that value, or fails the test after the deadline.
    what says what was awaited; a callable is asked at the deadline (to show what was seen)."""
    deadline = time.monotonic() + seconds
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # AT-SPI nodes come and go while the app works
            last_error = e
        if time.monotonic() >= deadline:
            if callable(what):
                what = what()
            die("%s (not within %d s)%s" % (what, seconds, ": %s" % last_error if last_error else ""))
        time.sleep(0.1)


def run(*argv, check_status=True):
    """A command's stdout; its failure fails the test unless check_status is False."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if check_status and p.returncode != 0:
        die("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stdout.strip()))
    return p.stdout


def screenshot(name, window="root"):
    """The whole Xvfb screen as SHOTS/name.png, as a person would see it (or only the X window
    with that title)."""
    path = os.path.join(SHOTS, name + ".png")
    run("import", "-window", window, path)
    return path


# ---- the helper ------------------------------------------------------------------------------

def helper_state():
    """The helper's state, as wirehopctl status prints it (its first line, "state: ...")."""
    out = run(WIREHOPCTL, "status", check_status=False)
    for line in out.splitlines():
        if line.startswith("state:"):
            return line.split(":", 1)[1].strip().split()[0]
    return out.strip()


def wait_helper_state(state, seconds=20):
    wait_until(lambda: helper_state() == state, seconds, "wirehopctl status says %s" % state)


# ---- the app ---------------------------------------------------------------------------------

def app(seconds=60):
    """The running wirehop on the AT-SPI bus."""
    return wait_until(lambda: _find_app(), seconds, "the app wirehop on the AT-SPI bus")


def _find_app():
    for a in tree.root.applications():
        if a.name == "wirehop":
            return a
    return None


def window(seconds=60):
    """The main window: the app's frame whose children include the view switcher."""
    def find():
        for w in app().children:
            if w.roleName == "frame" and w.findChildren(
                    lambda n: n.roleName == "page tab list", recursive=True):
                return w
        return None
    return wait_until(find, seconds, "the main window")


def top_levels():
    return [w for w in app().children]


def find(root, seconds=20, what=None, **predicate):
    """The first node under root matching name/roleName (dogtail's predicate), within seconds."""
    name = predicate.get("name")
    role = predicate.get("roleName")

    def look():
        for n in root.findChildren(lambda n: (name is None or n.name == name)
                                   and (role is None or n.roleName == role), recursive=True):
            return n
        return None
    return wait_until(look, seconds, what or "%s %r" % (role or "node", name))


def find_all(root, role):
    return root.findChildren(lambda n: n.roleName == role, recursive=True)


def click(node):
    """Presses a button, a tab or a row the way AT-SPI clients do: its "click" action."""
    node.doActionNamed("click")


def toggle(switch):
    switch.doActionNamed("toggle")


def has_state(node, state):
    return node.getState().contains(state)


# The view stack's pages, in the switcher's order; each page's root is named after its class.
PAGES = ("Connection", "Servers", "Multihop")
_page_nodes = {}


def page(win, name):
    """The root of a page ("Connection", "Servers", "Multihop"): searches inside it are much
    shorter than searches of the whole window (GTK 4.8 has no AT-SPI cache: a node, a call)."""
    key = (id(win), name)
    if key not in _page_nodes:
        _page_nodes[key] = find(win, name="Wh%sPage" % name, roleName="filler", what="the %s page" % name)
    return _page_nodes[key]


def tabs(win):
    """The view switcher's tabs, in PAGES's order (whatever the language)."""
    key = (id(win), "tabs")
    if key not in _page_nodes:
        switcher = find(win, roleName="page tab list", what="the view switcher")
        _page_nodes[key] = [c for c in switcher.children if c.roleName == "page tab"]
    return _page_nodes[key]


def show_page(win, name):
    """Shows a page through its tab in the view switcher; returns the page's root."""
    tab = tabs(win)[PAGES.index(name)]
    click(tab)
    wait_until(lambda: has_state(tab, pyatspi.STATE_SELECTED), 10, "the %s page shown" % name)
    return page(win, name)


def connect_switch(win):
    return switch(page(win, "Connection"), "Connect")


def group_text(win, group):
    """The text of the label inside a named group ("Connection state", "Route"): the window names
    what a label is, so a test finds it by that and not by what it says."""
    node = find(page(win, "Connection"), name=group, roleName="panel", what="the group %r" % group)
    labels = [c for c in node.children if c.roleName == "label"]
    return labels[0].name if labels else ""


def state_text(win):
    return group_text(win, "Connection state")


def route_text(win):
    return group_text(win, "Route")


def wait_state(win, text, seconds=20):
    wait_until(lambda: state_text(win) == text, seconds,
               lambda: "the window's state label says %r (it says %r)" % (text, _safe(lambda: state_text(win))))


def _safe(f):
    try:
        return f()
    except Exception as e:
        return "<%s>" % e


def all_label_text(root):
    return [n.name for n in find_all(root, "label")]


def dialog_with(text, seconds=20):
    """The top-level window (other than the main one) showing a label with this text."""
    def look():
        for w in app().children:
            if w.findChildren(lambda n: n.roleName == "label" and n.name == text, recursive=True):
                return w
        return None
    return wait_until(look, seconds, "a window showing %r" % text)


def button(root, label, seconds=20):
    """The push button (with a "click" action) whose accessible name, mnemonic underscores
    removed, is label or contains it as a word group ("Import…", "More ways to import")."""
    def match(n):
        if n.roleName not in ("push button", "toggle button", "menu item"):
            return False
        name = n.name.replace("_", "")
        return name == label or name.startswith(label + " ") or name.endswith(" " + label)

    def look():
        for n in root.findChildren(match, recursive=True):
            if "click" in n.actions:
                return n
            for c in n.findChildren(lambda c: c.roleName == n.roleName and "click" in c.actions,
                                    recursive=True):
                return c
        return None
    return wait_until(look, seconds, "the button %r" % label)


def import_files(win, path):
    """Servers page → Import… → GTK's file chooser: Ctrl+L, the path typed, Import. Returns the
    summary dialog and its heading."""
    click(button(show_page(win, "Servers"), "Import…"))
    chooser = wait_until(lambda: [w for w in app().children if w.name == "Import WireGuard Files"],
                         20, "the file chooser")[0]
    type_location(chooser, path)
    return _import_summary()


def import_folder(win, path):
    """Servers page → the import menu → Import Folder… → the folder chooser."""
    click(button(show_page(win, "Servers"), "More ways to import"))
    click(button(app(), "Import Folder…"))
    chooser = wait_until(lambda: [w for w in app().children
                                  if w.name == "Import a Folder of WireGuard Files"],
                         20, "the folder chooser")[0]
    type_location(chooser, path.rstrip("/") + "/")
    return _import_summary()


def type_location(chooser, path, accept="Import"):
    """Types a path into a file chooser's location entry, as a person does (Ctrl+L first), and
    presses the chooser's accept button (Enter would go to the completion popup, if one is up)."""
    rawinput.keyCombo("<Control>l")
    entry = find(chooser, name="GtkFileChooserEntry", what="the location entry that Ctrl+L opens")
    wait_until(lambda: has_state(entry, pyatspi.STATE_FOCUSED), 10, "the location entry focused")
    rawinput.typeText(path)
    click(button(chooser, accept))


def _import_summary():
    """The dialog that sums an import up (an AdwMessageDialog, named after its heading)."""
    def look():
        for w in app().children:
            if w.roleName == "dialog" and "Imported" in w.name:
                return w
        return None
    dialog = wait_until(look, 30, "the import summary")
    return dialog, dialog.name


def close_dialog(dialog, label="Close"):
    click(button(dialog, label))
    wait_until(lambda: dialog not in app().children, 10, "the dialog closed")


def switch(root, label, seconds=20):
    """A GtkSwitch (AT-SPI "check box") by its accessible name (case aside: a row's title in
    Title Case names the switch as well as its own label does)."""
    names = (label.lower(), (label + " " + label).lower())

    def look():
        for n in root.findChildren(lambda n: n.roleName == "check box"
                                   and n.name.lower() in names, recursive=True):
            return n
        return None
    return wait_until(look, seconds, "the switch %r" % label)


def set_switch(node, on):
    if has_state(node, pyatspi.STATE_CHECKED) != on:
        toggle(node)
    wait_until(lambda: has_state(node, pyatspi.STATE_CHECKED) == on, 10,
               "the switch %r %s" % (node.name, "on" if on else "off"))


def combo_choose(root, label, item):
    """Picks item in an AdwComboRow the way a person does: a click on the row opens its popover,
    a click on the item chooses it. Returns what the row shows afterwards."""
    combo = wait_until(lambda: [n for n in root.findChildren(
        lambda n: n.roleName == "combo box" and n.name in (label, label + " " + label),
        recursive=True)], 20, "the combo row %r" % label)[0]
    combo.click()
    popover = find(combo, name="GtkPopover", what="the popover of %r" % label)
    find(popover, name=item, roleName="label", what="%r in the popover of %r" % (item, label)).click()
    return wait_until(lambda: combo_shown(combo) == item and combo_shown(combo), 10,
                      lambda: "the row %r shows %r (it shows %r)" % (label, item, _safe(lambda: combo_shown(combo))))


def combo_shown(combo):
    """The item an AdwComboRow shows: the label of its own list (not the popover's)."""
    for lst in combo.findChildren(lambda n: n.roleName == "list", recursive=True):
        if any(a.name == "GtkPopover" for a in _ancestors(lst, combo)):
            continue
        labels = lst.findChildren(lambda n: n.roleName == "label", recursive=True)
        return labels[0].name if labels else None
    return None


def _ancestors(node, stop):
    while node is not None and node != stop:
        yield node
        node = node.parent


class ConnectMonitor:
    """Every Connect call that reaches the helper on the private system bus, seen from a monitor
    connection of its own (BecomeMonitor: we are root on a bus we started). calls holds each call's
    profile as a dict (GVariant unpacked)."""

    def __init__(self):
        from gi.repository import Gio, GLib
        self.calls = []
        self._bus = Gio.DBusConnection.new_for_address_sync(
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"],
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self._bus.add_filter(self._filter)
        rule = "type='method_call',interface='%s',member='Connect'" % HELPER[0]
        self._bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                            GLib.Variant("(asu)", ([rule], 0)), None, Gio.DBusCallFlags.NONE, 10000, None)

    def _filter(self, connection, message, incoming):
        if message.get_member() == "Connect" and message.get_interface() == HELPER[0]:
            self.calls.append(message.get_body().get_child_value(0).unpack())
            # Dropped here, or GDBus would answer the call itself (no such object) and the bus
            # disconnects a monitor that sends anything.
            return None
        return message


def server_rows(win):
    """The names of the servers in the Servers page's list."""
    lists = [n for n in find_all(page(win, "Servers"), "list") if n.name == "Servers"]
    if not lists:
        return []
    return [r.name for r in lists[0].children if r.roleName == "list item"]
