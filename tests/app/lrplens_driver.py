# SPDX-License-Identifier: GPL-3.0-or-later
"""Drive a running lrplens through its D-Bus actions, as a lecturer's script would.

The application exports its app.* actions at /org/lrplens/Lrplens and the first
window's win.* actions at /org/lrplens/Lrplens/window/1 (org.gtk.Actions).  The
stateful action win.status carries what a script reads back: the document's
generation, the generation of the result shown, busy, runs, renders, class, sum,
model, image and the last error shown.
"""
import os
import subprocess
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

APP_ID = "org.lrplens.Lrplens"
APP_PATH = "/org/lrplens/Lrplens"
WINDOW_PATH = APP_PATH + "/window/1"


def _variant(value, signature):
    return GLib.Variant(signature, value) if signature else None


class Lrplens:
    def __init__(self, binary, *args, env=None, log=None):
        self.bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        environment = dict(os.environ)
        environment.update(env or {})
        self.log = open(log, "w") if log else subprocess.DEVNULL
        self.started = time.monotonic()
        self.process = subprocess.Popen([binary, *args], env=environment,
                                        stdout=self.log, stderr=self.log)
        self.wait(lambda: self._has_window(), 30, "the window's actions on D-Bus")

    def _call(self, path, method, args, reply="()", timeout=5000):
        return self.bus.call_sync(APP_ID, path, "org.gtk.Actions", method, args,
                                  GLib.VariantType(reply), Gio.DBusCallFlags.NONE,
                                  timeout, None)

    def _has_window(self):
        if self.process.poll() is not None:
            raise RuntimeError("lrplens exited with status %d" % self.process.returncode)
        try:
            self._call(WINDOW_PATH, "Describe", GLib.Variant("(s)", ("status",)),
                       "((bgav))", 1000)
            return True
        except GLib.Error:
            return False

    def activate(self, action, value=None, signature=None):
        """win.NAME or app.NAME, with a parameter of GVariant type @signature."""
        scope, name = action.split(".", 1)
        path = WINDOW_PATH if scope == "win" else APP_PATH
        params = [_variant(value, signature)] if signature else []
        self._call(path, "Activate", GLib.Variant("(sava{sv})", (name, params, {})))

    def activate_burst(self, action, values, signature):
        """Activates @action once per value without waiting between them, so
        that they reach the window together (as a dragged slider's changes do
        when they come faster than the engine); returns when all are answered."""
        scope, name = action.split(".", 1)
        path = WINDOW_PATH if scope == "win" else APP_PATH
        context = GLib.MainContext.default()
        answered = []
        for value in values:
            self.bus.call(APP_ID, path, "org.gtk.Actions", "Activate",
                          GLib.Variant("(sava{sv})", (name, [_variant(value, signature)], {})),
                          None, Gio.DBusCallFlags.NONE, 5000, None,
                          lambda bus, res: answered.append(bus.call_finish(res)))
        end = time.monotonic() + 10
        while len(answered) < len(values) and time.monotonic() < end:
            context.iteration(True)
        if len(answered) < len(values):
            raise TimeoutError("%s: %d of %d answered" % (action, len(answered), len(values)))

    def state(self, action):
        scope, name = action.split(".", 1)
        path = WINDOW_PATH if scope == "win" else APP_PATH
        reply = self._call(path, "Describe", GLib.Variant("(s)", (name,)), "((bgav))")
        enabled, _, state = reply.unpack()[0]
        return state[0] if state else None

    def enabled(self, action):
        scope, name = action.split(".", 1)
        path = WINDOW_PATH if scope == "win" else APP_PATH
        return self._call(path, "Describe", GLib.Variant("(s)", (name,)),
                          "((bgav))").unpack()[0][0]

    def status(self):
        return self.state("win.status")

    @staticmethod
    def wait(predicate, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.01)
        raise TimeoutError("waited %g s for %s" % (timeout, what))

    def wait_settled(self, predicate, timeout, what):
        """The status once @predicate holds for it and the window shows a
        result for its current settings."""
        return self.wait(lambda: (lambda s: s if predicate(s) and self.settled(s) else None)(
            self.status()), timeout, what)

    def settled(self, status=None):
        s = status or self.status()
        return (not s.get("busy", True) and "result-generation" in s
                and s["result-generation"] == s["generation"])

    def wait_result(self, timeout=60, after_runs=None):
        """Waits until the result shown answers the current settings."""
        def done():
            s = self.status()
            if after_runs is not None and s.get("runs", 0) <= after_runs:
                return None
            return s if self.settled(s) else None
        return self.wait(done, timeout, "an explanation of the current settings")

    def quit(self):
        try:
            self.activate("app.quit")
        except GLib.Error:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
