"""PyTorch anchor for KL(softmax(a) || softmax(b), reduction="mean") over [rows, vocab] logits.

usage: torch_softmax_kl.py A.npy B.npy   (prints the divergence in nats)
KL Lens's reduction="mean" averages the per-row divergences. F.kl_div's reduction='mean' would
divide by rows x vocab instead, so the same quantity is reduction='batchmean' (the sum over all
elements divided by the number of rows). log_target=True takes log softmax(a) as the target.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)
a = torch.from_numpy(np.load(sys.argv[1]))
b = torch.from_numpy(np.load(sys.argv[2]))
print(F.kl_div(F.log_softmax(b, dim=-1), F.log_softmax(a, dim=-1), reduction='batchmean', log_target=True).item())
