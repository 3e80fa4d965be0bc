/** Notebooks: code cells in order, magics blanked, imports seen by later cells. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotebookFormatError, pythonOfCell, readNotebook } from '../../../../src/core/lint/notebook';
import { lintNotebook } from '../../../../src/core/lint/source';
import { lintCells, parse, withParser } from './helpers';

withParser();

const code = (source: string | string[]) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source });
const md = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });
const nb = (cells: object[], language = 'python') => ({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { language, name: 'k', display_name: 'K' } }, cells });

describe('notebooks', () => {
  it('blanks magics and shell escapes, keeping every offset', () => {
    const src = '%matplotlib inline\n!pip install torch\nx = 1\nfiles = !ls\ntorch.nn.functional?\n';
    const py = pythonOfCell(src)!;
    assert.equal(py.length, src.length);
    assert.equal(py.split('\n')[2], 'x = 1');
    assert.equal(py.split('\n')[0]!.trim(), '');
    assert.equal(py.split('\n')[3]!.trim(), '');
    assert.equal(pythonOfCell('%%bash\necho hi\n'), undefined);
    assert.equal(pythonOfCell('%%time\nx = 1\n')!.split('\n')[1], 'x = 1');
    // Shell lines continued with a backslash, and magics without % (automagic).
    assert.deepEqual(pythonOfCell('!python run.py \\\n  --lr 1 \\\n  --T 4\nx = 1')!.split('\n').map((l) => l.trim()), ['', '', '', 'x = 1']);
    for (const magic of ['cd backbone', 'pip install torch', 'ls -la', 'pwd']) assert.equal(pythonOfCell(magic)!.trim(), '', magic);
    for (const python of ['cd = 3', 'ls(x)', 'env[k] = 1', 'pip.main(["install"])']) assert.equal(pythonOfCell(python), python);
  });

  it('lints cells in order with imports from earlier cells, giving 0-based cell indexes of all cells', () => {
    const findings = lintCells(
      nb([md('# KD'), code(['import torch.nn.functional as F\n', '%matplotlib inline']), md('text'), code('loss = F.kl_div(F.softmax(s, -1), p, reduction="batchmean")')]),
    );
    assert.deepEqual(findings.map((f) => [f.rule, f.cell]), [['KL001', 3]]);
    const src = 'loss = F.kl_div(F.softmax(s, -1), p, reduction="batchmean")';
    assert.equal(src.slice(findings[0]!.start, findings[0]!.end), 'F.softmax(s, -1)');
  });

  it('sees what earlier cells assigned at their top level, and nothing ambiguous', () => {
    const head = code('import torch.nn as nn\nimport torch.nn.functional as F');
    const use = code('l = criterion(F.log_softmax(s, -1), F.log_softmax(t, -1))');
    assert.deepEqual(lintCells(nb([head, code('criterion = nn.KLDivLoss(reduction="batchmean")'), use])).map((f) => [f.rule, f.cell]), [['KL002', 2]]);
    const branch = code('if big:\n    criterion = nn.KLDivLoss(reduction="batchmean")\nelse:\n    criterion = nn.MSELoss()');
    assert.deepEqual(lintCells(nb([head, branch, use])), []);
    const later = code('criterion = nn.KLDivLoss(reduction="batchmean")');
    assert.deepEqual(lintCells(nb([head, use, later])), [], 'a later cell has not run yet');
  });

  it('does not see imports of later cells, skips non-Python cells and notebooks, and names bad JSON', () => {
    assert.equal(lintCells(nb([code('l = F.kl_div(F.softmax(s, -1), p)'), code('import torch.nn.functional as F')])).length, 0);
    const other = { ...code('import torch.nn.functional as F\nF.kl_div(a, b)'), metadata: { vscode: { languageId: 'r' } } };
    assert.equal(lintCells(nb([other])).length, 0);
    assert.equal(lintNotebook(JSON.stringify(nb([code('x')], 'julia')), parse).skipped, 'skipped: a julia notebook');
    assert.throws(() => readNotebook('{"cells": [}'), NotebookFormatError);
    assert.throws(() => readNotebook('{"nbformat": 4}'), /no "cells" list/);
  });

  it('reports a syntax error of one cell and still lints the others', () => {
    const r = lintNotebook(JSON.stringify(nb([code('import torch.nn.functional as F'), code('def f(:\n  pass'), code('F.kl_div(a, b)')])), parse);
    assert.deepEqual(r.syntaxErrors.map((e) => e.cell), [1]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.cell]), [['KL003', 2]]);
  });
});
