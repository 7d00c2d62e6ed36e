#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times the window: launch to the first heatmap, and from an action to the frame
that shows its result, driving lrplens through its D-Bus actions.  Run by
tools/bench-ui.sh under Xvfb and a private D-Bus session.

    bench_ui.py LRPLENS NAME MODEL IMAGE [RUNS]

Prints `NAME MEASURE: MEDIAN ms (max MAX)` for first-heatmap, change-class,
change-rule-first-layer, change-rule-top-layer, colormap and longest-main-loop-block.
Times come from the app's own clock (the monotonic time the picture was drawn, in
win.status) against the time the action was sent; both are CLOCK_MONOTONIC.
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "app"))
from lrplens_driver import Lrplens  # noqa: E402

COLORMAPS = ["coldnhot", "seismic", "france", "gray", "hot", "bwr"]


def linear_layers(lrplens, model):
    """Names of the Conv and dense layers, from `lrplens info`."""
    names = []
    for line in subprocess.run([lrplens, "info", model], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[2] in ("Conv", "Gemm", "MatMul"):
            names.append(parts[1])
    return names


def timed(app, action, value, signature, timeout=120):
    """ms from sending @action to the picture that shows its result."""
    before = app.status()
    t0 = time.monotonic()
    app.activate(action, value, signature)

    def shown():
        s = app.status()
        if s.get("rendered-at", 0) / 1e6 > t0 and app.settled(s) and \
                s["generation"] != before["generation"] or \
                (signature == "s" and action == "win.colormap" and
                 s.get("rendered-at", 0) / 1e6 > t0):
            return s
        return None
    s = Lrplens.wait(shown, timeout, action)
    return (s["rendered-at"] / 1e6 - t0) * 1000


def report(name, measure, values):
    print("%s %s: %.1f ms (max %.1f)" % (name, measure, statistics.median(values), max(values)),
          flush=True)


def main():
    lrplens, name, model, image = sys.argv[1:5]
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 11
    env = {"GSETTINGS_BACKEND": "memory", "GSK_RENDERER": "cairo", "GTK_A11Y": "none",
           "LRPLENS_MEASURE_LOOP": "1"}
    layers = linear_layers(lrplens, model)
    first = []
    app = None
    for i in range(3 if runs > 3 else 1):
        t0 = time.monotonic()
        app = Lrplens(lrplens, model, image, env=env)
        s = app.wait(lambda: (lambda t: t if t.get("rendered-at", 0) / 1e6 > t0 and
                              app.settled(t) else None)(app.status()), 300, "the first heatmap")
        first.append((s["rendered-at"] / 1e6 - t0) * 1000)
        if i < 2 and runs > 3:
            app.quit()
    report(name, "first-heatmap", first)

    n_classes = 10
    report(name, "change-class",
           [timed(app, "win.explain-class", (i % (n_classes - 1)) + 1 if i % 2 == 0 else 0, "i")
            for i in range(runs)])
    report(name, "change-rule-first-layer",
           [timed(app, "win.set-rule", (layers[0], "gamma(gamma=%g)" % (0.1 + 0.05 * i)), "(ss)")
            for i in range(runs)])
    report(name, "change-rule-top-layer",
           [timed(app, "win.set-rule", (layers[-1], "epsilon(epsilon=%g)" % (0.01 * (i + 1))),
                  "(ss)") for i in range(runs)])
    report(name, "colormap",
           [timed(app, "win.colormap", COLORMAPS[i % len(COLORMAPS)], "s") for i in range(runs)])
    block = app.status()["longest-block-ms"]
    print("%s longest-main-loop-block: %.1f ms (max %.1f)" % (name, block, block), flush=True)
    app.quit()


if __name__ == "__main__":
    main()
