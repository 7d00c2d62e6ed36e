#!/usr/bin/python3
"""Export a torchvision ImageNet classifier to ONNX for lrplens.

    /usr/bin/python3 tools/export_torchvision.py NAME [--weights PATH|DEFAULT] OUT.onnx \\
        [--check-input IN.npy --check-output LOGITS.npy] [--seed N]

NAME: one of ARCHS below (vgg*, vgg*_bn, resnet*, densenet121, mobilenet_v2,
squeezenet1_1).

--weights PATH     a state_dict (.pth/.pt) file, e.g. from torchvision's
                   download page or your own fine-tuning (ImageNet labels).
--weights DEFAULT  torchvision's default pretrained weights, but only if the
                   file is already in the local torch hub cache
                   (torch.hub.get_dir()/checkpoints/<file name of the URL>);
                   this script never downloads anything.
no weights (or DEFAULT not cached): seeded random weights; a warning is
                   printed and the description says "random weights".
                   BatchNorm statistics are calibrated on noise and then
                   perturbed, so BatchNorm is not the identity; residual
                   branches and the last layer are rescaled so activations
                   and logits stay well-scaled (logit std ~2 on noise).

--check-input IN.npy   float32 1x3x224x224 input (created from a seeded
                       standard normal if the file does not exist)
--check-output OUT.npy float32 logits PyTorch computes for that input

The ONNX file: opset 13, input "input" 1x3x224x224 (RGB, normalised with
the ImageNet mean/std), output "logits" 1x1000, BatchNormalization nodes kept,
lrplens.* metadata (see tools/README-models.md).
"""

import argparse
import os
import re
import sys
import time

import numpy as np
import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lrplens_meta import (IMAGENET_MEAN, IMAGENET_STD,  # noqa: E402
                          add_lrplens_metadata, torch_export)

ARCHS = ["vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn",
         "vgg19_bn", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
         "densenet121", "mobilenet_v2", "squeezenet1_1"]

PRETTY = {"vgg": "VGG-", "resnet": "ResNet-", "densenet": "DenseNet-"}


def pretty(name):
    if name == "mobilenet_v2":
        return "MobileNetV2"
    if name == "squeezenet1_1":
        return "SqueezeNet 1.1"
    m = re.match(r"([a-z]+)(\d+)(_bn)?$", name)
    return PRETTY[m.group(1)] + m.group(2) + (" with BatchNorm" if m.group(3) else "")


def cached_default_weights(name):
    """Return the DEFAULT weights enum if its file is in the hub cache, else None."""
    w = tvm.get_model_weights(name).DEFAULT
    path = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(w.url))
    return (w, path) if os.path.isfile(path) else (None, path)


def load_state_dict_file(model, name, path):
    sd = torch.load(path, map_location="cpu")
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if isinstance(sd, torch.nn.Module):
        sd = sd.state_dict()
    sd = {(k[7:] if k.startswith("module.") else k): v for k, v in sd.items()}
    if name.startswith("densenet"):  # old checkpoints use "norm.1" instead of "norm1"
        pat = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|"
                         r"running_mean|running_var|num_batches_tracked))$")
        sd = {(pat.sub(lambda m: m.group(1) + m.group(2), k)): v for k, v in sd.items()}
    model.load_state_dict(sd)


