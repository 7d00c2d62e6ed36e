"""Shared helpers for writing lrplens metadata into ONNX models.

lrplens reads these ONNX ``metadata_props`` (all values are strings):

  lrplens.name          short model name
  lrplens.description   one human readable sentence
  lrplens.labels        JSON array of class names (index = output index)
  lrplens.mean          JSON array, one value per input channel
  lrplens.std           JSON array, one value per input channel
  lrplens.color         "gray" or "rgb"
  lrplens.resize        "stretch" or "crop:<N>"
  lrplens.input_range   JSON [low, high]: pixel range after /255, before
                        (x - mean) / std
  lrplens.test_accuracy optional, e.g. "0.912"

See tools/README-models.md for defaults and the MODEL.json override file.

Only needs the ``onnx`` Python package (python3-onnx on Debian), so it can
also be used for models that were not exported from PyTorch (e.g. tf2onnx).
Command line use:

  python3 tools/lrplens_meta.py MODEL.onnx --labels labels.txt \
      --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --color rgb \
      --resize crop:256 --description "My classifier"
"""

import argparse
import json
import sys

PREFIX = "lrplens."

FASHION_MNIST_LABELS = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def _num(v):
    """A float for JSON; integral values as int ("[0, 1]" rather than "[0.0, 1.0]")."""
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def default_resize(height, width):
    """lrplens' default when lrplens.resize is missing: "stretch" for inputs
    of at most 64 px, else "crop:<round(size/0.875)>" (224 -> crop:256)."""
    size = min(height, width)
    return "stretch" if max(height, width) <= 64 else "crop:%d" % round(size / 0.875)


def lrplens_metadata(labels, mean, std, color, resize, input_range=(0, 1),
                     description="", name=None, test_accuracy=None, extra=None):
    """Return the dict {key: string value} of lrplens metadata (keys prefixed)."""
    if color not in ("gray", "rgb"):
        raise ValueError("color must be 'gray' or 'rgb'")
    if not (resize == "stretch" or (resize.startswith("crop:") and resize[5:].isdigit())):
        raise ValueError("resize must be 'stretch' or 'crop:<N>'")
    nch = 1 if color == "gray" else 3
    mean = [_num(m) for m in mean]
    std = [_num(s) for s in std]
    if len(mean) not in (1, nch) or len(std) not in (1, nch):
        raise ValueError("mean/std must have 1 or %d entries" % nch)
    if any(s == 0 for s in std):
        raise ValueError("std must not be 0")
    lo, hi = input_range
    meta = {}
    if name:
        meta["name"] = str(name)
    meta["description"] = str(description)
    meta["labels"] = json.dumps([str(l) for l in labels], ensure_ascii=False)
    meta["mean"] = json.dumps(mean)
    meta["std"] = json.dumps(std)
    meta["color"] = color
    meta["resize"] = resize
    meta["input_range"] = json.dumps([_num(lo), _num(hi)])
    if test_accuracy is not None:
        meta["test_accuracy"] = "%.4f" % float(test_accuracy)
    if extra:
        meta.update({k: str(v) for k, v in extra.items()})
    return {PREFIX + k: v for k, v in meta.items()}


def set_metadata_props(model, props):
    """Set/replace metadata_props on an in-memory onnx.ModelProto."""
    keep = [(p.key, p.value) for p in model.metadata_props if p.key not in props]
    del model.metadata_props[:]
    for k, v in keep + sorted(props.items()):
        p = model.metadata_props.add()
        p.key, p.value = k, v
    return model


def add_lrplens_metadata(onnx_path, labels, mean, std, color, resize,
                         input_range=(0, 1), description="", name=None,
                         test_accuracy=None, extra=None, out_path=None,
                         check=True):
    """Load ``onnx_path``, add/replace the lrplens.* metadata, save it again
    (to ``out_path`` if given) and run onnx.checker. Returns the props dict."""
    import onnx
    model = onnx.load(onnx_path)
    props = lrplens_metadata(labels, mean, std, color, resize, input_range,
                             description, name, test_accuracy, extra)
    set_metadata_props(model, props)
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, out_path or onnx_path)
    return props


def read_lrplens_metadata(onnx_path):
    """Return {key_without_prefix: value} for the lrplens.* props of a model."""
    import onnx
    model = onnx.load(onnx_path, load_external_data=False)
    return {p.key[len(PREFIX):]: p.value for p in model.metadata_props
            if p.key.startswith(PREFIX)}


