#!/usr/bin/python3
"""Zennit's way of computing LRP, re-implemented on PyTorch: a yardstick for
lrplens's speed and an independent check of its numbers on a large network.

Zennit itself is not packaged for Debian and PyPI is out of reach here, so
this script re-implements its mechanism (lrp-rules.md §0): every Conv/Linear
gets a hook whose backward re-runs the layer's forward once per (input,
parameter) modifier pair with modified weights and maps the relevance back
through each with autograd (Zennit's BasicHook); activations take the Pass
rule, average pools Norm, MaxPool its gradient.  The rules are those of
lrp-rules.md §2 with Zennit's pass counts (Gamma 5 forwards and 5 transposed
products per layer, ZPlus 2, ZBox 3, Flat and Epsilon 1), so the work per
layer is what Zennit does.  Torchvision VGG and ResNet networks (the latter
with Zennit's ResNetCanonizer: BatchNorm merged, residual sums as Norm;
the *_bn VGGs with its VGGCanonizer: BatchNorm merged).

  bench LRPLENS VGG16.onnx [--runs N]
      times epsilon_gamma_box and epsilon_plus_flat here (float32, 2 threads)
      and with `lrplens bench` on the same network and input, side by side.
  check LRPLENS MODEL.onnx ARCH [--tolerance T]
      computes both composites in float64 and checks lrplens's input
      relevance against them (max |difference| / max |R| <= T); TAP output.
  ties LRPLENS MODEL.onnx ARCH [IMAGE...] [--size N] [--tolerance T]
      the same, with the gradient baselines too, on synthetic images with
      flat regions (flat_images: blocks, checker, clipped, letterbox, ramp,
      sky), where MaxPool windows tie in exact arithmetic, or on the bundled
      photos (photo-astronaut, -chelsea, -coffee, -rocket, -letterbox), at
      N × N (MODEL.onnx exported at that size); TAP output.

MODEL.onnx must come from tools/export_torchvision.py ARCH (random weights,
seed 0), which this script rebuilds in torch.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision import build  # noqa: E402
from lrplens_meta import IMAGENET_MEAN, IMAGENET_STD  # noqa: E402

EPS = 1e-6


def stab(z, eps=EPS):
    return z + eps * torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z))


def apply(layer, x, w, b):
    if isinstance(layer, torch.nn.Conv2d):
        return F.conv2d(x, w, b, layer.stride, layer.padding, layer.dilation, layer.groups)
    return F.linear(x, w, b)


def basic_hook(layer, x, passes, mapper, reducer):
    """Zennit's BasicHook.backward: one forward per pass (input modifier,
    weight, bias), seeds from the upper relevance, autograd back through each
    pass, then the reducer."""
    def backward(grad_out):
        inputs = [m(x).detach().requires_grad_() for m, _, _ in passes]
        with torch.enable_grad():
            outputs = [apply(layer, xi, w, b) for xi, (_, w, b) in zip(inputs, passes)]
            seeds = mapper(grad_out, [o.detach() for o in outputs])
            grads = torch.autograd.grad(outputs, inputs, seeds, allow_unused=True)
        return reducer(inputs, grads)
    return backward


def pos(t):
    return t.clamp(min=0)


def neg(t):
    return t.clamp(max=0)


def rule_epsilon(layer, x):
    w, b = layer.weight, layer.bias
    return basic_hook(layer, x, [(lambda v: v, w, b)],
                      lambda g, o: [g / stab(o[0])],
                      lambda i, g: i[0] * g[0])


def rule_zplus(layer, x):
    w, b = layer.weight, layer.bias
    return basic_hook(layer, x, [(pos, pos(w), pos(b)), (neg, neg(w), None)],
                      lambda g, o: [g / stab(o[0] + o[1])] * 2,
                      lambda i, g: i[0] * g[0] + i[1] * g[1])


def rule_gamma(layer, x, gamma=0.25):
    w, b = layer.weight, layer.bias
    wu, wd, bu, bd = w + gamma * pos(w), w + gamma * neg(w), b + gamma * pos(b), b + gamma * neg(b)

    def mapper(g, o):
        zu, zd, z = o[0] + o[1], o[2] + o[3], o[4]
        su = torch.where(z > 0, g / stab(zu), torch.zeros_like(g))
        sd = torch.where(z < 0, g / stab(zd), torch.zeros_like(g))
        return [su, su, sd, sd, torch.zeros_like(g)]
    return basic_hook(layer, x, [(pos, wu, bu), (neg, wd, None), (pos, wd, bd), (neg, wu, None),
                                 (lambda v: v, w, b)],
                      mapper, lambda i, g: i[0] * g[0] + i[1] * g[1] + i[2] * g[2] + i[3] * g[3])


def rule_zbox(layer, x, low, high):
    w, b = layer.weight, layer.bias
    lo, hi = low.expand_as(x), high.expand_as(x)
    return basic_hook(layer, x, [(lambda v: v, w, b), (lambda v: lo, pos(w), pos(b)),
                                 (lambda v: hi, neg(w), neg(b))],
                      lambda g, o: [g / stab(o[0] - o[1] - o[2])] * 3,
                      lambda i, g: i[0] * g[0] - i[1] * g[1] - i[2] * g[2])


def rule_flat(layer, x):
    ones = torch.ones_like(layer.weight)
    return basic_hook(layer, x, [(torch.ones_like, ones, None)],
                      lambda g, o: [g / stab(o[0])],
                      lambda i, g: g[0])


class Hooked(torch.autograd.Function):
    """Identity in forward; in backward the rule replaces the gradient."""
    @staticmethod
    def forward(ctx, x, y, rule):
        ctx.rule = rule
        return y.detach().clone()

    @staticmethod
    def backward(ctx, grad):
        return ctx.rule(grad), None, None


class Walker:
    """Runs a network module by module, attaching the composite's rule to
    each, as Zennit's hooks do."""

    def __init__(self, composite, low, high):
        self.composite, self.low, self.high = composite, low, high
        self.first = True

    def linear(self, layer, h):
        xin = h.detach()
        if self.first:
            rule = rule_zbox(layer, xin, self.low, self.high) \
                if self.composite == "epsilon_gamma_box" else rule_flat(layer, xin)
            self.first = False
        elif isinstance(layer, torch.nn.Linear):
            rule = rule_epsilon(layer, xin)
        else:
            rule = rule_gamma(layer, xin) if self.composite == "epsilon_gamma_box" \
                else rule_zplus(layer, xin)
        with torch.no_grad():
            y = layer(xin)
        return Hooked.apply(h, y, rule)

    @staticmethod
    def relu(layer, h):                     # Pass
        y = layer(h.detach())
        return h + (y - h).detach()

    @staticmethod
    def norm(fn, *hs):
        """Norm (AvgPool, and the residual sum): x ⊙ J(fn)ᵀ[R / stab(fn(x))]
        for every input."""
        xs = [h.detach() for h in hs]
        with torch.no_grad():
            y = fn(*xs)

        def rule(g):
            xi = [v.clone().requires_grad_() for v in xs]
            with torch.enable_grad():
                out = fn(*xi)
                gi = torch.autograd.grad(out, xi, g / stab(out.detach()))
            return tuple(v * gv for v, gv in zip(xs, gi))
        return NormOp.apply(rule, y, *hs)

    def module(self, layer, h):
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            return self.linear(layer, h)
        if isinstance(layer, torch.nn.ReLU):
            return self.relu(layer, h)
        if isinstance(layer, torch.nn.AdaptiveAvgPool2d):
            return self.norm(layer, h)
        return layer(h)                     # MaxPool, Flatten, Dropout: gradient


