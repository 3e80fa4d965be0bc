"""Show KL Lens results in Jupyter notebooks opened in VS Code.

    import numpy as np, kl_lens
    p = np.array([0.5, 0.3, 0.2]); q = np.array([0.4, 0.4, 0.2])
    kl_lens.show("KL(p || q)", p=p, q=q, base=2)

The cell's output carries the expression and the arrays (MIME type application/vnd.kl-lens+json);
the KL Lens extension for VS Code evaluates it where it is shown and draws the value, the derivation
and the charts. Elsewhere the output reads as a short text saying what it is.

Needs nothing but the standard library. NumPy arrays and PyTorch tensors are sent as exact binary
data; lists, tuples and numbers as JSON lists. Element types:

* float64, float32, float16, int64 and int32 are sent as they are (little-endian, C order);
* booleans and the smaller integer types become int32, uint32 becomes int64 (both exact);
* other floating types (bfloat16, longdouble, ...) become float64 (bfloat16 exactly, longdouble rounded);
* complex numbers, strings and objects are refused.
"""

import base64
import json
import keyword
import math
import struct
import sys

__all__ = ["show", "bundle", "KlLensError", "MIME"]
__version__ = "1"

MIME = "application/vnd.kl-lens+json"

# Names the expression language gives a meaning of its own (functions and constants): a variable
# under one of these names would be confusing at best, so they are refused.
RESERVED = frozenset(
    """KL JS H CE Jeffreys TV Hellinger W1 MI softmax log_softmax N Normal vae_kl distill k1 k2 k3
    kl_penalty load normalize abs exp log log2 sqrt sum mean min max
    e pi inf nan true false True False""".split()
)

_NAMED_BASES = {"e", "nat", "nats", "bit", "bits", "shannon", "shannons", "hartley", "hartleys", "ban", "bans", "dit", "dits"}
_SENT_AS_IS = {"float64", "float32", "float16", "int64", "int32"}
_TO_INT32 = {"bool", "int8", "int16", "uint8", "uint16"}
_TO_INT64 = {"uint32"}
_INT53 = 2**53 - 1
_STRUCT = {"float64": "d", "int64": "q", "int32": "i"}


class KlLensError(ValueError):
    """A call to kl_lens that cannot make an output; the message says which argument and why."""


def bundle(expression, variables=None, *, base=None, digits=None, top_k=None, **named):
    """The MIME bundle for `expression` with its variables, without displaying it.

    Variables are keyword arguments (`p=p`), or a dict (`variables={"p": p}`) for names that are
    also this function's options (`base`, `digits`, `top_k`).
    """
    if not isinstance(expression, str) or not expression.strip():
        raise KlLensError("kl_lens: the expression must be a non-empty string, e.g. \"KL(p || q)\"")
    merged = {}
    if variables is not None:
        if not isinstance(variables, dict):
            raise KlLensError("kl_lens: variables must be a dict of name -> array, got %s" % type(variables).__name__)
        merged.update(variables)
    for name, value in named.items():
        if name in merged:
            raise KlLensError("kl_lens: variable %r is given twice (as a keyword and in variables)" % name)
        merged[name] = value
    encoded = {}
    for name, value in merged.items():
        _check_name(name)
        encoded[name] = _encode(value, name)
    payload = {"expression": expression, "variables": encoded}
    options = _options(base, digits, top_k)
    if options:
        payload["options"] = options
    text = "KL Lens output: %s \u2014 open in VS Code with the KL Lens extension to see it" % expression.strip()
    return {MIME: payload, "text/plain": text}


def show(expression, variables=None, *, base=None, digits=None, top_k=None, **named):
    """Displays the KL Lens output for `expression` in the current IPython/Jupyter cell.

    Without IPython, prints the text line and returns the bundle instead.
    """
    data = bundle(expression, variables, base=base, digits=digits, top_k=top_k, **named)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(data["text/plain"])
        return data
    if get_ipython() is None:
        print(data["text/plain"])
        return data
    display(data, raw=True)
    return None


def _check_name(name):
    if not isinstance(name, str) or not name.isidentifier():
        raise KlLensError("kl_lens: %r is not a valid variable name (letters, digits and _, not starting with a digit)" % (name,))
    if keyword.iskeyword(name):
        raise KlLensError("kl_lens: %r is a Python keyword; pick another variable name" % name)
    if name in RESERVED:
        raise KlLensError("kl_lens: %r is a name KL Lens uses itself (a function or constant); pick another variable name" % name)


def _options(base, digits, top_k):
    options = {}
    if base is not None:
        if isinstance(base, bool) or not isinstance(base, (int, float, str)):
            raise KlLensError("kl_lens: base must be a number (2, math.e, 10) or \"bits\", \"nats\", \"hartleys\", got %r" % (base,))
        if isinstance(base, str):
            if base.lower() not in _NAMED_BASES:
                raise KlLensError("kl_lens: base must be a number or \"bits\", \"nats\", \"hartleys\", got %r" % base)
        elif not (math.isfinite(base) and base > 0 and base != 1):
            raise KlLensError("kl_lens: base must be a finite number > 0 other than 1, got %r" % base)
        options["base"] = base
    if digits is not None:
        options["digits"] = _integer(digits, "digits", 1, 17)
    if top_k is not None:
        options["topK"] = _integer(top_k, "top_k", 2, 200)
    return options


