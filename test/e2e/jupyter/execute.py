#!/usr/bin/env python3
"""Executes source.ipynb with a real Jupyter kernel (Debian's python3-ipykernel, python3-nbclient).

    /usr/bin/python3 test/e2e/jupyter/execute.py DEST_FOLDER

Copies python/kl_lens.py into DEST_FOLDER (as "KL Lens: Copy Python Helper" would), runs the notebook
there, and writes the executed notebook, outputs included, as DEST_FOLDER/jupyter-kl.ipynb.
"""
import os
import shutil
import sys
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: execute.py DEST_FOLDER")
    dest = Path(sys.argv[1]).resolve()
    shutil.copy(ROOT / "python" / "kl_lens.py", dest / "kl_lens.py")
    # The Debian kernel enables debugpy, which warns about frozen modules on every start.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(HERE / "source.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(dest)}})
    client.execute()
    nbformat.write(nb, dest / "jupyter-kl.ipynb")
    print(dest / "jupyter-kl.ipynb")


if __name__ == "__main__":
    main()