class NormOp(torch.autograd.Function):
    """Output y in forward; in backward the rule gives every input's share."""
    @staticmethod
    def forward(ctx, rule, y, *hs):
        ctx.rule = rule
        return y.detach().clone()

    @staticmethod
    def backward(ctx, grad):
        return (None, None) + ctx.rule(grad)


@torch.no_grad()
def merged(conv, bn):
    """Zennit's MergeBatchNorm: W·s, (b − μ)·s + β with s = γ/√(σ² + ε)."""
    s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    out = torch.nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                          conv.padding, conv.dilation, conv.groups, bias=True)
    out = out.to(conv.weight.dtype)
    out.weight.copy_(conv.weight * s.view(-1, 1, 1, 1))
    b = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    out.bias.copy_((b - bn.running_mean) * s + bn.bias)
    return out


ONNX_OP = {torch.nn.Conv2d: "Conv", torch.nn.BatchNorm2d: "BatchNormalization",
           torch.nn.ReLU: "Relu", torch.nn.MaxPool2d: "MaxPool"}


def feature_tensor(i, layer):
    """The ONNX name torch.onnx gives the output of a VGG's features[i]."""
    return "/features/features.%d/%s_output_0" % (i, ONNX_OP[type(layer)])


def keep_grad(store, name, h):
    """Records the gradient that reaches @h (in Zennit's mechanism: the
    relevance of that tensor) as store[name]."""
    if store is not None and h.requires_grad:
        h.register_hook(lambda g: store.__setitem__(name, g.detach().numpy().copy()))