@torch.no_grad()
def randomise_batchnorm(model, seed):
    """Give BatchNorm layers non-trivial, but well-scaled, statistics: run
    one seeded noise batch in training mode to get realistic running
    mean/var (so activations stay normalised even in deep ResNets), then
    perturb weight/bias/mean/var moderately."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    g = torch.Generator().manual_seed(seed + 1)
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: one batch -> exactly its statistics
    model.train()
    model(torch.randn(2, 3, 224, 224, generator=g))
    model.eval()
    for m in bns:
        n = m.num_features
        u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=g)  # noqa: E731
        m.weight.mul_(u(0.7, 1.3))
        m.bias.add_(0.1 * torch.randn(n, generator=g))
        m.running_mean.add_(0.1 * m.running_var.sqrt() * torch.randn(n, generator=g))
        m.running_var.mul_(u(0.8, 1.25))
        m.momentum = 0.1


@torch.no_grad()
def rescale_random_model(model, seed, residual_damp=0.5, logit_std=2.0):
    """Keep random models well-scaled: damp the last BatchNorm of every ResNet
    residual branch (otherwise the residual sums of the deep ResNets grow to
    activations of ~100s), then scale the final layer so that the logits of
    a seeded noise image have a standard deviation of about ``logit_std``
    (torchvision's init gives VGG/SqueezeNet logits of ~0.1)."""
    for b in model.modules():
        last_bn = getattr(b, "bn3", None) if isinstance(b, tvm.resnet.Bottleneck) else \
            getattr(b, "bn2", None) if isinstance(b, tvm.resnet.BasicBlock) else None
        if last_bn is not None:
            last_bn.weight.mul_(residual_damp)
            last_bn.bias.mul_(residual_damp)
    last = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))][-1]
    model.eval()
    y = model(torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(seed + 2)))
    s = logit_std / max(float(y.std()), 1e-6)
    last.weight.mul_(s)
    if last.bias is not None:
        last.bias.mul_(s)


def build(name, weights, seed):
    """Return (model, weights_description, is_random)."""
    if name not in ARCHS:
        raise SystemExit("unknown architecture %r; choose one of: %s" % (name, " ".join(ARCHS)))
    if weights == "DEFAULT":
        w, path = cached_default_weights(name)
        if w is not None:
            return tvm.get_model(name, weights=w).eval(), "torchvision %s" % w, False
        print("warning: DEFAULT weights for %s are not in the local cache (%s); "
              "not downloading." % (name, path), file=sys.stderr)
        weights = None
    if weights:
        model = tvm.get_model(name, weights=None)
        load_state_dict_file(model, name, weights)
        return model.eval(), "weights from %s" % os.path.basename(weights), False
    print("WARNING: %s has RANDOM weights (seed %d); its predictions and "
          "explanations are meaningless." % (name, seed), file=sys.stderr)
    torch.manual_seed(seed)
    model = tvm.get_model(name, weights=None)
    randomise_batchnorm(model, seed)
    rescale_random_model(model, seed)
    return model.eval(), "random weights (seed %d)" % seed, True


def main(argv=None):
    ap = argparse.ArgumentParser(description="Export a torchvision classifier for lrplens.")
    ap.add_argument("name", metavar="NAME", help=" | ".join(ARCHS))
    ap.add_argument("out", metavar="OUT.onnx")
    ap.add_argument("--weights", metavar="PATH|DEFAULT")
    ap.add_argument("--check-input", metavar="IN.npy")
    ap.add_argument("--check-output", metavar="LOGITS.npy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, default=224, help="input height and width (224)")
    a = ap.parse_args(argv)
    if a.check_output and not a.check_input:
        ap.error("--check-output needs --check-input")

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    t0 = time.time()
    model, wdesc, is_random = build(a.name, a.weights, a.seed)
    t1 = time.time()
    ops = torch_export(model, torch.zeros(1, 3, a.size, a.size), a.out)
    categories = tvm.get_model_weights(a.name).DEFAULT.meta["categories"]
    add_lrplens_metadata(
        a.out, categories, IMAGENET_MEAN, IMAGENET_STD, "rgb", "crop:256", (0, 1),
        "%s (torchvision) for ImageNet, %s." % (pretty(a.name), wdesc)
        + (" Predictions are meaningless." if is_random else ""),
        name=a.name + ("-random" if is_random else ""),
        extra={"weights": "random" if is_random else "trained"})
    t2 = time.time()

    if a.check_input:
        if os.path.exists(a.check_input):
            x = np.load(a.check_input).astype(np.float32)
        else:
            x = torch.randn(1, 3, a.size, a.size, generator=torch.Generator().manual_seed(
                12345)).numpy()
            np.save(a.check_input, x)
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy().astype(np.float32)
        if a.check_output:
            np.save(a.check_output, logits)
        print("check: logits mean %.3f std %.3f max %.3f argmax %d" %
              (logits.mean(), logits.std(), logits.max(), logits.argmax()))
    print("%s: %s  %.1f MB  build %.1f s, export %.1f s  ops: %s" %
          (a.name, a.out, os.path.getsize(a.out) / 1e6, t1 - t0, t2 - t1, " ".join(ops)))


if __name__ == "__main__":
    main()
