#!/usr/bin/python3
"""Where float32 cannot pick a MaxPool winner: for a torchvision VGG (random
weights, seed 0, as tools/export_torchvision.py builds it) on the flat
images of tools/torch_lrp.py (and its photo-* ones), count per MaxPool the windows of the float64
forward pass whose maximum has a rival from a *different* receptive field
closer than float32 resolves (--band, times the layer's largest value).
Identical receptive fields (the classes of engine/lrp-ties.c, recomputed
here) tie exactly and are not counted; also checks that the first position
of the maximum's class is the one PyTorch's MaxPool picks.

  ties_near.py ARCH [IMAGE...] [--band B]
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision import build  # noqa: E402
from lrplens_meta import IMAGENET_MEAN, IMAGENET_STD  # noqa: E402
from torch_lrp import flat_images, photo_images  # noqa: E402


def relabel(keys):
    _, ids = np.unique(keys, axis=0, return_inverse=True)
    return ids.reshape(-1) + 1          # 0 is the padding


def window_keys(cls, k, s, p, pad_value):
    h, w = cls.shape
    c = np.pad(cls, p, constant_values=pad_value)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    taps = [c[i:i + s * oh:s, j:j + s * ow:s] for i in range(k) for j in range(k)]
    return np.stack(taps, -1).reshape(oh * ow, k * k), (oh, ow)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("arch")
    ap.add_argument("images", nargs="*")
    ap.add_argument("--band", type=float, default=2e-7)
    a = ap.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    model = build(a.arch, None, 0)[0].double().eval()
    mean = np.array(IMAGENET_MEAN).reshape(1, 3, 1, 1)
    std = np.array(IMAGENET_STD).reshape(1, 3, 1, 1)
    images = flat_images()
    images.update(photo_images())
    for name in a.images or sorted(images):
        x = ((images[name][None] - mean) / std).astype(np.float32)
        h = torch.from_numpy(x).double()
        cls = relabel(x[0].reshape(3, -1).T).reshape(x.shape[2:])
        counts = []
        with torch.no_grad():
            for layer in model.features:
                if isinstance(layer, torch.nn.Conv2d):
                    keys, shape = window_keys(cls, layer.kernel_size[0], layer.stride[0],
                                              layer.padding[0], 0)
                    cls = relabel(keys).reshape(shape)
                elif isinstance(layer, torch.nn.MaxPool2d):
                    v = h[0].numpy()
                    k, s = layer.kernel_size, layer.stride
                    keys, shape = window_keys(cls, k, s, 0, 0)
                    wins = np.stack([v[:, i:i + s * shape[0]:s, j:j + s * shape[1]:s]
                                     for i in range(k) for j in range(k)], -1)
                    tap_cls = keys.reshape(shape + (k * k,))
                    m = wins.max(-1, keepdims=True)
                    first = (wins == m).argmax(-1)
                    best_cls = np.take_along_axis(np.broadcast_to(tap_cls, wins.shape),
                                                  first[..., None], -1)
                    ours = (np.broadcast_to(tap_cls, wins.shape) == best_cls).argmax(-1)
                    rival = (np.abs(wins - m) <= a.band * np.abs(v).max()) & (wins != m) \
                        & (m > 0)
                    counts.append((int(rival.any(-1).sum()), int((ours != first).sum())))
                    cls = relabel(np.sort(keys, -1)).reshape(shape)
                h = layer(h)
        print("%s %s: per MaxPool, windows with a near rival of another class "
              "(and where the first of the class is not PyTorch's pick): %s" %
              (a.arch, name, " ".join("%d (%d)" % c for c in counts)))


if __name__ == "__main__":
    main()
