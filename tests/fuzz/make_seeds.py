#!/usr/bin/env python3
# Writes the seed corpora of tests/fuzz/seeds/ (small: the fuzzer grows its
# own corpus outside the tree).  tools/fuzz.sh adds tests/data, the
# regressions and, when installed, the ONNX test data of libonnx-testdata.
# Run from tests/fuzz with Debian's /usr/bin/python3 (python3-onnx, -pil).
import io
import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

S = "seeds/"
rng = np.random.default_rng(8)


def init(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def save(nodes, inputs, outputs, inits, path, opset=13, meta=None):
    g = helper.make_graph(nodes, "seed", inputs, outputs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    for k, v in (meta or {}).items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, S + "model/" + path)


x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 6, 6])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])
meta = {"lrplens.labels": json.dumps(["a", "b", "c"]), "lrplens.mean": "[0.5]",
        "lrplens.std": "[0.25]", "lrplens.input_range": "[0, 1]"}

# Conv-BN-ReLU-MaxPool, Flatten, Gemm, Softmax: the bundled models' shape.
save([helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                       kernel_shape=[3, 3]),
      helper.make_node("BatchNormalization", ["c1", "s", "t", "m", "v"], ["n1"], name="bn1"),
      helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
      helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2],
                       strides=[2, 2]),
      helper.make_node("Flatten", ["p1"], ["f"], name="flatten"),
      helper.make_node("Gemm", ["f", "w2", "b2"], ["z"], name="fc", transB=1),
      helper.make_node("Softmax", ["z"], ["y"], name="softmax", axis=1)],
     [x], [y], [init("w1", (2, 1, 3, 3)), init("b1", (2,)), init("s", (2,)), init("t", (2,)),
                init("m", (2,)), numpy_helper.from_array(np.ones(2, np.float32), "v"),
                init("w2", (3, 18)), init("b2", (3,))], "cnn.onnx", meta=meta)

# A residual block with AveragePool, GlobalAveragePool, MatMul + Add.
save([helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
      helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
      helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
      helper.make_node("Add", ["c2", "c1"], ["a"], name="residual"),
      helper.make_node("AveragePool", ["a"], ["ap"], name="avg", kernel_shape=[2, 2],
                       count_include_pad=1, ceil_mode=1),
      helper.make_node("GlobalAveragePool", ["ap"], ["g"], name="gap"),
      helper.make_node("Reshape", ["g", "shape"], ["f"], name="reshape"),
      helper.make_node("MatMul", ["f", "w3"], ["mm"], name="dense"),
      helper.make_node("Add", ["mm", "b3"], ["y"], name="bias")],
     [x], [y], [init("w1", (2, 1, 3, 3)), init("w2", (2, 2, 3, 3)),
                numpy_helper.from_array(np.array([1, 2], np.int64), "shape"),
                init("w3", (2, 3)), init("b3", (3,))], "resnet.onnx")

# torch's folded shape arithmetic: Shape, Gather, Unsqueeze, Concat, Reshape;
# plus Transpose, Slice, Pad, Concat, Split, Squeeze, Clip, LeakyRelu,
# Sigmoid, Tanh, ReduceMean, ReduceSum, Mul/Div/Sub by constants.
xv = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4])
save([helper.make_node("Shape", ["x"], ["sh"], name="shape"),
      helper.make_node("Gather", ["sh", "zero"], ["n"], name="gather", axis=0),
      helper.make_node("Unsqueeze", ["n", "ax0"], ["nu"], name="unsq"),
      helper.make_node("Concat", ["nu", "minus1"], ["target"], name="cat", axis=0),
      helper.make_node("Reshape", ["x", "target"], ["flat"], name="reshape"),
      helper.make_node("Clip", ["flat", "lo", "hi"], ["cl"], name="clip"),
      helper.make_node("LeakyRelu", ["cl"], ["lr"], name="leaky", alpha=0.1),
      helper.make_node("Mul", ["lr", "two"], ["m2"], name="mul"),
      helper.make_node("Split", ["m2", "split"], ["s1", "s2"], name="split", axis=1),
      helper.make_node("Sigmoid", ["s1"], ["sg"], name="sigmoid"),
      helper.make_node("Tanh", ["s2"], ["th"], name="tanh"),
      helper.make_node("Sub", ["sg", "th"], ["d"], name="sub"),
      helper.make_node("Pad", ["d", "pads"], ["pd"], name="pad"),
      helper.make_node("Slice", ["pd", "st", "en"], ["sl"], name="slice"),
      helper.make_node("Unsqueeze", ["sl", "ax0"], ["u3"], name="unsq3"),
      helper.make_node("Transpose", ["u3"], ["tr"], name="transpose", perm=[1, 0, 2]),
      helper.make_node("ReduceMean", ["tr"], ["rm"], name="rmean", axes=[0], keepdims=0),
      helper.make_node("Div", ["rm", "two"], ["dv"], name="div"),
      helper.make_node("Gemm", ["dv", "w"], ["y"], name="fc")],
     [xv], [y],
     [numpy_helper.from_array(np.array(0, np.int64), "zero"),
      numpy_helper.from_array(np.array([0], np.int64), "ax0"),
      numpy_helper.from_array(np.array([-1], np.int64), "minus1"),
      numpy_helper.from_array(np.array(0, np.float32), "lo"),
      numpy_helper.from_array(np.array(6, np.float32), "hi"),
      numpy_helper.from_array(np.array(2, np.float32), "two"),
      numpy_helper.from_array(np.array([4, 4], np.int64), "split"),
      numpy_helper.from_array(np.array([0, 1, 0, 1], np.int64), "pads"),
      numpy_helper.from_array(np.array([0, 1], np.int64), "st"),
      numpy_helper.from_array(np.array([1, 5], np.int64), "en"),
      init("w", (4, 3))], "shapes.onnx")