def run_vgg(model, walk, h, store=None):
    """torchvision VGG under Zennit's VGGCanonizer: a BatchNorm right after
    a convolution is merged into it.  With @store, the relevance of every
    features tensor, by its ONNX name (a merged pair's under the BatchNorm's)."""
    layers = list(model.features) + [model.avgpool, torch.nn.Flatten()] + list(model.classifier)
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, torch.nn.Conv2d) and i + 1 < len(layers) \
                and isinstance(layers[i + 1], torch.nn.BatchNorm2d):
            layer = merged(layer, layers[i + 1])
            i += 1
        h = walk.module(layer, h)
        if i < len(model.features):
            keep_grad(store, feature_tensor(i, layers[i]), h)
        i += 1
    return h


def run_resnet(model, walk, h, store=None):
    """torchvision ResNet under Zennit's ResNetCanonizer: BatchNorms merged
    into their convolutions, the residual sum a module with the Norm rule.
    With @store, the relevance of every tensor up to the last block, by its
    ONNX name (a merged pair's under the BatchNorm's)."""
    def keep(name, t):
        keep_grad(store, name, t)
        return t

    h = keep("/bn1/BatchNormalization_output_0",
             walk.linear(merged(model.conv1, model.bn1), h))
    h = keep("/relu/Relu_output_0", walk.relu(model.relu, h))
    h = keep("/maxpool/MaxPool_output_0", model.maxpool(h))
    for s, stage in enumerate((model.layer1, model.layer2, model.layer3, model.layer4), 1):
        for b, block in enumerate(stage):
            at = "/layer%d/layer%d.%d/" % (s, s, b)
            convs = [(block.conv1, block.bn1), (block.conv2, block.bn2)]
            if hasattr(block, "conv3"):
                convs.append((block.conv3, block.bn3))
            shortcut = h
            if block.downsample is not None:
                shortcut = keep(at + "downsample/downsample.1/BatchNormalization_output_0",
                                walk.linear(merged(block.downsample[0], block.downsample[1]), h))
            out = h
            for i, (conv, bn) in enumerate(convs):
                out = keep(at + "bn%d/BatchNormalization_output_0" % (i + 1),
                           walk.linear(merged(conv, bn), out))
                if i < len(convs) - 1:
                    out = walk.relu(block.relu, out)
                    if i == 0:
                        keep(at + "relu/Relu_output_0", out)
            h = keep(at + "Add_output_0", walk.norm(torch.add, out, shortcut))
            h = keep(at + "relu_1/Relu_output_0" if len(convs) == 2 else at + "relu_2/Relu_output_0",
                     walk.relu(block.relu, h))
    h = walk.norm(model.avgpool, h)
    return walk.module(model.fc, torch.flatten(h, 1))


