"""demo.sh under Xvfb: the window says Connected (and shows the handshake), then a screenshot."""
import guitest as g

win = g.window()
g.wait_state(win, "Connected", 30)
g.wait_until(lambda: any(t.startswith("Last handshake") for t in g.all_label_text(g.page(win, "Connection"))),
             10, "the handshake age shown")
g.screenshot("connected")
g.ok("the window says Connected to %r" % g.route_text(win))