def op_types(onnx_path_or_model):
    """Sorted list of distinct ONNX op types in the main graph."""
    import onnx
    m = onnx_path_or_model
    if isinstance(m, str):
        m = onnx.load(m)
    return sorted({n.op_type for n in m.graph.node})


def _is_unit_pool(node):
    from onnx import helper
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    return (len(node.output) == 1 and all(k == 1 for k in a.get("kernel_shape", [0]))
            and all(s == 1 for s in a.get("strides", [1]))
            and not any(a.get("pads", [0])) and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
            and all(d == 1 for d in a.get("dilations", [1])))


def simplify_graph(model):
    """Small, semantics-preserving clean-ups of a freshly exported graph so
    that lrplens sees fewer op types:

    * ``Constant`` nodes become initializers (e.g. the min/max of ``Clip``).
    * ``Identity`` nodes whose input is an initializer are removed by giving
      the output its own copy of the tensor (torch.onnx deduplicates equal
      initializers, e.g. the two BatchNorm biases in front of a residual Add,
      which always receive the same gradient, and inserts such Identities).
    * ``Pad`` nodes with all-zero pads (torch 1.13 emits them in front of
      every ``AveragePool``) and 1x1/stride-1 ``AveragePool``/``MaxPool``
      nodes (VGG's AdaptiveAvgPool2d((7, 7)) on a 7x7 map) are removed.
    * initializers that are no longer used are dropped.
    """
    from onnx import numpy_helper
    g = model.graph
    outputs = {o.name for o in g.output}
    inits = {t.name: t for t in g.initializer}
    rename = {}
    keep = []
    for n in g.node:
        for k, name in enumerate(n.input):
            if name in rename:
                n.input[k] = rename[name]
        if n.output[0] in outputs:
            keep.append(n)
        elif n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            t = g.initializer.add()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            inits[t.name] = t
        elif n.op_type == "Identity" and n.input[0] in inits:
            t = g.initializer.add()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            inits[t.name] = t
        elif (n.op_type == "Pad" and len(n.input) >= 2 and n.input[1] in inits
              and not numpy_helper.to_array(inits[n.input[1]]).any()):
            rename[n.output[0]] = n.input[0]  # all pads zero: a no-op in every mode
        elif n.op_type in ("AveragePool", "MaxPool") and _is_unit_pool(n):
            rename[n.output[0]] = n.input[0]  # 1x1 pooling, stride 1 (VGG's AdaptiveAvgPool2d(7) on 7x7)
        else:
            keep.append(n)
    if len(keep) != len(g.node):
        del g.node[:]
        g.node.extend(keep)
    used = {i for n in g.node for i in n.input} | outputs
    unused = [t for t in g.initializer if t.name not in used]
    for t in unused:
        g.initializer.remove(t)
    return model


def _module_path(node_name):
    """torch.onnx (1.13) names a node "/<scope>/.../<OpType>", one scope per
    module it was called in, each the module's attribute name ("conv1"), or
    "<parent>.<index>" for the children of an unnamed nn.Sequential ("stem.0").
    Returns (module path as a list, op type)."""
    parts = [p for p in node_name.split("/") if p]
    if not parts:
        return [], ""
    path = []
    for scope in parts[:-1]:
        atoms = scope.split(".")
        if path and len(atoms) > 1 and atoms[0] == path[-1]:
            atoms = atoms[1:]  # "stem" then "stem.0": the child is "0"
        path.extend(atoms)
    return path, parts[-1]


