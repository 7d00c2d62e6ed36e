#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Screenshots of the window for the README, under the Xvfb display this runs in:
the bundled model (with the pointer over the heatmap, so the readout shows), an
ImageNet-sized model on a photo, and the rule editor open on an edited layer.

    screenshots.py LRPLENS SOURCE_DIR OUT_DIR [VGG16.onnx]
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "app"))
from lrplens_driver import Lrplens  # noqa: E402

LRPLENS, SRC, OUT = sys.argv[1:4]
BIG = sys.argv[4] if len(sys.argv) > 4 else None
ENV = {"GSETTINGS_BACKEND": "memory", "GSK_RENDERER": "cairo"}


def shot(name):
    time.sleep(0.8)                          # let the frame settle
    subprocess.run(["import", "-window", "root", "-crop", "1400x900+0+0",
                    os.path.join(OUT, name)], check=True)
    print(os.path.join(OUT, name))


def layers(model):
    names = []
    for line in subprocess.run([LRPLENS, "info", model], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[2] in ("Conv", "Gemm", "MatMul"):
            names.append(parts[1])
    return names


def main():
    os.makedirs(OUT, exist_ok=True)
    # Popovers have shadows: without a compositing manager Xvfb paints them black.
    if shutil.which("xcompmgr"):
        subprocess.Popen(["xcompmgr"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    model = os.path.join(SRC, "resources/models/fashion-cnn.onnx")
    app = Lrplens(LRPLENS, model, os.path.join(SRC, "resources/images/fmnist-17-coat.png"),
                  env=ENV)
    app.wait_result(60)
    subprocess.run(["xdotool", "mousemove", "760", "470"], check=False)
    shot("main.png")

    convs = [n for n in layers(model)][:4]
    app.activate("win.preset", "epsilon_gamma_box", "s")
    app.activate("win.set-rule", (convs[-1], "gamma(gamma=1.5)"), "(ss)")
    app.activate("win.view", "overlay", "s")
    app.wait_result(60)
    time.sleep(0.5)
    app.activate("win.edit-layer", convs[-1], "s")
    shot("rule-editor.png")
    app.quit()

    if BIG:
        app = Lrplens(LRPLENS, BIG, os.path.join(SRC, "resources/images/chelsea.jpg"), env=ENV)
        app.wait_result(300)
        app.activate("win.preset", "epsilon_gamma_box", "s")
        app.activate("win.view", "overlay", "s")
        app.wait_result(300)
        shot("imagenet.png")
        app.quit()


if __name__ == "__main__":
    main()