def explain(model, x, composite, target, low, high, store=None):
    """Relevance at the input of a torchvision VGG or ResNet for one class,
    seeded with the class's logit; the gradient baselines ("gradient",
    "gradient_x_input") on the model as it is (BatchNorm unmerged).  With
    @store (VGG only), the relevance (for "gradient": the gradient) of
    every features tensor too, by its ONNX name."""
    x = x.clone().requires_grad_()
    if composite.startswith("gradient"):
        hooks = []
        if store is not None and composite == "gradient" and hasattr(model, "features"):
            # An in-place ReLU's output is its input's tensor: a hook on it would
            # see the gradient behind the ReLU.
            for m in model.modules():
                if isinstance(m, torch.nn.ReLU):
                    m.inplace = False
            for i, layer in enumerate(model.features):
                hooks.append(layer.register_forward_hook(
                    lambda m, inp, out, name=feature_tensor(i, layer): keep_grad(store, name,
                                                                                 out)))
        h = model(x)
        for hook in hooks:
            hook.remove()
        seed = torch.zeros_like(h)
        seed[0, target] = h[0, target].detach()
        h.backward(seed)
        return x.grad.detach() * (x.detach() if composite == "gradient_x_input" else 1)
    walk = Walker(composite, low, high)
    h = run_resnet(model, walk, x, store) if hasattr(model, "layer1") \
        else run_vgg(model, walk, x, store)
    seed = torch.zeros_like(h)
    seed[0, target] = h[0, target].detach()
    h.backward(seed)
    return x.grad.detach()


def median_time(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), min(times), max(times)


COMPOSITES = ("epsilon_gamma_box", "epsilon_plus_flat")


def setup(arch):
    """The network, a seeded input, its predicted class and the ZBox bounds."""
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    model, _, _ = build(arch, None, 0)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(7))
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        target = int(model(x).argmax())
    return model, x, target, (0 - mean) / std, (1 - mean) / std


def lrplens_relevance(lrplens, model_file, inp, comp, target, tmp, layers=None):
    """lrplens's input relevance; with @layers (a dict), that of every tensor
    too, by name."""
    out = os.path.join(tmp, comp + ".npy")
    how = ["--baseline", comp] if comp.startswith("gradient") else ["--composite", comp]
    extra = []
    if layers is not None:
        layer_dir = os.path.join(tmp, "layers")
        extra = ["--layers", layer_dir]
    subprocess.run([lrplens, "explain", model_file, inp] + how + [
        "--class", str(target), "--out", out] + extra, check=True, stdout=subprocess.DEVNULL)
    if layers is not None:
        import json
        import shutil
        with open(os.path.join(layer_dir, "index.json")) as f:
            index = json.load(f)
        for name, entry in index.items():
            layers[name] = np.load(os.path.join(layer_dir, entry["file"]))
        shutil.rmtree(layer_dir)
    return np.load(out)


def worst_layer(want, got):
    """The intermediate tensor where lrplens is furthest from the reference,
    relative to that tensor's largest |R|: (error, name), or (0, None)."""
    worst = (0.0, None)
    for name, w in want.items():
        scale = float(np.abs(w).max())
        if name not in got or scale == 0:
            if name not in got:
                worst = max(worst, (float("inf"), name))
            continue
        worst = max(worst, (float(np.abs(got[name] - w).max() / scale), name))
    return worst


def bench(a):
    model, x, target, low, high = setup("vgg16")
    with torch.no_grad():
        fwd = median_time(lambda: model(x), a.runs)
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "x.npy")
        np.save(inp, x.numpy())
        print("PyTorch %s, %d threads, VGG16 1x3x224x224, median of %d" %
              (torch.__version__, torch.get_num_threads(), a.runs))
        print("  torch forward: %.0f ms" % (fwd[0] * 1e3))
        for comp in COMPOSITES:
            t = median_time(lambda: explain(model, x, comp, target, low, high), a.runs)
            bench_out = subprocess.run([a.lrplens, "bench", a.model, inp, "--composite", comp,
                                        "--runs", str(a.runs)], check=True, capture_output=True,
                                       text=True).stdout
            line = next(ln for ln in bench_out.splitlines() if ln.startswith("explain "))
            ms = float(line.split(":")[1].split("ms")[0])
            print("  %s: Zennit's mechanism on PyTorch %.0f ms (min %.0f, max %.0f); "
                  "lrplens %.0f ms = %.2fx" %
                  (comp, t[0] * 1e3, t[1] * 1e3, t[2] * 1e3, ms, ms / (t[0] * 1e3)))


