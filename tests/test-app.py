#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end: the real lrplens window, driven through its D-Bus actions the way a
lecturer's script (or a person through the menus, which use the same actions) drives
it.  Every explanation it shows must equal what `lrplens explain` computes for the
same settings.  Run under xvfb-run and dbus-run-session; prints TAP.

    test-app.py LRPLENS SOURCE_DIR BUILD_DIR
"""
import glob
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "app"))
from lrplens_driver import Lrplens  # noqa: E402

LRPLENS, SRC, BUILD = sys.argv[1:4]
MODEL = os.path.join(SRC, "resources/models/fashion-cnn.onnx")
IMAGE = os.path.join(SRC, "resources/images/fmnist-0-ankle-boot.png")
WORK = tempfile.mkdtemp(prefix="lrplens-app-")
ENV = {"GSETTINGS_BACKEND": "memory", "GSK_RENDERER": "cairo", "HOME": WORK,
       "XDG_DATA_HOME": os.path.join(WORK, "data"), "GTK_A11Y": "none"}

n = 0
failed = 0


def check(name, ok, detail=""):
    global n, failed
    n += 1
    print("%s %d %s" % ("ok" if ok else "not ok", n, name), flush=True)
    if not ok:
        failed = 1
        for line in str(detail).splitlines():
            print("# " + line)


def skip(name, why):
    global n
    n += 1
    print("ok %d %s # SKIP %s" % (n, name, why), flush=True)


def cli_relevance(*args):
    out = os.path.join(WORK, "cli-%d.npy" % time.monotonic_ns())
    subprocess.run([LRPLENS, "explain", MODEL, IMAGE, *args, "--out", out], check=True,
                   stdout=subprocess.DEVNULL)
    return np.load(out)


def gui_relevance(app):
    out = os.path.join(WORK, "gui-%d.npy" % time.monotonic_ns())
    app.activate("win.export", ("relevance", out), "(ss)")
    return np.load(app.wait(lambda: os.path.exists(out) and out, 10, "the export"))


def same(a, b):
    return a.shape == b.shape and np.array_equal(a, b)


def mark_error(app):
    """Makes the last error a known one, so that the next error shows as a change."""
    app.activate("win.export", ("nothing", os.path.join(WORK, "x")), "(ss)")
    app.wait(lambda: "nothing" in app.status()["error"], 10, "the marker error")


def refused_and_kept(app, action, path, field, kept):
    """Opens a file the app must refuse: a new error, and status[field] still ends in @kept."""
    mark_error(app)
    app.activate(action, path, "s")
    try:
        s = app.wait(lambda: (lambda t: t if "nothing" not in t["error"] else None)(
            app.status()), 20, "an error for " + path)
    except TimeoutError:
        s = app.status()
    if s[field].endswith(kept) and "nothing" not in s["error"]:
        return True
    check("%s (%s) keeps what was open" % (action, os.path.basename(path)), False, s)
    return False


def first_conv_name():
    """The first Conv layer's name, from `lrplens info`'s table."""
    info = subprocess.run([LRPLENS, "info", MODEL], check=True, capture_output=True,
                          text=True).stdout
    for line in info.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[2] == "Conv":
            return parts[1]
    raise RuntimeError("no Conv in `lrplens info`:\n" + info)


def main():
    app = Lrplens(LRPLENS, env=ENV, log=os.path.join(WORK, "app.log"))
    try:
        run(app)
    finally:
        app.quit()
    print("1..%d" % n)
    return failed


def run(app):
    # 1. The window opens on the bundled model and image with a heatmap drawn.
    s = app.wait_result(60)
    s = app.wait(lambda: (lambda t: t if t["renders"] >= 1 else None)(app.status()), 10,
                 "the first heatmap drawn")
    check("the window opens on the bundled model and shows a heatmap",
          s["model"].endswith("fashion-cnn.onnx") and s["class"] == 9 and s["renders"] >= 1, s)
    base = gui_relevance(app)
    check("the first explanation equals `lrplens explain`", same(base, cli_relevance()))

    # 2. A class change: a new result, different, equal to the command line's.
    runs = s["runs"]
    app.activate("win.explain-class", 4, "i")
    s = app.wait_result(30, after_runs=runs)
    coat = gui_relevance(app)
    check("a class change explains that class", s["class"] == 4, s)
    check("a class change gives a different explanation", not same(coat, base))
    check("a class change equals `lrplens explain --class 4`",
          same(coat, cli_relevance("--class", "4")))

    # Contrast: class 4 against class 6, as `--contrast 6`.
    runs = s["runs"]
    app.activate("win.contrast-class", 6, "i")
    s = app.wait_result(30, after_runs=runs)
    check("a contrast equals `lrplens explain --class 4 --contrast 6`",
          same(gui_relevance(app), cli_relevance("--class", "4", "--contrast", "6")))
    app.activate("win.contrast-class", 4, "i")
    time.sleep(0.3)
    t = app.status()
    check("contrast with the explained class itself is refused",
          app.state("win.contrast-class") == 6 and t["generation"] == s["generation"], t)
    app.activate("win.explain-class", 6, "i")
    s = app.wait_result(30)
    check("explaining the contrast class drops the contrast",
          s["class"] == 6 and app.state("win.contrast-class") == -1, s)
    app.activate("win.explain-class", 4, "i")
    s = app.wait_result(30)

    # 3. One layer's rule.
    layer = first_conv_name()
    runs = s["runs"]
    app.activate("win.set-rule", (layer, "gamma(gamma=0.5)"), "(ss)")
    s = app.wait_result(30, after_runs=runs)
    edited = gui_relevance(app)
    rules = "epsilon_plus;name:%s=gamma(gamma=0.5)" % layer
    check("a rule change on one layer gives a different explanation", not same(edited, coat))
    check("a rule change equals `lrplens explain --rules` with that rule",
          same(edited, cli_relevance("--class", "4", "--rules", rules)), rules)

    # 4. A preset.
    runs = s["runs"]
    app.activate("win.preset", "epsilon_gamma_box", "s")
    s = app.wait_result(30, after_runs=runs)
    preset = gui_relevance(app)
    check("a preset change gives a different explanation", not same(preset, edited))
    check("a preset change equals `lrplens explain --composite epsilon_gamma_box`",
          same(preset, cli_relevance("--class", "4", "--composite", "epsilon_gamma_box")))
    check("the preset is the action's state", app.state("win.preset") == "epsilon_gamma_box")

    # 5. Undo and redo of rule edits.
    app.activate("win.undo")
    s = app.wait_result(30)
    check("undo brings back the edited layer's rule", same(gui_relevance(app), edited))
    app.activate("win.redo")
    s = app.wait_result(30)
    check("redo applies the preset again", same(gui_relevance(app), preset))

    # 6. Dragging a parameter: many changes, the last one wins, nothing queues.
    # They arrive together, faster than even fashion-cnn's 0.5 ms runs.
    runs = s["runs"]
    app.activate_burst("win.set-rule",
                       [(layer, "gamma(gamma=%g)" % (0.05 * (i + 1))) for i in range(30)], "(ss)")
    s = app.wait_result(60)
    last = gui_relevance(app)
    rules = "epsilon_gamma_box;name:%s=gamma(gamma=1.5)" % layer
    check("after 30 quick changes the result is the last one's",
          same(last, cli_relevance("--class", "4", "--rules", rules)))
    check("quick changes coalesce (%d runs for 30 changes)" % (s["runs"] - runs),
          s["runs"] - runs < 30, s)

    # 7. A colormap redraws without recomputing; the PNG is the command line's.
    runs, renders = s["runs"], s["renders"]
    before = os.path.join(WORK, "before.png")
    app.activate("win.export", ("heatmap", before), "(ss)")
    app.activate("win.colormap", "coldnhot", "s")
    s = app.wait(lambda: (lambda t: t if t["renders"] > renders else None)(app.status()), 10,
                 "a redraw")
    time.sleep(0.2)
    s = app.status()
    check("a colormap change redraws without recomputing",
          s["runs"] == runs and s["renders"] > renders, s)
    after = os.path.join(WORK, "after.png")
    app.activate("win.export", ("heatmap", after), "(ss)")
    cli_png = os.path.join(WORK, "cli.png")
    subprocess.run([LRPLENS, "explain", MODEL, IMAGE, "--class", "4", "--rules", rules,
                    "--colormap", "coldnhot", "--heatmap", cli_png], check=True,
                   stdout=subprocess.DEVNULL)
    app.wait(lambda: os.path.exists(after), 10, "the export")
    check("the colormap changes the exported heatmap",
          open(before, "rb").read() != open(after, "rb").read())
    check("the exported heatmap is the command line's --heatmap, pixel for pixel",
          open(after, "rb").read() == open(cli_png, "rb").read())

    # 8. Export as PNG, PDF and SVG.
    for kind in ("heatmap", "overlay", "colorbar"):
        for fmt in ("png", "pdf", "svg"):
            path = os.path.join(WORK, "%s.%s" % (kind, fmt))
            app.activate("win.export", (kind, path), "(ss)")
            app.wait(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 10, path)
            data = open(path, "rb").read()
            if fmt == "png":
                ok = data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
            elif fmt == "pdf":
                ok = data[:5] == b"%PDF-" and b"/Type /Page" in data and b"%%EOF" in data
            else:
                ok = ET.fromstring(data).tag.endswith("svg")
            check("export %s as %s is a valid file" % (kind, fmt.upper()), ok)
    sizes = []
    for scale in ("@1", "@4", ""):
        path = os.path.join(WORK, "size%s.png" % scale)
        app.activate("win.export", ("heatmap" + scale, path), "(ss)")
        app.wait(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 10, path)
        sizes.append(int.from_bytes(open(path, "rb").read()[16:20], "big"))
    check("export at the model's resolution, 4x, and enlarged for slides (%s px)" % sizes,
          sizes == [28, 112, 280], sizes)
    rules_path = os.path.join(WORK, "rules.json")
    app.activate("win.save-rules", rules_path, "s")
    app.wait(lambda: os.path.exists(rules_path), 10, "the rule map")
    check("the saved rule map gives the same explanation on the command line",
          same(last, cli_relevance("--class", "4", "--rules", rules_path)))
    mark_error(app)
    nowhere = os.path.join(WORK, "no-such-folder", "rules.json")
    app.activate("win.save-rules", nowhere, "s")
    s = app.wait(lambda: (lambda t: t if "nothing" not in t["error"] else None)(app.status()),
                 10, "the error for a rule map that cannot be saved")
    check("a rule map that cannot be saved says which file and why",
          nowhere + ": No such file or directory" in s["error"], s)

    # 9. Bad files: an error shown, what was open stays open and usable.
    bad = [os.path.join(SRC, "tests/data/bad", f) for f in sorted(os.listdir(
        os.path.join(SRC, "tests/data/bad"))) if f.endswith(".onnx")][:6]
    bad += sorted(glob.glob(os.path.join(SRC, "tests/fuzz/regressions/model/*")))
    kept = all(refused_and_kept(app, "app.open-model", path, "model", "fashion-cnn.onnx")
               for path in bad + ["/nonexistent/model.onnx", "/etc/passwd"])
    check("%d bad model files each show an error and keep the model open" % len(bad + ["", ""]),
          kept)
    runs = app.status()["runs"]
    app.activate("win.explain-class", 2, "i")
    s = app.wait_result(30, after_runs=runs)
    check("after the errors the window still explains", s["class"] == 2, s)
    # Hostile images and tensors (the fuzzers' findings among them): whatever the
    # command line refuses, the window refuses with a message, keeping the image.
    inputs = sorted(glob.glob(os.path.join(SRC, "tests/fuzz/regressions/image/*")) +
                    glob.glob(os.path.join(SRC, "tests/fuzz/regressions/tensor/*")))
    inputs += ["/etc/passwd", MODEL]
    kept = all(refused_and_kept(app, "app.open-image", path, "image", "ankle-boot.png")
               for path in inputs
               if subprocess.run([LRPLENS, "predict", MODEL, path],
                                 capture_output=True).returncode == 2)
    check("%d bad images and tensors each show an error and keep the image" % len(inputs), kept)

    # Hostile rule maps: refused with a message and the rules kept, or, where the
    # command line takes the map, the same explanation as the command line.
    shown = gui_relevance(app)
    same_rules = True
    for path in sorted(glob.glob(os.path.join(SRC, "tests/fuzz/regressions/rules/*"))):
        cli = subprocess.run([LRPLENS, "explain", MODEL, IMAGE, "--class", "2", "--rules", path,
                              "--out", os.path.join(WORK, "rules.npy")], capture_output=True)
        mark_error(app)
        app.activate("win.load-rules", path, "s")
        time.sleep(0.2)
        s = app.wait_result(30)
        if cli.returncode == 2:
            ok = "nothing" not in s["error"] and same(gui_relevance(app), shown)
        else:
            ok = same(gui_relevance(app), np.load(os.path.join(WORK, "rules.npy")))
            app.activate("win.undo")
            app.wait_result(30)
        if not ok:
            same_rules = False
            check("rule map %s" % os.path.basename(path), False, (cli.returncode, s))
            break
    check("hostile rule maps are refused and keep the rules, or match the command line",
          same_rules)

    # 10. A folder of images: the strip, and moving through it.
    folder = os.path.join(WORK, "folder")
    os.makedirs(folder)
    for name in ("fmnist-17-coat.png", "fmnist-2-trouser.png", "fmnist-8-sandal.png"):
        os.symlink(os.path.join(SRC, "resources/images", name), os.path.join(folder, name))
    # Between the trouser and the sandal, a file the strip cannot read.
    with open(os.path.join(folder, "fmnist-5-broken.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    # An image opened by itself: the next one is the next in its folder.
    app.activate("app.open-image", os.path.join(folder, "fmnist-8-sandal.png"), "s")
    app.wait_settled(lambda t: t["image"].endswith("fmnist-8-sandal.png"),
                     30, "the image by itself")
    app.activate("win.next-image")
    s = app.wait_settled(lambda t: t["image"].endswith("fmnist-17-coat.png"),
                         30, "the next in its folder")
    check("win.next-image after opening one image goes on through its folder",
          s["image"] == os.path.join(folder, "fmnist-17-coat.png") and s["class"] == 6, s)

    app.activate("app.open-folder", folder, "s")
    # In a file manager's order: 2-trouser, 5-broken, 8-sandal, 17-coat.
    s = app.wait_settled(lambda t: t["image"].endswith("fmnist-2-trouser.png"),
                         30, "the folder's first image")
    check("opening a folder shows its first image, in a file manager's order", s["class"] == 1, s)
    app.wait(lambda: app.status()["strip-predicted"] == 4, 30, "the strip's predictions")
    mark_error(app)
    app.activate("win.next-image")
    s = app.wait_settled(lambda t: t["image"].endswith("fmnist-8-sandal.png"),
                         30, "the image after")
    check("stepping skips an image the strip cannot read, without an error",
          s["class"] == 5 and "nothing" in s["error"], s)
    app.activate("win.next-image")
    s = app.wait_settled(lambda t: t["image"].endswith("fmnist-17-coat.png"), 30, "the next image")
    check("win.next-image moves to the next image and explains it (predicted: shirt)",
          s["class"] == 6, s)
    app.activate("win.previous-image")
    app.wait_settled(lambda t: t["image"].endswith("fmnist-8-sandal.png"), 30, "the image before")
    app.activate("win.previous-image")
    s = app.wait_settled(lambda t: t["image"].endswith("fmnist-2-trouser.png"),
                         30, "the first image again")
    check("stepping back skips it too", "nothing" in s["error"], s)

    # 11. Cancelling a VGG16-sized run leaves the window responsive.
    big = os.path.join(BUILD, "tests", "vgg16-convs.onnx")
    if not os.path.exists(big):
        try:
            subprocess.run(["/usr/bin/python3", os.path.join(SRC, "tests/app/make_big_model.py"),
                            big], check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as e:
            skip("cancelling a VGG16-sized run", "no torch to make the model: %s" % e)
            return
    photo = os.path.join(SRC, "resources/images/chelsea.jpg")
    before = app.status()["model"]
    app.activate("app.open-model", big, "s")
    time.sleep(0.05)
    app.activate("win.cancel")
    time.sleep(3)
    s = app.status()
    check("stopping a model while it loads keeps the one open",
          s["model"] == before and not s["busy"], s)
    app.activate("app.open-model", big, "s")
    app.activate("app.open-image", photo, "s")
    s = app.wait_settled(lambda t: t["model"] == big and t["image"] == photo, 120, "the big model")
    shown = s["result-generation"]
    runs = s["runs"]
    app.activate("win.explain-class", 3, "i")
    app.wait(lambda: app.status()["busy"], 10, "the run to start")
    time.sleep(0.2)
    app.activate("win.cancel")
    t0 = time.monotonic()
    s = app.wait(lambda: (lambda t: t if not t["busy"] else None)(app.status()), 10,
                 "the cancelled run to stop")
    stopped = time.monotonic() - t0
    check("cancel stops a VGG16-sized run within 0.5 s (%.0f ms)" % (1000 * stopped),
          stopped < 0.5, s)
    check("after a cancel the last finished result stays, not a partial one",
          s["result-generation"] == shown and s["runs"] == runs, s)
    worst = 0
    for _ in range(20):
        t0 = time.monotonic()
        app.status()
        worst = max(worst, time.monotonic() - t0)
    check("the window answers at once after a cancel (slowest %.0f ms)" % (1000 * worst),
          worst < 0.1)
    app.activate("win.explain-class", 5, "i")
    s = app.wait_result(120, after_runs=runs)
    check("the next request after a cancel completes", s["class"] == 5, s)

    # Stopping the first run on another image goes back to the one on screen,
    # so that the title, the rules and the lists agree with the picture.
    other = os.path.join(SRC, "resources/images/coffee.jpg")
    app.activate("app.open-image", other, "s")
    app.wait(lambda: app.status()["image"] == other and app.status()["busy"], 30,
             "the run on the other image")
    time.sleep(0.2)
    app.activate("win.cancel")
    s = app.wait_settled(lambda t: t["image"] == photo, 120, "the image on screen again")
    check("stopping the first run on a new image goes back to the one on screen, "
          "with its class", s["class"] == 5, s)

    # A rule of the small model's own survives a stopped switch to the big one
    # (whose layers it does not name, so the switch had reset the rules).
    app.activate("app.open-model", MODEL, "s")
    app.wait_settled(lambda t: t["model"] == MODEL, 60, "the small model")
    conv = first_conv_name()
    app.activate("win.set-rule", (conv, "gamma(gamma=0.5)"), "(ss)")
    app.wait_result(30)
    app.activate("app.open-model", big, "s")
    app.wait(lambda: app.status()["model"] == big and app.status()["busy"], 60,
             "the run on the big model")
    time.sleep(0.2)
    app.activate("win.cancel")
    s = app.wait_settled(lambda t: t["model"] == MODEL, 60, "the small model again")
    kept_path = os.path.join(WORK, "kept-rules.json")
    app.activate("win.save-rules", kept_path, "s")
    app.wait(lambda: os.path.exists(kept_path), 10, "the kept rule map")
    with open(kept_path) as f:
        kept = f.read()
    check("stopping a switch to another model brings back the rules edited before it",
          conv in kept and "gamma" in kept, kept)


if __name__ == "__main__":
    sys.exit(main())
