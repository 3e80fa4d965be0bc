"""Float64 references for the benchmark's accuracy check, computed independently with NumPy.

usage: reference.py kl P.npy Q.npy          -> {"forward": KL(p||q), "reverse": KL(q||p)} in nats
       reference.py softmax A.npy B.npy     -> {"mean": mean over rows of KL(softmax(a)||softmax(b))}
       reference.py js P.npy Q.npy          -> {"value": JS(p, q)} in nats
       reference.py ce P.npy Q.npy          -> {"value": H(p, q) = -sum p log q} in nats
Inputs are promoted to float64 and read in slices (memory-mapped), and partial sums are added
with math.fsum, so the reference is accurate to ~1e-15 relative.
"""
import json
import math
import sys

import numpy as np

STEP = 1 << 22


def normalized_slices(p_path, q_path):
    """Yields p/Σp and q/Σq in float64, STEP elements at a time, read from the memory-mapped files."""
    p = np.load(p_path, mmap_mode='r')
    q = np.load(q_path, mmap_mode='r')
    sp = math.fsum(float(np.sum(p[i:i + STEP], dtype=np.float64)) for i in range(0, p.size, STEP))
    sq = math.fsum(float(np.sum(q[i:i + STEP], dtype=np.float64)) for i in range(0, q.size, STEP))
    for i in range(0, p.size, STEP):
        yield p[i:i + STEP].astype(np.float64) / sp, q[i:i + STEP].astype(np.float64) / sq


def kl(p_path, q_path):
    fwd, rev = [], []
    for a, b in normalized_slices(p_path, q_path):
        d = np.log(a / b)
        fwd.append(float(np.sum(a * d)))
        rev.append(float(np.sum(-b * d)))
    return {'forward': math.fsum(fwd), 'reverse': math.fsum(rev)}


def js(p_path, q_path):
    terms = []
    for a, b in normalized_slices(p_path, q_path):
        m = (a + b) / 2
        with np.errstate(divide='ignore', invalid='ignore'):
            t = np.where(a > 0, a * np.log(a / m), 0.0) + np.where(b > 0, b * np.log(b / m), 0.0)
        terms.append(float(np.sum(t)))
    return {'value': math.fsum(terms) / 2}


def cross_entropy(p_path, q_path):
    terms = []
    for a, b in normalized_slices(p_path, q_path):
        with np.errstate(divide='ignore'):
            terms.append(float(np.sum(np.where(a > 0, -a * np.log(b), 0.0))))
    return {'value': math.fsum(terms)}


def softmax_kl(a_path, b_path):
    a = np.load(a_path, mmap_mode='r')
    b = np.load(b_path, mmap_mode='r')
    rows = []
    for r in range(a.shape[0]):
        x = a[r].astype(np.float64)
        y = b[r].astype(np.float64)
        lx = x - (x.max() + np.log(np.sum(np.exp(x - x.max()))))
        ly = y - (y.max() + np.log(np.sum(np.exp(y - y.max()))))
        rows.append(math.fsum(np.exp(lx) * (lx - ly)))
    return {'mean': math.fsum(rows) / len(rows)}


if __name__ == '__main__':
    kind, first, second = sys.argv[1:4]
    run = {'kl': kl, 'softmax': softmax_kl, 'js': js, 'ce': cross_entropy}[kind]
    print(json.dumps(run(first, second)))
