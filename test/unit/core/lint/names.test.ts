/** The semantic model: qualified names through imports, local names through assignments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Model } from '../../../../src/core/lint/model';
import { Imports } from '../../../../src/core/lint/names';
import type { SyntaxNode } from '../../../../src/core/lint/syntax';
import { parse, withParser } from './helpers';

withParser();

function model(src: string): Model {
  return new Model(parse(src).rootNode, src, new Imports());
}

/** The canonical callee of the (last) call whose text starts with `prefix`. */
function calleeOf(src: string, prefix: string): string | undefined {
  const m = model(src);
  const call = [...m.calls].reverse().find((c) => c.text.startsWith(prefix));
  assert.ok(call, `no call starting with ${prefix}`);
  return m.callee(call)?.fn;
}

/** The form of the value of the last identifier `name` in the source. */
function formOf(src: string, name: string): string {
  const m = model(src);
  const ids = m.root.descendantsOfType('identifier').filter((n): n is SyntaxNode => n !== null && n.text === name);
  return m.facts(ids[ids.length - 1]!).form;
}

describe('qualified names', () => {
  const cases: [string, string, string | undefined][] = [
    ['import torch.nn.functional as F\nF.kl_div(a, b)', 'F.kl_div', 'kl_div'],
    ['import torch\ntorch.nn.functional.kl_div(a, b)', 'torch.nn', 'kl_div'],
    ['from torch.nn import functional as F\nF.kl_div(a, b)', 'F.kl_div', 'kl_div'],
    ['from torch.nn.functional import kl_div as kld\nkld(a, b)', 'kld', 'kl_div'],
    ['from torch import nn\nnn.functional.kl_div(a, b)', 'nn.functional', 'kl_div'],
    ['import torch.nn as nn\nnn.KLDivLoss()', 'nn.KLDivLoss', 'KLDivLoss'],
    ['from torch.nn import KLDivLoss\nKLDivLoss(reduction="sum")', 'KLDivLoss', 'KLDivLoss'],
    ['import torch\ntorch.softmax(x, 1)', 'torch.softmax', 'softmax'],
    ['import torch\nx.softmax(-1)', 'x.softmax', 'softmax'],
    ['import numpy as np\nnp.log(p)', 'np.log', 'log'],
    // Not torch: no canonical function.
    ['import mylib as F\nF.kl_div(a, b)', 'F.kl_div', undefined],
    ['F.kl_div(a, b)', 'F.kl_div', undefined],
    ['import logging\nlogger.log(x)', 'logger.log', undefined],
    ['import torch\nself.softmax(x)', 'self.softmax', undefined],
  ];
  for (const [src, prefix, expected] of cases) {
    it(`${src.split('\n').join(' ⏎ ')} → ${expected ?? 'unknown'}`, () => assert.equal(calleeOf(src, prefix), expected));
  }

  it('drops a name imported as two different things', () => {
    assert.equal(calleeOf('import torch.nn.functional as F\nimport mylib as F\nF.kl_div(a, b)', 'F.kl_div'), undefined);
  });

  it('resolves module instances through local names, self attributes and direct calls', () => {
    assert.equal(calleeOf('import torch.nn as nn\ncrit = nn.KLDivLoss()\ncrit(a, b)', 'crit('), 'KLDivLoss()');
    const cls = 'import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        self.sm = nn.Softmax(dim=1)\n    def forward(self, x):\n        return self.sm(x)\n';
    assert.equal(calleeOf(cls, 'self.sm('), 'Softmax()');
    assert.equal(calleeOf('import torch.nn as nn\nnn.KLDivLoss(reduction="sum")(a, b)', 'nn.KLDivLoss(reduction="sum")(a'), 'KLDivLoss()');
  });

  it('follows self.x to a base class in the file, and a parameter to its default module', () => {
    const src = 'import torch.nn as nn\nclass Base:\n    def __init__(self, loss_fn=nn.KLDivLoss()):\n        self.loss_fn = loss_fn\nclass Child(Base):\n    def step(self, a, b):\n        return self.loss_fn(a, b)\n';
    assert.equal(calleeOf(src, 'self.loss_fn('), 'KLDivLoss()');
    const assigned = src.replace('        self.loss_fn = loss_fn', '        loss_fn = make()\n        self.loss_fn = loss_fn');
    assert.equal(calleeOf(assigned, 'self.loss_fn('), undefined, 'the parameter is reassigned: its default is not what is stored');
  });

  it('spells a qualified name with the imports the file has', () => {
    const m = model('import torch\nimport torch.nn.functional as F\n');
    assert.equal(m.imports.spell('torch.nn.functional.log_softmax'), 'F.log_softmax');
    assert.equal(model('import torch\n').imports.spell('torch.nn.functional.log_softmax'), 'torch.nn.functional.log_softmax');
    assert.equal(model('import numpy\n').imports.spell('torch.nn.functional.log_softmax'), undefined);
  });
});

describe('values of local names', () => {
  const H = 'import torch\nimport torch.nn.functional as F\n';
  it('follows an assignment and value-preserving methods', () => {
    assert.equal(formOf(`${H}p = F.softmax(x, -1).detach().float()\ny = p`, 'p'), 'probs');
    assert.equal(formOf(`${H}p = F.log_softmax(x, -1)[mask]\ny = p`, 'p'), 'logprobs');
    assert.equal(formOf(`${H}p = torch.log(q)\ny = p`, 'p'), 'logprobs');
  });

  it('takes the assignment that reaches the use in the same function', () => {
    assert.equal(formOf(`${H}def f(x):\n    p = F.softmax(x, -1)\n    p = p.log()\n    return p`, 'p'), 'logprobs');
    assert.equal(formOf(`${H}def f(x, c):\n    p = F.softmax(x, -1)\n    if c:\n        p = F.log_softmax(x, -1)\n    return p`, 'p'), 'unknown');
    assert.equal(formOf(`${H}def f(x, c):\n    if c:\n        p = F.softmax(x, -1)\n        return p\n    return x`, 'p'), 'probs');
    assert.equal(formOf(`${H}def f(p):\n    return p`, 'p'), 'unknown');
    assert.equal(formOf(`${H}def f(x):\n    for i in range(3):\n        p = F.softmax(x, -1)\n    return p`, 'p'), 'unknown');
  });

  it('sees one module-level assignment from a function, but not an ambiguous one', () => {
    assert.equal(formOf(`${H}p = F.softmax(x, -1)\ndef f():\n    return p`, 'p'), 'probs');
    assert.equal(formOf(`${H}p = F.softmax(x, -1)\np = F.log_softmax(x, -1)\ndef f():\n    return p`, 'p'), 'unknown');
  });

  it('marks values made under torch.no_grad() or .detach() as detached', () => {
    const m = model(`${H}def f(t, x):\n    with torch.no_grad():\n        out = t(x)\n    p = F.softmax(out, -1)\n    q = F.softmax(x.detach(), -1)\n    r = F.softmax(x, -1)\n    return p, q, r`);
    const last = (name: string): SyntaxNode => m.root.descendantsOfType('identifier').filter((n): n is SyntaxNode => n?.text === name).pop()!;
    assert.equal(m.facts(last('p')).detached, true);
    assert.equal(m.facts(last('q')).detached, true);
    assert.equal(m.facts(last('r')).detached, false);
  });
});