def check(a):
    model, x, target, low, high = setup(a.arch)
    model = model.double()
    failed = 0
    print("1..%d" % len(COMPOSITES))
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "x.npy")
        np.save(inp, x.numpy())
        for n, comp in enumerate(COMPOSITES, 1):
            want = explain(model, x.double(), comp, target, low.double(), high.double()).numpy()
            got = lrplens_relevance(a.lrplens, a.model, inp, comp, target, tmp)
            err = float(np.abs(got - want).max() / np.abs(want).max())
            ok = err <= a.tolerance
            failed += not ok
            print("%sok %d %s %s class %d: input relevance max error %.2e of max |R| against "
                  "float64 PyTorch (tolerance %.0e)" %
                  ("" if ok else "not ", n, a.arch, comp, target, err, a.tolerance))
    return 1 if failed else 0


def flat_images(size=224, seed=3):
    """Pictures with flat regions, in [0, 1], quantised to 8 bits as a
    decoded photo is: identical pixels make identical receptive fields, whose
    MaxPool ties exact arithmetic breaks in favour of the first position."""
    g = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    noise = g.random((3, size, size))
    smooth = np.clip(0.5 + 0.5 * np.sin(xx / 17.0 + 2 * np.sin(yy / 23.0))[None]
                     * np.array([0.9, 0.6, 0.3])[:, None, None] + 0.1 * noise, 0, 1)
    imgs = {}
    blocks = g.random((3, 8, 8))[:, yy * 8 // size, xx * 8 // size]
    imgs["blocks"] = blocks
    box = smooth.copy()
    box[:, :size // 5] = 0
    box[:, size - size // 5:] = 0
    imgs["letterbox"] = box
    imgs["checker"] = np.where(((yy // 16 + xx // 16) % 2)[None] == 0,
                               np.array([0.9, 0.8, 0.2])[:, None, None],
                               np.array([0.1, 0.3, 0.6])[:, None, None])
    imgs["ramp"] = np.broadcast_to((xx / (size - 1))[None] * np.array([1.0, 0.7, 0.4])
                                   [:, None, None], (3, size, size))
    sky = smooth.copy()
    sky[:, :size * 2 // 5] = np.array([0.55, 0.7, 0.95])[:, None, None]
    imgs["sky"] = sky
    imgs["clipped"] = np.clip(1.6 * smooth + 0.2, 0, 1)
    return {k: np.round(v * 255) / 255 for k, v in imgs.items()}


PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")


def photo_images(size=224):
    """The bundled photos, which have saturated and uniform areas (a studio
    backdrop, clipped highlights, a clear sky), squashed to size × size as
    8-bit pixels, and one letterboxed (its aspect kept, black bars)."""
    from PIL import Image
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "images")
    imgs = {}
    for name in PHOTOS:
        im = Image.open(os.path.join(root, name + ".jpg")).convert("RGB")
        imgs["photo-" + name] = np.asarray(im.resize((size, size), Image.BILINEAR)) \
            .transpose(2, 0, 1) / 255.0
        if name == "chelsea":
            h = round(size * im.height / im.width)
            box = np.zeros((3, size, size))
            box[:, (size - h) // 2:(size - h) // 2 + h] = \
                np.asarray(im.resize((size, h), Image.BILINEAR)).transpose(2, 0, 1) / 255.0
            imgs["photo-letterbox"] = box
    return imgs


TIES_METHODS = COMPOSITES + ("gradient", "gradient_x_input")


def ties(a):
    """lrplens against float64 PyTorch on images with flat regions."""
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    model, _, _ = build(a.arch, None, 0)
    model32 = None          # the same network in float32, built for the first miss
    model = model.double()
    mean = np.array(IMAGENET_MEAN).reshape(1, 3, 1, 1)
    std = np.array(IMAGENET_STD).reshape(1, 3, 1, 1)
    low = torch.from_numpy((0 - mean) / std).float().double()
    high = torch.from_numpy((1 - mean) / std).float().double()
    images = flat_images(a.size)
    images.update(photo_images(a.size))
    names = a.images or sorted(k for k in images if not k.startswith("photo-"))
    failed, n = 0, 0
    print("1..%d" % (len(names) * len(TIES_METHODS)))
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            x = ((images[name][None] - mean) / std).astype(np.float32)
            inp = os.path.join(tmp, "x.npy")
            np.save(inp, x)
            xt = torch.from_numpy(x).double()
            with torch.no_grad():
                target = int(model(xt).argmax())
            for comp in TIES_METHODS:
                n += 1
                layers = a.layers and not comp.startswith("gradient") or \
                    (a.layers and comp == "gradient" and hasattr(model, "features"))
                want_layers, got_layers = ({}, {}) if layers else (None, None)
                want = explain(model, xt, comp, target, low, high, want_layers).numpy()
                got = lrplens_relevance(a.lrplens, a.model, inp, comp, target, tmp, got_layers)
                diff = np.abs(got - want) / np.abs(want).max()
                err = float(diff.max())
                inner = ""
                ok = err <= a.tolerance
                if layers:
                    layer_err, layer = worst_layer(want_layers, got_layers)
                    ok = ok and layer_err <= a.tolerance
                    inner = "; %d tensors inside, worst %.2e (%s)" % (len(want_layers), layer_err,
                                                                    layer)
                failed += not ok
                if not ok:
                    # How far the mechanism itself lands from float64 when run in
                    # float32, as Zennit usually runs: a miss that float32
                    # PyTorch shares is float32's limit, not a wrong winner.
                    if model32 is None:
                        model32 = build(a.arch, None, 0)[0].float()
                    want32 = explain(model32, torch.from_numpy(x), comp, target, low.float(),
                                     high.float()).double().numpy()
                    inner += "; float32 PyTorch misses by %.2e" % (
                        np.abs(want32 - want).max() / np.abs(want).max())
                print("%sok %d %s %s %s class %d: max error %.2e of max |R|, 99th percentile "
                      "%.1e%s (tolerance %.0e)" % ("" if ok else "not ", n, a.arch, name, comp,
                                                   target, err, np.percentile(diff, 99), inner,
                                                   a.tolerance))
                sys.stdout.flush()
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bench")
    b.add_argument("lrplens")
    b.add_argument("model", metavar="VGG16.onnx")
    b.add_argument("--runs", type=int, default=5)
    c = sub.add_parser("check")
    c.add_argument("lrplens")
    c.add_argument("model", metavar="MODEL.onnx")
    c.add_argument("arch")
    c.add_argument("--tolerance", type=float, default=1e-4)
    t = sub.add_parser("ties")
    t.add_argument("lrplens")
    t.add_argument("model", metavar="MODEL.onnx")
    t.add_argument("arch")
    t.add_argument("images", nargs="*", help="default: the synthetic ones; photo-* are the "
                   "bundled photos (astronaut, chelsea, coffee, rocket, letterbox)")
    t.add_argument("--size", type=int, default=224, help="as the model was exported with")
    t.add_argument("--layers", action="store_true",
                   help="VGG: compare every features tensor too, each against its own max |R| "
                        "(LRP composites and the gradient)")
    t.add_argument("--tolerance", type=float, default=1e-4)
    a = ap.parse_args()
    sys.exit(bench(a) if a.command == "bench" else check(a) if a.command == "check" else ties(a))


if __name__ == "__main__":
    main()
