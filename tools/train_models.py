#!/usr/bin/python3
"""Train the three bundled Fashion-MNIST demo models of lrplens and export them.

    /usr/bin/python3 tools/train_models.py [--out-models DIR] [--out-images DIR]
                                           [--data DIR] [--only NAME ...]

Needs (Debian 12): python3-torch python3-onnx python3-numpy python3-pil
dataset-fashion-mnist (idx .gz files in /usr/share/datasets/fashion-mnist).
No network access is needed.

Writes
  resources/models/fashion-{cnn,resnet,mlp}.onnx           (opset 13, 1x1x28x28
                        "input" -> 1x10 "logits", BatchNormalization kept,
                        nodes and tensors named after the modules: conv1, bn1,
                        relu1, ..., pool1, flatten, fc1; block1.conv1, ...)
  resources/models/fashion-*.expected.json                 (reference logits)
  resources/images/fmnist-<testindex>-<label>.png          (28x28 grey test images)
  resources/images/{chelsea,coffee,astronaut,rocket}.jpg   (skimage.data photos)

Everything is seeded; training runs on 2 CPU threads with deterministic
algorithms, so repeated runs on the same machine give the same accuracy.
Exits with status 1 if a model misses its accuracy target.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time
import zlib
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lrplens_meta import (FASHION_MNIST_LABELS, add_lrplens_metadata,  # noqa: E402
                          op_types, torch_export)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEAN, STD = 0.286, 0.353
SEED = 1234

# --------------------------------------------------------------------------
# data


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, "expected unsigned byte idx file"
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion(data_dir):
    p = lambda n: os.path.join(data_dir, n)  # noqa: E731
    xtr = read_idx(p("train-images-idx3-ubyte.gz"))
    ytr = read_idx(p("train-labels-idx1-ubyte.gz"))
    xte = read_idx(p("t10k-images-idx3-ubyte.gz"))
    yte = read_idx(p("t10k-labels-idx1-ubyte.gz"))
    return xtr, ytr, xte, yte


def preprocess(u8):
    """uint8 [..., 28, 28] -> float32 tensor [N, 1, 28, 28], exactly as lrplens does."""
    x = u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(np.ascontiguousarray(x.reshape(-1, 1, 28, 28)))


# --------------------------------------------------------------------------
# models


# Every layer is a named module, created in the same order as before they had
# names (the same random initial weights, so the same training run), so that
# the exported graph names its nodes and tensors after them: conv1, bn1, ...
# (torch_export(readable=True)) rather than /3/Conv.


def conv_bn_relu(cin, cout, k):
    """conv<k>, bn<k>, relu<k>: Conv3x3 (no bias) - BatchNorm - ReLU."""
    return [("conv%d" % k, nn.Conv2d(cin, cout, 3, padding=1, bias=False)),
            ("bn%d" % k, nn.BatchNorm2d(cout)),
            ("relu%d" % k, nn.ReLU(inplace=True))]


def fashion_cnn():
    """VGG-style: (Conv-BN-ReLU x2, MaxPool) x2, Flatten, Linear-ReLU-Dropout-Linear."""
    return nn.Sequential(OrderedDict([
        *conv_bn_relu(1, 16, 1), *conv_bn_relu(16, 16, 2), ("pool1", nn.MaxPool2d(2)),   # 14x14
        *conv_bn_relu(16, 32, 3), *conv_bn_relu(32, 32, 4), ("pool2", nn.MaxPool2d(2)),  # 7x7
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(32 * 7 * 7, 128)), ("relu5", nn.ReLU(inplace=True)),
        ("dropout", nn.Dropout(0.3)),
        ("fc2", nn.Linear(128, 10)),
    ]))


class BasicBlock(nn.Module):
    """conv1-bn1-relu1-conv2-bn2, plus the shortcut (the input itself, or
    shortcut.conv-shortcut.bn when the shape changes), then relu2; the sum
    is exported as the node <block>.add."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu2 = nn.ReLU(inplace=True)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(OrderedDict([
                ("conv", nn.Conv2d(cin, cout, 1, stride, bias=False)),
                ("bn", nn.BatchNorm2d(cout))]))

    def forward(self, x):
        identity = x if self.shortcut is None else self.shortcut(x)
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + identity)


