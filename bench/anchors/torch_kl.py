"""PyTorch anchor for KL(p || q) of two 1-D weight files: np.load, normalize, F.kl_div.

usage: torch_kl.py P.npy Q.npy   (prints the divergence in nats)
F.kl_div(input, target) computes target * (log target - input), so KL(p || q) is
F.kl_div(log q, p, reduction='sum') after both are normalized. Computed in the files' float32, as
a PyTorch user would (float64 copies would double its time and memory).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
p = torch.from_numpy(np.load(sys.argv[1]))
q = torch.from_numpy(np.load(sys.argv[2]))
p /= p.sum()
q /= q.sum()
print(F.kl_div(q.log(), p, reduction='sum').item())