def readable_names(model):
    """Name every node after the module it comes from, as PyTorch writes it
    (``conv1``, ``block2.shortcut.conv``, ``fc``) instead of torch.onnx's
    ``/block2/shortcut/conv/Conv``, and every intermediate tensor after the
    node that computes it (``/conv1/Conv_output_0`` becomes ``conv1``).
    A node that is the only one of a module without submodules takes the
    module's name; any other node (a functional op such as the residual
    ``+`` in a block's forward(), or one of several nodes of one module) takes
    ``<module>.<op type in lower case>`` (``block1.add``, ``flatten``), with
    ``_1``, ``_2``... if that is taken. Graph inputs, outputs and initializers
    keep their names. Nodes without a torch.onnx scope name keep theirs."""
    g = model.graph
    parsed = [_module_path(n.name) if n.name.startswith("/") else None for n in g.node]
    count = {}
    for p in parsed:
        if p is not None:
            for k in range(len(p[0]) + 1):
                key = tuple(p[0][:k])
                count[key] = count.get(key, 0) + 1
    names, taken = [], set()
    for n, p in zip(g.node, parsed):
        if p is None:
            names.append(n.name)
            taken.add(n.name)
            continue
        path, op = p
        if path and count[tuple(path)] == 1:
            base = ".".join(path)
        else:
            base = ".".join(path + [op.lower()])
        name, k = base, 0
        while name in taken:
            k += 1
            name = "%s_%d" % (base, k)
        names.append(name)
        taken.add(name)
    fixed = ({v.name for v in g.input} | {v.name for v in g.output}
             | {t.name for t in g.initializer})
    clash = fixed & set(names)
    if clash:
        raise ValueError("readable names clash with graph tensors: %s" % sorted(clash))
    rename = {}
    for n, name in zip(g.node, names):
        n.name = name
        for k, out in enumerate(n.output):
            if out and out not in fixed:
                rename[out] = name if len(n.output) == 1 else "%s:%d" % (name, k)
    for n in g.node:
        for k, name in enumerate(n.input):
            if name in rename:
                n.input[k] = rename[name]
        for k, name in enumerate(n.output):
            if name in rename:
                n.output[k] = rename[name]
    for v in g.value_info:
        if v.name in rename:
            v.name = rename[v.name]
    return model


def torch_export(model, dummy_input, onnx_path, opset=13, readable=False):
    """Export a PyTorch classifier the way lrplens likes it: eval mode, fixed
    input shape, input "input", output "logits", opset 13, BatchNormalization
    kept as separate nodes (TrainingMode.PRESERVE with the model in eval mode,
    no constant folding), then simplify_graph() and, with ``readable``,
    readable_names(). Returns the sorted op types."""
    import onnx
    import torch
    model.eval()
    with torch.no_grad():
        torch.onnx.export(
            model, dummy_input, onnx_path, opset_version=opset,
            input_names=["input"], output_names=["logits"],
            training=torch.onnx.TrainingMode.PRESERVE,
            do_constant_folding=False, export_params=True)
    m = simplify_graph(onnx.load(onnx_path))
    if readable:
        readable_names(m)
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    return op_types(m)


def _floats(s):
    return [float(x) for x in s.replace(" ", "").split(",") if x]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Add lrplens metadata to an existing ONNX classifier.")
    ap.add_argument("model", help="ONNX file (modified in place unless -o)")
    ap.add_argument("-o", "--output", help="write to this file instead")
    ap.add_argument("--labels", help="text file with one class name per line, "
                    "or a JSON array file (default: class 0..N-1 in lrplens)")
    ap.add_argument("--num-classes", type=int,
                    help="write labels 'class 0'..'class N-1' if --labels is not given")
    ap.add_argument("--mean", default="0", help="comma separated, e.g. 0.485,0.456,0.406")
    ap.add_argument("--std", default="1", help="comma separated, e.g. 0.229,0.224,0.225")
    ap.add_argument("--color", choices=["gray", "rgb"], required=True)
    ap.add_argument("--resize", default="stretch", help="'stretch' or 'crop:N'")
    ap.add_argument("--input-range", default="0,1", help="low,high (default 0,1)")
    ap.add_argument("--description", default="")
    ap.add_argument("--name")
    ap.add_argument("--show", action="store_true", help="print the metadata afterwards")
    a = ap.parse_args(argv)
    if a.labels:
        txt = open(a.labels, encoding="utf-8").read()
        labels = json.loads(txt) if txt.lstrip().startswith("[") else \
            [l.strip() for l in txt.splitlines() if l.strip()]
    elif a.num_classes:
        labels = ["class %d" % i for i in range(a.num_classes)]
    else:
        sys.exit("need --labels FILE or --num-classes N")
    props = add_lrplens_metadata(a.model, labels, _floats(a.mean), _floats(a.std),
                                 a.color, a.resize, tuple(_floats(a.input_range)),
                                 a.description, a.name, out_path=a.output)
    if a.show:
        for k, v in props.items():
            print("%s = %s" % (k, v if len(v) < 200 else v[:200] + "..."))


if __name__ == "__main__":
    main()