class FashionResNet(nn.Module):
    """Stem conv, 3 basic blocks (16@28, 32@14, 64@7; 1x1-conv shortcuts when
    the shape changes), global average pooling, Linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(OrderedDict([
            ("conv", nn.Conv2d(1, 16, 3, padding=1, bias=False)),
            ("bn", nn.BatchNorm2d(16)), ("relu", nn.ReLU(inplace=True))]))
        self.block1 = BasicBlock(16, 16)
        self.block2 = BasicBlock(16, 32, stride=2)
        self.block3 = BasicBlock(32, 64, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.stem(x))))
        return self.fc(self.flatten(self.pool(x)))


def fashion_mlp():
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(784, 256)), ("relu1", nn.ReLU(inplace=True)),
        ("fc2", nn.Linear(256, 128)), ("relu2", nn.ReLU(inplace=True)),
        ("fc3", nn.Linear(128, 10)),
    ]))


SPECS = {
    # name: (constructor, epochs, lr, target, description)
    "fashion-cnn": (fashion_cnn, 3, 2e-3, 0.90,
                    "VGG-style CNN (4 Conv-BatchNorm-ReLU, 2 MaxPool, 2 Linear)"),
    "fashion-resnet": (FashionResNet, 4, 2e-3, 0.90,
                       "small ResNet (stem + 3 basic residual blocks with BatchNorm, "
                       "1x1-conv shortcuts, global average pooling, Linear)"),
    "fashion-mlp": (fashion_mlp, 5, 1e-3, 0.87,
                    "MLP (784-256-128-10, ReLU)"),
}


# --------------------------------------------------------------------------
# training


@torch.no_grad()
def predict(model, x, batch=1000):
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])


def train(name, xtr, ytr, xte, yte):
    ctor, epochs, lr, target, _ = SPECS[name]
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = ctor()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    bs = 128
    steps = epochs * ((len(xtr) + bs - 1) // bs)
    # linear warm-down of the learning rate: a few epochs are enough this way
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / steps)
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        tot = 0.0
        for i in range(0, len(xtr), bs):
            idx = perm[i:i + bs]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        acc = (predict(model, xte).argmax(1) == yte).float().mean().item()
        print("  %-15s epoch %d/%d  loss %.4f  test acc %.4f  (%.0f s)"
              % (name, ep + 1, epochs, tot / len(xtr), acc, time.time() - t0), flush=True)
    model.eval()
    return model, acc, time.time() - t0


# --------------------------------------------------------------------------
# ONNX export + a tiny numpy reference evaluator to double-check the graph


def export(model, name, path, acc, descr):
    torch_export(model, torch.zeros(1, 1, 28, 28), path, readable=True)
    add_lrplens_metadata(
        path, FASHION_MNIST_LABELS, [MEAN], [STD], "gray", "stretch", (0, 1),
        "%s trained on Fashion-MNIST (28x28 grey), test accuracy %.1f%%."
        % (descr, 100 * acc),
        name=name, test_accuracy=acc)


def _np_conv(x, w, b, strides, pads, group=1):
    assert group == 1
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (x.shape[2] - kh) // strides[0] + 1
    ow = (x.shape[3] - kw) // strides[1] + 1
    cols = np.empty((n, c, kh, kw, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + strides[0] * oh:strides[0],
                                 j:j + strides[1] * ow:strides[1]]
    y = np.einsum("nckluv,ockl->nouv", cols, w)
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def run_onnx_numpy(path, x):
    """Evaluate the (small) exported graph in float64 numpy; supports only the
    ops that train_models.py produces. Independent check of the export."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    env[m.graph.input[0].name] = x.astype(np.float64)
    for nd in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in nd.attribute}
        i = [env[n] if n else None for n in nd.input]
        op = nd.op_type
        if op == "Conv":
            k = i[1].shape[2:]
            y = _np_conv(i[0], i[1], i[2] if len(i) > 2 else None,
                         a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]), a.get("group", 1))
            assert list(a.get("kernel_shape", k)) == list(k)
        elif op == "BatchNormalization":
            s = lambda v: v.reshape(1, -1, 1, 1)  # noqa: E731
            y = s(i[1]) * (i[0] - s(i[3])) / np.sqrt(s(i[4]) + a.get("epsilon", 1e-5)) + s(i[2])
        elif op == "Identity":
            y = i[0]
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "MaxPool":
            assert list(a["kernel_shape"]) == [2, 2] and list(a["strides"]) == [2, 2]
            n, c, h, w = i[0].shape
            y = i[0][:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max((3, 5))
        elif op == "GlobalAveragePool":
            y = i[0].mean((2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            y = a.get("alpha", 1.0) * A @ B + (a.get("beta", 1.0) * i[2] if len(i) > 2 else 0)
        else:
            raise NotImplementedError(op)
        env[nd.output[0]] = y
    return env[m.graph.output[0].name]


def check_onnx(path, want_bn):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = op_types(m)
    if want_bn and "BatchNormalization" not in ops:
        raise SystemExit("%s: BatchNormalization was folded away" % path)
    bad = {"Shape", "Gather", "Concat", "Reshape", "Unsqueeze"} & set(ops)
    if bad:
        print("  warning: %s contains %s" % (os.path.basename(path), sorted(bad)))
    ins = m.graph.input[0].type.tensor_type.shape.dim
    assert m.graph.input[0].name == "input" and [d.dim_value for d in ins] == [1, 1, 28, 28]
    assert m.graph.output[0].name == "logits"
    return ops


# --------------------------------------------------------------------------
# images


def write_png_gray(path, img):
    """Minimal deterministic 8-bit greyscale PNG writer (no extra chunks)."""
    img = np.ascontiguousarray(img, np.uint8)
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def read_png_gray(path):
    """Read back the PNGs written above (via PIL, as an independent decoder)."""
    from PIL import Image
    im = Image.open(path)
    assert im.mode == "L" and im.size == (28, 28)
    return np.asarray(im, np.uint8)


def slug(label):
    return label.lower().replace("/", "-").replace(" ", "-")


def choose_images(pred_cnn, yte, n_wrong=3):
    """First correctly classified test image of every class (by fashion-cnn)
    plus the first n_wrong misclassified ones with distinct true classes."""
    chosen = []
    for c in range(10):
        idx = np.nonzero((yte == c) & (pred_cnn == yte))[0]
        chosen.append(int(idx[0]))
    classes = set()
    for i in np.nonzero(pred_cnn != yte)[0]:
        if len(classes) == n_wrong:
            break
        if int(yte[i]) not in classes:
            classes.add(int(yte[i]))
            chosen.append(int(i))
    return sorted(chosen)


PHOTOS = {
    # file: (skimage.data function, note)
    "chelsea.jpg": "chelsea",
    "coffee.jpg": "coffee",
    "astronaut.jpg": "astronaut",
    "rocket.jpg": "rocket",
}


def write_photos(img_dir, max_bytes=200 * 1024):
    import skimage.data
    from PIL import Image
    out = []
    for fname, func in PHOTOS.items():
        arr = getattr(skimage.data, func)()
        im = Image.fromarray(arr).convert("RGB")
        path = os.path.join(img_dir, fname)
        im.save(path, "JPEG", quality=90, optimize=True)
        if os.path.getsize(path) > max_bytes:  # downscale: shorter side 256
            s = 256.0 / min(im.size)
            im = im.resize((round(im.size[0] * s), round(im.size[1] * s)), Image.LANCZOS)
            im.save(path, "JPEG", quality=90, optimize=True)
        out.append((fname, im.size, os.path.getsize(path)))
    return out


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out-models", default=os.path.join(ROOT, "resources", "models"))
    ap.add_argument("--out-images", default=os.path.join(ROOT, "resources", "images"))
    ap.add_argument("--only", nargs="*", choices=list(SPECS),
                    help="train only these (images are chosen with fashion-cnn, "
                         "so it is always trained)")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.deterministic = True
    os.makedirs(args.out_models, exist_ok=True)
    os.makedirs(args.out_images, exist_ok=True)

    t_all = time.time()
    xtr_u8, ytr_np, xte_u8, yte_np = load_fashion(args.data)
    xtr, xte = preprocess(xtr_u8), preprocess(xte_u8)
    ytr, yte = torch.from_numpy(ytr_np.astype(np.int64)), torch.from_numpy(yte_np.astype(np.int64))
    print("Fashion-MNIST: %d train, %d test images" % (len(xtr), len(xte)))

    names = list(SPECS)
    if args.only:
        names = [n for n in names if n in args.only or n == "fashion-cnn"]

    results, failed, pngs = {}, [], None
    for name in names:
        _, _, _, target, descr = SPECS[name]
        model, acc, secs = train(name, xtr, ytr, xte, yte)
        ok = acc >= target
        if not ok:
            failed.append(name)
        print("%-15s test accuracy %.4f (target %.2f) %s  trained in %.1f s"
              % (name, acc, target, "OK" if ok else "MISSED", secs), flush=True)

        path = os.path.join(args.out_models, name + ".onnx")
        export(model, name, path, acc, descr)
        ops = check_onnx(path, want_bn=(name != "fashion-mlp"))

        if pngs is None:  # bundled test images, chosen with the first model (fashion-cnn)
            pred = predict(model, xte).argmax(1).numpy()
            pngs = {}
            for i in choose_images(pred, yte_np):
                fn = "fmnist-%d-%s.png" % (i, slug(FASHION_MNIST_LABELS[yte_np[i]]))
                write_png_gray(os.path.join(args.out_images, fn), xte_u8[i])
                back = read_png_gray(os.path.join(args.out_images, fn))
                assert np.array_equal(back, xte_u8[i])
                pngs[fn] = (i, int(yte_np[i]), back)

        # reference logits on exactly the PNG pixels
        fns = sorted(pngs, key=lambda f: pngs[f][0])
        xb = preprocess(np.stack([pngs[f][2] for f in fns]))
        with torch.no_grad():
            logits = torch.cat([model(xb[k:k + 1]) for k in range(len(fns))]).numpy()
        ref = np.concatenate([run_onnx_numpy(path, xb[k:k + 1].numpy()) for k in range(len(fns))])
        maxdiff = float(np.abs(ref - logits).max())
        if maxdiff > 1e-4:
            raise SystemExit("%s: numpy ONNX evaluation differs from torch by %g" % (name, maxdiff))
        images = {}
        for k, f in enumerate(fns):
            images[f] = {"index": pngs[f][0], "label": pngs[f][1],
                         "predicted": int(logits[k].argmax()),
                         "logits": [float(v) for v in logits[k]]}
        bundled = sum(v["label"] == v["predicted"] for v in images.values()) / len(images)
        exp = {"model": name, "test_accuracy": round(acc, 4), "images": images,
               "bundled_accuracy": round(bundled, 4),
               "preprocess": "x = (pixel/255 - %g) / %g, float32, shape 1x1x28x28" % (MEAN, STD)}
        with open(os.path.join(args.out_models, name + ".expected.json"), "w") as fh:
            json.dump(exp, fh, indent=1)
            fh.write("\n")
        size = os.path.getsize(path)
        results[name] = (acc, secs, size, ops, bundled)
        print("  exported %s (%.0f KB), ops: %s; numpy check max |diff| %.2g; "
              "bundled images %d/%d correct"
              % (os.path.basename(path), size / 1024, " ".join(ops), maxdiff,
                 round(bundled * len(images)), len(images)), flush=True)

    for fname, sz, nbytes in write_photos(args.out_images):
        print("photo %s %dx%d %.0f KB" % (fname, sz[0], sz[1], nbytes / 1024))

    print("\nSummary")
    for name, (acc, secs, size, ops, bundled) in results.items():
        print("  %-15s acc %.4f  train %5.1f s  %4.0f KB  bundled %.2f" %
              (name, acc, secs, size / 1024, bundled))
    print("  bundled images: %s" % " ".join(sorted(pngs, key=lambda f: pngs[f][0])))
    print("total time %.1f s" % (time.time() - t_all))
    if failed:
        print("FAILED: accuracy target missed for %s" % ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
