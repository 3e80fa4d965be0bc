#!/usr/bin/env python3
"""Writes source.ipynb (committed, without outputs): the notebook execute.py runs with a real kernel.

    /usr/bin/python3 test/e2e/jupyter/make_source.py
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell("# KL Lens from a Jupyter kernel\n\n`kl_lens.show` sends the arrays to VS Code, which draws the value, the derivation and the charts."),
    new_code_cell(
        "import numpy as np\n"
        "import torch\n"
        "import torch.nn.functional as F\n"
        "from scipy.special import rel_entr\n"
        "import kl_lens\n"
        "\n"
        "rng = np.random.default_rng(7)\n"
        "p = rng.dirichlet(np.ones(12)).astype(np.float32)\n"
        "q = torch.tensor(rng.dirichlet(np.ones(12)))"
    ),
    new_code_cell('kl_lens.show("KL(p || q)", p=p, q=q, base=2)'),
    new_code_cell(
        "p64 = p.astype(np.float64) / p.astype(np.float64).sum()\n"
        "q64 = q.numpy() / q.numpy().sum()\n"
        'print(f"scipy KL(p || q) = {rel_entr(p64, q64).sum() / np.log(2):.17g} bits")'
    ),
    new_code_cell(
        "student = torch.randn(4, 10, generator=torch.Generator().manual_seed(1), requires_grad=True)\n"
        "teacher = torch.randn(4, 10, generator=torch.Generator().manual_seed(2)).double()\n"
        'kl_lens.show("distill(student, teacher, T=4)", student=student, teacher=teacher)'
    ),
    new_code_cell(
        "T = 4\n"
        "loss = F.kl_div(F.log_softmax(student.double() / T, dim=-1), F.softmax(teacher / T, dim=-1), reduction='batchmean') * T * T\n"
        'print(f"torch distill = {loss.item():.17g} nats")'
    ),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
nbformat.write(nb, Path(__file__).resolve().parent / "source.ipynb")
