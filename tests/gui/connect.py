"""gui-connect.sh's scenario: import, connect and disconnect from the window, then from outside."""
import os
import sys

import guitest as g

conf, key_file = sys.argv[1:3]

win = g.window()
g.ok("the window is up")
g.wait_state(win, "Disconnected")
g.check(g.route_text(win) == "No server chosen", "route with no server: %r" % g.route_text(win))
g.ok("an empty server list: Disconnected, no server chosen")

dialog, heading = g.import_files(win, conf)
g.check(heading == "1 Server Imported", "import summary heading: %r" % heading)
g.screenshot("import-summary")
g.close_dialog(dialog)
rows = g.wait_until(lambda: g.server_rows(win), 10, "a row in the server list")
g.log("server rows: %r" % rows)
g.check(any(r.startswith("relay") for r in rows), "the server list shows no 'relay': %r" % rows)
g.ok("relay.conf imported through the file chooser (Ctrl+L, the path, Import); the list shows it")
g.screenshot("servers")

g.show_page(win, "Connection")
g.wait_until(lambda: g.route_text(win) == "relay", 10, "the route label names the server")
switch = g.connect_switch(win)
switch.click()  # a real pointer click on the switch (XTest), as a person makes it
g.wait_state(win, "Connected", 30)
g.ok("a click on the connect switch → the window says Connected")
g.wait_helper_state("connected", 5)
g.ok("wirehopctl status: connected")
g.wait_until(lambda: any(t.startswith("Last handshake") for t in g.all_label_text(g.page(win, "Connection"))), 10,
             "the handshake age shown")
g.screenshot("main")

g.toggle(switch)  # and through AT-SPI's "toggle", as a screen reader user does
g.wait_state(win, "Disconnected", 20)
g.wait_helper_state("disconnected", 5)
g.ok("the switch's toggle action → Disconnected, and the helper agrees")

g.run(os.environ["WIREHOPCTL"], "connect", conf)
g.wait_state(win, "Connected", 20)
g.check(g.connect_switch(win).checked, "the switch is off while connected by wirehopctl")
g.ok("wirehopctl connect from outside → the window says Connected, the switch is on")
g.run(os.environ["WIREHOPCTL"], "disconnect")
g.wait_state(win, "Disconnected", 20)
g.check(not g.connect_switch(win).checked, "the switch is on after wirehopctl disconnect")
g.ok("wirehopctl disconnect from outside → the window says Disconnected, the switch is off")

# The preferences window, from the main menu.
g.click(g.button(win, "Main Menu"))
g.click(g.button(g.app(), "Preferences"))
prefs = g.wait_until(lambda: [w for w in g.app().children if w.name == "Preferences"], 20,
                     "the preferences window")[0]
g.switch(prefs, "Kill switch")
g.screenshot("preferences")
g.screenshot("preferences-window", window="Preferences")
prefs.doActionNamed("window.close")
g.wait_until(lambda: not [w for w in g.app().children if w.name == "Preferences"], 10,
             "the preferences window closed")
g.ok("Main Menu → Preferences opens the preferences window (kill switch there), and it closes")

# The private key lives in the keyring only: not in servers.ini, dconf or anything else under HOME
# in clear text (the keyring file is encrypted).
key = open(key_file).read().strip()
home = os.environ["HOME"]
for dirpath, _, files in os.walk(home):
    for f in files:
        path = os.path.join(dirpath, f)
        if os.path.isfile(path) and key.encode() in open(path, "rb").read():
            g.die("the private key is in %s" % path)
servers_ini = os.path.join(os.environ["XDG_CONFIG_HOME"], "wirehop", "servers.ini")
g.check(os.path.isfile(servers_ini), "no %s" % servers_ini)
g.ok("servers.ini exists; the private key is in no file under HOME")