def _integer(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise KlLensError("kl_lens: %s must be an integer from %d to %d, got %r" % (name, low, high, value))
    return value


def _encode(value, name):
    """A variable as the payload carries it: a binary tensor, or nested lists of finite numbers."""
    module = type(value).__module__.split(".")[0]
    if module == "torch":
        return _torch_tensor(value, name)
    if module == "numpy" or hasattr(value, "__array__"):
        np = _numpy(name)
        return _numpy_array(np.asarray(value), name)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return _pack([value], [], "float64")
        return value
    if isinstance(value, (list, tuple)):
        flat, shape = _flatten(value, name)
        if all(isinstance(x, int) for x in flat) and all(abs(x) <= _INT53 for x in flat):
            return _plain(value)
        if any(not isinstance(x, int) and not math.isfinite(x) for x in flat):
            # JSON has no NaN or infinity; the binary form carries them exactly.
            return _pack([float(x) for x in flat], shape, "float64")
        if any(isinstance(x, int) and abs(x) > _INT53 for x in flat):
            raise KlLensError("kl_lens: variable %r has an integer beyond \u00b12^53, where float64 stops holding every integer; convert it to float" % name)
        return _plain(value)
    raise KlLensError(
        "kl_lens: variable %r is a %s; pass a NumPy array, a PyTorch tensor, a list or a number" % (name, type(value).__name__)
    )


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return int(value) if isinstance(value, bool) else value


def _flatten(value, name):
    """Row-major numbers and the shape of nested lists, which must be rectangular like np.array's input."""
    shape = []
    probe = value
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    flat = []

    def walk(v, depth, where):
        if depth == len(shape):
            if isinstance(v, bool):
                v = int(v)
            if not isinstance(v, (int, float)):
                raise KlLensError("kl_lens: variable %r: %s is a %s, not a number" % (name, where, type(v).__name__))
            flat.append(v)
            return
        if not isinstance(v, (list, tuple)) or len(v) != shape[depth]:
            got = "%d entries" % len(v) if isinstance(v, (list, tuple)) else "a %s" % type(v).__name__
            raise KlLensError(
                "kl_lens: variable %r is ragged: %s has %s but should have %d entries (nested lists must be rectangular)"
                % (name, where, got, shape[depth])
            )
        for i, item in enumerate(v):
            walk(item, depth + 1, "%s[%d]" % (where, i))

    walk(value, 0, name)
    return flat, shape


def _numpy(name):
    try:
        import numpy
    except ImportError:
        raise KlLensError("kl_lens: variable %r looks like an array but NumPy is not installed" % name)
    return numpy


def _numpy_array(arr, name):
    np = _numpy(name)
    kind = arr.dtype.kind
    if kind in "cUSOVaMm":
        raise KlLensError(
            "kl_lens: variable %r has dtype %s; KL Lens takes real numbers (float or int). %s"
            % (name, arr.dtype, "Pass the real part or the magnitude (abs)." if kind == "c" else "Convert it to a float array first.")
        )
    dtype = arr.dtype.name
    if dtype in _SENT_AS_IS:
        target = dtype
    elif dtype in _TO_INT32:
        target = "int32"
    elif dtype in _TO_INT64:
        target = "int64"
    elif kind == "u":  # uint64: exact as int64 while every value fits
        if arr.size and int(arr.max()) > _INT53:
            raise KlLensError("kl_lens: variable %r has uint64 values beyond 2^53, where float64 stops holding every integer; convert it to float64" % name)
        target = "int64"
    else:  # longdouble and other floats
        target = "float64"
    if target == "int64" and arr.size and int(np.abs(arr.astype(np.int64)).max()) > _INT53:
        raise KlLensError("kl_lens: variable %r has int64 values beyond \u00b12^53, where float64 stops holding every integer; convert it to float64" % name)
    out = arr.astype(np.dtype(target).newbyteorder("<"), order="C", copy=False)  # (ascontiguousarray turns 0-d into 1-d)
    return {"dtype": target, "shape": [int(d) for d in out.shape], "data": base64.b64encode(out.tobytes()).decode("ascii")}


def _torch_tensor(t, name):
    import torch  # present: the value is a torch object

    if not isinstance(t, torch.Tensor):
        raise KlLensError("kl_lens: variable %r is a %s, not a tensor" % (name, type(t).__name__))
    t = t.detach()
    if t.is_complex():
        raise KlLensError("kl_lens: variable %r is a complex tensor; pass t.real or t.abs()" % name)
    if t.device.type != "cpu":
        t = t.cpu()
    # bfloat16 has no NumPy type; every bfloat16 is a float32.
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    if t.dtype == torch.bool:
        t = t.to(torch.int32)
    try:
        import numpy  # noqa: F401
    except ImportError:
        return _torch_without_numpy(t, name)
    return _numpy_array(t.contiguous().numpy(), name)


def _torch_without_numpy(t, name):
    import torch

    if t.dtype in (torch.float32, torch.float16):
        t = t.to(torch.float64)  # exact; struct has no half type worth relying on
    if t.is_floating_point():
        return _pack(t.flatten().tolist(), list(t.shape), "float64")
    values = t.flatten().tolist()
    if any(abs(v) > _INT53 for v in values):
        raise KlLensError("kl_lens: variable %r has integers beyond \u00b12^53; convert it to float64" % name)
    return _pack(values, list(t.shape), "int64")


def _pack(values, shape, dtype):
    data = struct.pack("<%d%s" % (len(values), _STRUCT[dtype]), *values)
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode("ascii")}


if __name__ == "__main__":
    # `python3 kl_lens.py 'H(p)' '{"p": [0.5, 0.5]}'` prints the bundle as JSON (for scripts and tests).
    if len(sys.argv) < 2:
        sys.exit("usage: python3 kl_lens.py EXPRESSION [VARIABLES_JSON]")
    variables = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    json.dump(bundle(sys.argv[1], variables), sys.stdout)
    sys.stdout.write("\n")