# An MLP with opset-6 forms (legacy broadcast, attribute forms).
xm = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])
save([helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
      helper.make_node("Relu", ["h"], ["r"], name="relu"),
      helper.make_node("Dropout", ["r"], ["dr"], name="drop"),
      helper.make_node("Identity", ["dr"], ["id"], name="ident"),
      helper.make_node("Gemm", ["id", "w2", "b2"], ["z"], name="fc2", alpha=0.5, beta=2.0),
      helper.make_node("LogSoftmax", ["z"], ["y"], name="logsoftmax")],
     [xm], [y], [init("w1", (5, 4)), init("b1", (5,)), init("w2", (5, 3)), init("b2", (3,))],
     "mlp-opset6.onnx", opset=6)

# Tensors: .npy in both dtypes and versions, .pb with each data field.
def npy(arr, path, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr)
    else:
        np.lib.format.write_array(buf, arr, version=version)
    open(S + "tensor/" + path, "wb").write(buf.getvalue())


npy(rng.standard_normal((1, 1, 3, 3)).astype(np.float32), "f32-1x1x3x3.npy")
npy(rng.standard_normal((2, 3)), "f64-2x3.npy")
npy(np.float32(1.5), "f32-scalar.npy")
npy(np.zeros((0, 3), np.float32), "f32-empty.npy")
npy(rng.standard_normal((4,)).astype(np.float32), "f32-v2.npy", version=(2, 0))
t = numpy_helper.from_array(rng.standard_normal((1, 2, 2)).astype(np.float32), "raw")
open(S + "tensor/raw.pb", "wb").write(t.SerializeToString())
t = helper.make_tensor("floats", TensorProto.FLOAT, [2, 2], [1, 2, 3, 4])
open(S + "tensor/float-data.pb", "wb").write(t.SerializeToString())
t = helper.make_tensor("ints", TensorProto.INT64, [3], [1, 2, 3])
open(S + "tensor/int64-data.pb", "wb").write(t.SerializeToString())

# Rule maps: the README's examples and every selector, rule and parameter.
rules = {
    "builtin.txt": "epsilon_gamma_box",
    "compact.txt": "epsilon_plus;conv=gamma(gamma=0.5);name:/features/features.1*=zplus;#-1=lrp0",
    "compact-all.txt": "dense=epsilon(epsilon=0.1,stabilizer=1e-6,zero_bias=true);"
                       "first=zbox(low=-1,-2,-3,high=1,2,3);first_conv=flat;upper_conv=wsquare;"
                       "linear=alpha_beta(alpha=2,beta=1);#0=pass;#-2=norm;name:fc*=gradient",
    "json.json": json.dumps({"composite": "epsilon_plus", "rules": [
        {"layers": "conv", "rule": "gamma", "gamma": 0.5},
        {"name": "/features/*", "rule": "zplus"},
        {"position": 0, "rule": "zbox", "low": [-2.1, -2.0, -1.8], "high": [2.2, 2.4, 2.6]}]}),
    "json-array.json": json.dumps([{"layers": "dense", "rule": "epsilon", "epsilon": 0.25,
                                    "zero_bias": True},
                                   {"position": -1, "rule": "alpha_beta", "alpha": 1,
                                    "beta": 0}]),
}
for name, text in rules.items():
    open(S + "rules/" + name, "w").write(text)

# Images: 5 x 4 in every raster format gdk-pixbuf reads here.
img = Image.fromarray(rng.integers(0, 255, (4, 5, 3), dtype=np.uint8), "RGB")
for fmt, ext, mode in [("PNG", "png", "RGB"), ("PNG", "gray.png", "L"),
                       ("PNG", "rgba.png", "RGBA"), ("PNG", "pal.png", "P"),
                       ("JPEG", "jpg", "RGB"), ("JPEG", "gray.jpg", "L"),
                       ("BMP", "bmp", "RGB"), ("TIFF", "tif", "RGB"), ("ICO", "ico", "RGBA"),
                       ("TGA", "tga", "RGB"), ("XBM", "xbm", "1")]:
    img.convert(mode).save(S + "image/seed." + ext, fmt)
