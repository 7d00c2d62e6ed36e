#!/usr/bin/python3
"""Export your own PyTorch image classifier to ONNX for lrplens.

As a module:

    import sys; sys.path.insert(0, "tools")
    from export_torch import export_classifier
    model = MyNet(); model.load_state_dict(torch.load("mynet.pth"))
    export_classifier(model, "mynet.onnx", input_shape=(1, 3, 32, 32),
                      labels=["cat", "dog", ...], mean=[0.49, 0.48, 0.45],
                      std=[0.25, 0.24, 0.26], description="MyNet on CIFAR-10")

From the command line (the model class must be importable; PYTHONPATH helps):

    /usr/bin/python3 tools/export_torch.py OUT.onnx --factory mypkg.models:MyNet \\
        --weights mynet.pth --input-shape 1,3,32,32 --labels labels.txt \\
        --mean 0.49,0.48,0.45 --std 0.25,0.24,0.26 --description "MyNet on CIFAR-10"

    # or a whole pickled model saved with torch.save(model, "full.pt"):
    /usr/bin/python3 tools/export_torch.py OUT.onnx --pickled full.pt --input-shape 1,1,28,28 ...

The model must map an NCHW float tensor (batch 1) to class scores (logits,
*before* softmax: LRP explains the logit). Everything is exported with the
settings lrplens expects (see lrplens_meta.torch_export): opset 13, input
"input", output "logits", eval mode, BatchNormalization kept.
"""

import argparse
import importlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lrplens_meta import (_floats, add_lrplens_metadata,  # noqa: E402
                          default_resize, torch_export)


def export_classifier(model, onnx_path, input_shape, labels=None, mean=(0.0,), std=(1.0,),
                      color=None, resize=None, input_range=(0, 1), description="",
                      name=None):
    """Export ``model`` (a torch.nn.Module returning logits) with lrplens
    metadata. Defaults: labels "class 0".."class N-1", color from the channel
    count, resize from lrplens_meta.default_resize. Returns the op types."""
    import torch
    n, c, h, w = input_shape
    if n != 1:
        raise ValueError("lrplens models have a fixed batch size of 1")
    model.eval()
    dummy = torch.zeros(*input_shape)
    with torch.no_grad():
        nclasses = model(dummy).reshape(-1).numel()
    ops = torch_export(model, dummy, onnx_path)
    add_lrplens_metadata(
        onnx_path,
        labels or ["class %d" % i for i in range(nclasses)],
        mean, std,
        color or ("gray" if c == 1 else "rgb"),
        resize or default_resize(h, w),
        input_range, description,
        name=name or os.path.splitext(os.path.basename(onnx_path))[0])
    if labels and len(labels) != nclasses:
        print("warning: %d labels but the model has %d outputs" % (len(labels), nclasses),
              file=sys.stderr)
    return ops


def main(argv=None):
    import torch
    ap = argparse.ArgumentParser(description="Export a PyTorch classifier for lrplens.")
    ap.add_argument("out", metavar="OUT.onnx")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--factory", metavar="MODULE:CALLABLE",
                     help="importable callable returning the nn.Module, e.g. mypkg.models:MyNet")
    src.add_argument("--pickled", metavar="FILE", help="a model saved with torch.save(model, FILE)")
    ap.add_argument("--weights", metavar="STATE_DICT.pth", help="load_state_dict() this file")
    ap.add_argument("--input-shape", required=True, help="N,C,H,W with N=1, e.g. 1,3,32,32")
    ap.add_argument("--labels", help="text file, one class name per line (or a JSON array)")
    ap.add_argument("--mean", default="0")
    ap.add_argument("--std", default="1")
    ap.add_argument("--color", choices=["gray", "rgb"])
    ap.add_argument("--resize", help="stretch | crop:N (default: see README-models.md)")
    ap.add_argument("--input-range", default="0,1")
    ap.add_argument("--description", default="")
    ap.add_argument("--name")
    a = ap.parse_args(argv)

    if a.factory:
        mod, _, fn = a.factory.partition(":")
        model = getattr(importlib.import_module(mod), fn)()
    else:
        model = torch.load(a.pickled, map_location="cpu")
    if a.weights:
        sd = torch.load(a.weights, map_location="cpu")
        model.load_state_dict(sd.get("state_dict", sd) if isinstance(sd, dict) else sd)
    labels = None
    if a.labels:
        txt = open(a.labels, encoding="utf-8").read()
        labels = json.loads(txt) if txt.lstrip().startswith("[") else \
            [l.strip() for l in txt.splitlines() if l.strip()]
    shape = tuple(int(v) for v in a.input_shape.split(","))
    ops = export_classifier(model, a.out, shape, labels, _floats(a.mean), _floats(a.std),
                            a.color, a.resize, tuple(_floats(a.input_range)),
                            a.description, a.name)
    print("%s: ops %s" % (a.out, " ".join(ops)))


if __name__ == "__main__":
    main()
