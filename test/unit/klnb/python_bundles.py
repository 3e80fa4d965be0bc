#!/usr/bin/env python3
"""Bundles made by python/kl_lens.py for the round-trip test (test/unit/klnb/python.test.ts).

Prints JSON: for each case, the bundle, the exact float64 bytes of every variable (little-endian,
C order, base64) as NumPy/PyTorch convert them, and SciPy's value of the expression when it has one.
"""
import base64
import json
import sys
from pathlib import Path

import numpy as np
from scipy.special import rel_entr

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
import kl_lens  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

rng = np.random.default_rng(20261124)


def f64(a):
    return base64.b64encode(np.asarray(a, dtype="<f8").tobytes()).decode("ascii")


cases = []


def case(name, expression, expected=None, **variables):
    b = kl_lens.bundle(expression, **variables)
    exact = {}
    for k, v in variables.items():
        arr = v.detach().to(torch.float64).numpy() if torch is not None and isinstance(v, torch.Tensor) else np.asarray(v, dtype=np.float64)
        exact[k] = {"shape": list(arr.shape), "float64": f64(arr)}
    cases.append({"name": name, "bundle": b, "exact": exact, "expected": expected})


p32 = rng.dirichlet(np.ones(50)).astype(np.float32)
q64 = rng.dirichlet(np.ones(50))
expected = float(rel_entr(p32.astype(np.float64) / p32.astype(np.float64).sum(), q64 / q64.sum()).sum())
case("numpy float32 and float64", "KL(p || q)", expected, p=p32, q=q64)
h16 = np.array([0.25, 0.125, 0.625], dtype=np.float16)
case("numpy float16", "H(h)", float(-(h16.astype(np.float64) * np.log(h16.astype(np.float64))).sum()), h=h16)
case("numpy ints", "H(c)", None, c=np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64), d=np.array([7, 8], dtype=np.int32))
case("numpy uint8 and bool", "H(u)", None, u=np.array([1, 2, 255], dtype=np.uint8), m=np.array([True, False, True]))
case("big-endian Fortran order", "H(f)", None, f=np.asfortranarray(rng.random((3, 4)).astype(">f8")))
case("python lists", "KL(a || b)", float(rel_entr(np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2])).sum()), a=[0.5, 0.3, 0.2], b=(0.4, 0.4, 0.2))
if torch is not None:
    t = torch.tensor(rng.random((2, 5)), dtype=torch.float32, requires_grad=True)
    case("torch float32 with grad", "H(softmax(t))", None, t=t * 1)
    case("torch bfloat16 and int", "H(s)", None, s=torch.tensor([0.5, 0.25, 0.25], dtype=torch.bfloat16), i=torch.arange(4, dtype=torch.int64))
    case("torch transposed float64", "H(r)", None, r=torch.arange(6, dtype=torch.float64).reshape(2, 3).t() + 1)

json.dump({"torch": torch is not None, "cases": cases}, sys.stdout)
