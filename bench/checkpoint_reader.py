"""Rebuild a run's network f(x) from a checkpoint with numpy only (docs/file-formats.md, "Reading checkpoints from Python").

usage: python3 bench/checkpoint_reader.py RUN_DIR INPUTS.npy OUTPUTS.npy [EPOCH]
INPUTS.npy: network inputs [n, 3, 32, 32] (NCHW, preprocessed as in docs/data.md); OUTPUTS.npy gets f(x), float64 [n, 10].
EPOCH: a checkpointed epoch (default: the newest in checkpoints/index.json).
"""
import json
import math
import os
import sys

import numpy as np


def read_model(run_dir):
    """The `model:` section of the run's resolved config.yaml (flat `key: value` lines; no YAML library needed)."""
    model, section = {}, None
    with open(os.path.join(run_dir, "config.yaml")) as f:
        for line in f:
            if line.strip() and not line.startswith(" "):
                section = line.split(":")[0].strip()
            elif section == "model" and ":" in line:
                key, value = line.split(":", 1)
                model[key.strip()] = value.strip().strip("'\"")
    return model


def load_params(run_dir, epoch=None):
    """{name: array}: each array is theta[offset:offset+length] read in its memory order ("F" or "C") into its shape."""
    ckpt = os.path.join(run_dir, "checkpoints")
    index = json.load(open(os.path.join(ckpt, "index.json")))
    entry = index["checkpoints"][-1] if epoch is None else next(c for c in index["checkpoints"] if c["epoch"] == epoch)
    theta = np.load(os.path.join(ckpt, entry["file"]))
    params = {}
    for p in index["parameters"]:
        flat = theta[p["offset"]:p["offset"] + p["length"]]
        params[p["name"]] = (p["layer"], p["key"], flat.reshape(p["shape"], order=p["order"]).astype(np.float64))
    return params


def conv3x3_same(x, w, b):
    """DL4J's 3x3 stride-1 convolution with 'same' padding (a cross-correlation); x [n, in, h, w], w [out, in, 3, 3]."""
    n, _, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd))
    for dy in range(3):
        for dx in range(3):
            out += np.einsum("nihw,oi->nohw", xp[:, :, dy:dy + h, dx:dx + wd], w[:, :, dy, dx])
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def avg_pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh, "erf": np.vectorize(math.erf)}
MYRTLE_STAGES = {5: [2, 1, 1], 7: [2, 2, 2], 10: [3, 3, 3]}  # conv layers per stage (ModelFactory.myrtleStages)


def forward(model, params, x):
    """f(x) [n, 10] for an FCN or a Myrtle network, exactly as ModelFactory builds it."""
    layers = {}  # DL4J layer index -> {"W": ..., "b": ...}
    for layer, key, array in params.values():
        layers.setdefault(layer, {})[key] = array
    bias = lambda l: layers[l].get("b")
    h, layer = x.astype(np.float64), 0
    if model["type"] == "fcn":
        act = ACTIVATIONS[model["activation"]]
        h = h.reshape(len(h), -1)  # [n, 3*32*32], channel-major (C order of NCHW)
        for _ in range(int(model["depth"])):
            b = bias(layer)
            h = act(h @ layers[layer]["W"] + (0 if b is None else b.reshape(-1)))
            layer += 1
    elif model["type"] == "myrtle":
        stages = MYRTLE_STAGES[int(model["depth"])]
        for s, convs in enumerate(stages):
            for _ in range(convs):
                h = np.maximum(conv3x3_same(h, layers[layer]["W"], bias(layer)), 0.0)
                layer += 1
            for _ in range(3 if s == len(stages) - 1 else 1):  # 32 -> 16 -> 8, then 8 -> 4 -> 2 -> 1
                h = avg_pool2(h)
                layer += 1  # pooling layers have no parameters but take a DL4J layer index
        h = h.reshape(len(h), -1)  # [n, C]
    else:
        raise ValueError("unknown model.type " + model["type"])
    assert max(layers) == layer, "index.json's layers do not match model.type/depth in config.yaml"
    b = bias(layer)
    return h @ layers[layer]["W"] + (0 if b is None else b.reshape(-1))  # readout: identity activation


if __name__ == "__main__":
    run_dir, inputs, outputs = sys.argv[1:4]
    epoch = int(sys.argv[4]) if len(sys.argv) > 4 else None
    np.save(outputs, forward(read_model(run_dir), load_params(run_dir, epoch), np.load(inputs)))
