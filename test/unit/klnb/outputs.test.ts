/** What a cell shows for each outcome: payload + text/plain for results, an error output, short text for assignments. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KL_LENS_MIME, parsePayload } from '../../../src/core/notebook/payload';
import { NotebookKernel } from '../../../src/extension/klnb/kernel';
import { cellOutputs } from '../../../src/extension/klnb/outputs';

const run = (k: NotebookKernel, source: string) => cellOutputs(k.run({ source, baseDir: join(__dirname, 'fixtures', 'notebook'), defaultBase: Math.E, digits: 5, topK: 20 }));

describe('cell outputs', () => {
  it('a result: the renderer payload (valid under the contract) and the value line as text/plain', () => {
    const out = run(new NotebookKernel(), 'KL([0.5, 0.5] || [0.9, 0.1])');
    assert.equal(out.length, 1);
    const first = out[0]!;
    assert.equal(first.kind, 'items');
    const items = (first as { items: readonly { mime: string; text: string }[] }).items;
    assert.deepEqual(items.map((i) => i.mime), [KL_LENS_MIME, 'text/plain']);
    assert.equal(parsePayload(JSON.parse(items[0]!.text)).expression, 'KL([0.5, 0.5] || [0.9, 0.1])');
    assert.match(items[1]!.text, /^KL\(P‖Q\) = 0\.51083 nats {2}\(reverse KL\(Q‖P\) = 0\.36806 nats\)$/);
  });

  it('only assignments: one short line per name', () => {
    assert.deepEqual(run(new NotebookKernel(), 'a = 2\nb = [1, 2]'), [{ kind: 'items', items: [{ mime: 'text/plain', text: 'a = 2\nb = [1, 2]' }] }]);
  });

  it('an error: an error output naming the span', () => {
    const out = run(new NotebookKernel(), 'KL([0.5, 0.5] || [0.2, 0.3, 0.5])');
    assert.equal(out[0]!.kind, 'error');
    assert.match((out[0] as { message: string }).message, /^evaluation error at 1:18: KL: argument Q has 3 entries but P has 2\n1 \| KL\(\[0\.5, 0\.5\] \|\| \[0\.2, 0\.3, 0\.5\]\)\n {2}\| {18}\^{15}$/);
  });

  it('a value that is not a result (an array): text only', () => {
    assert.deepEqual(run(new NotebookKernel(), 'softmax([0, 0])'), [{ kind: 'items', items: [{ mime: 'text/plain', text: '[0.5, 0.5]' }] }]);
  });
});
