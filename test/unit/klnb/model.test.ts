/**
 * The .klnb file ⇄ VS Code model mapping: what a notebook opens as, what Ctrl+S writes (outputs of
 * every kind, execution order and success), stable bytes on re-save, and files it must refuse.
 * Outputs come from the real kernel (cellOutputs) and are encoded the way VS Code's
 * NotebookCellOutputItem.text/.error encode them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KL_LENS_MIME, parsePayload } from '../../../src/core/notebook/payload';
import { KlnbFormatError } from '../../../src/extension/klnb/format';
import { NotebookKernel } from '../../../src/extension/klnb/kernel';
import { fromModel, type ModelCell, type ModelNotebook, type ModelOutput, openErrorMessage, readModel, toModel, writeModel } from '../../../src/extension/klnb/model';
import { cellOutputs } from '../../../src/extension/klnb/outputs';

const enc = new TextEncoder();
const dec = new TextDecoder();
const ERROR_MIME = 'application/vnd.code.notebook.error';

/** A cell run by the real kernel, its outputs as VS Code holds them after the controller wrote them. */
function ran(kernel: NotebookKernel, source: string, order: number): ModelCell {
  const outcome = kernel.run({ source, baseDir: join(__dirname, 'fixtures', 'notebook'), defaultBase: Math.E, digits: 5, topK: 20 });
  const outputs: ModelOutput[] = cellOutputs(outcome).map((spec) =>
    spec.kind === 'items'
      ? { items: spec.items.map((i) => ({ mime: i.mime, data: enc.encode(i.text) })) }
      : // NotebookCellOutputItem.error: JSON of name, message and stack under VS Code's error mime.
        { items: [{ mime: ERROR_MIME, data: enc.encode(JSON.stringify({ name: spec.name, message: spec.message.split('\n')[0], stack: spec.message })) }] },
  );
  // VS Code also hands the serializer the run's timing and empty metadata objects.
  return { kind: 'code', languageId: 'kl', value: source, outputs, executionSummary: { executionOrder: order, success: outcome.kind !== 'error', timing: { startTime: 1, endTime: 2 } } as ModelCell['executionSummary'], metadata: {} };
}

function session(): ModelNotebook {
  const kernel = new NotebookKernel();
  return {
    metadata: {},
    cells: [
      { kind: 'markup', languageId: 'markdown', value: '# Divergences\n\nBits, *base 2*.', outputs: [], metadata: {} },
      ran(kernel, 'p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]', 1),
      ran(kernel, 'KL(p || q, base=2)', 2),
      ran(kernel, 'KL(p || qq)', 3),
      { kind: 'code', languageId: 'kl', value: 'JS(p, q)', outputs: [] },
    ],
  };
}

const fileJson = (bytes: Uint8Array) => JSON.parse(dec.decode(bytes)) as { format: string; version: number; metadata?: unknown; cells: Record<string, unknown>[] };
const itemsOf = (cell: Record<string, unknown>) => (cell['outputs'] as { items: Record<string, unknown>[] }[]).flatMap((o) => o.items);

describe('.klnb ⇄ VS Code notebook model', () => {
  it('opens a file as model cells: kinds, languages, sources, outputs with mime and bytes, execution summary, metadata', () => {
    const file = {
      format: 'klnb',
      version: 1,
      metadata: { created: 'by hand' },
      cells: [
        { kind: 'markdown', source: '# Title' },
        { kind: 'code', source: 'H([0.5, 0.5])', execution: { order: 7, success: true }, metadata: { tag: 'x' }, outputs: [{ items: [{ mime: 'text/plain', data: 'H(P) = 0.69315 nats' }], metadata: { shown: 1 } }] },
        { kind: 'code', language: 'python', source: 'print(1)', execution: { success: false } },
        { kind: 'code', source: 'p = 1', execution: {} },
      ],
    };
    const model = readModel(enc.encode(JSON.stringify(file)));
    assert.deepEqual(model.metadata, { created: 'by hand' });
    assert.deepEqual(
      model.cells.map((c) => [c.kind, c.languageId, c.value]),
      [
        ['markup', 'markdown', '# Title'],
        ['code', 'kl', 'H([0.5, 0.5])'],
        ['code', 'python', 'print(1)'],
        ['code', 'kl', 'p = 1'],
      ],
    );
    const [md, h, py, empty] = model.cells;
    assert.deepEqual(md!.outputs, []);
    assert.equal(md!.executionSummary, undefined);
    assert.deepEqual(h!.executionSummary, { executionOrder: 7, success: true });
    assert.deepEqual(h!.metadata, { tag: 'x' });
    assert.equal(h!.outputs!.length, 1);
    assert.deepEqual(h!.outputs![0]!.metadata, { shown: 1 });
    assert.equal(h!.outputs![0]!.items[0]!.mime, 'text/plain');
    assert.equal(dec.decode(h!.outputs![0]!.items[0]!.data), 'H(P) = 0.69315 nats');
    assert.deepEqual(py!.executionSummary, { success: false });
    assert.equal(empty!.executionSummary, undefined, 'an empty execution object is no summary');
  });

  it('saves a run session: the KL Lens payload as JSON matching its cell, text/plain as text, the error output, order and success', () => {
    const json = fileJson(writeModel(session()));
    assert.equal(json.format, 'klnb');
    assert.equal(json.version, 1);
    assert.equal(json.metadata, undefined, 'empty metadata is left out');
    assert.deepEqual(json.cells[0], { kind: 'markdown', source: '# Divergences\n\nBits, *base 2*.' });

    const assigned = json.cells[1]!;
    assert.deepEqual(assigned['execution'], { order: 1, success: true }, 'no timing in the file');
    assert.deepEqual(itemsOf(assigned), [{ mime: 'text/plain', data: 'p = [0.5, 0.3, 0.2]\nq = [0.4, 0.4, 0.2]' }]);

    const kl = json.cells[2]!;
    assert.deepEqual(kl['execution'], { order: 2, success: true });
    const [payloadItem, textItem] = itemsOf(kl);
    assert.equal(payloadItem!['mime'], KL_LENS_MIME);
    assert.equal(payloadItem!['encoding'], undefined);
    // Stored as the JSON value itself, and still a valid payload for the renderer.
    const payload = parsePayload(payloadItem!['data']);
    assert.equal(payload.expression, 'KL(p || q, base=2)');
    // The variables the cell saw, as little-endian float64 tensors (the payload contract's binary form).
    const stored = payloadItem!['data'] as { variables: Record<string, { dtype: string; shape: number[]; data: string }> };
    const tensor = (name: string) => stored.variables[name]!;
    const values = (name: string) => [...new Float64Array(Uint8Array.from(Buffer.from(tensor(name).data, 'base64')).buffer)];
    assert.deepEqual([tensor('p').dtype, tensor('p').shape, values('p')], ['float64', [3], [0.5, 0.3, 0.2]]);
    assert.deepEqual(values('q'), [0.4, 0.4, 0.2]);
    assert.equal(textItem!['mime'], 'text/plain');
    // KL([0.5,0.3,0.2] || [0.4,0.4,0.2]) in bits from the definition, to the 5 digits the text shows.
    const bits = (0.5 * Math.log2(0.5 / 0.4) + 0.3 * Math.log2(0.3 / 0.4)).toPrecision(5);
    assert.match(textItem!['data'] as string, new RegExp(`^KL\\(P‖Q\\) = ${bits.replace('.', '\\.')} bits`));

    const failed = json.cells[3]!;
    assert.deepEqual(failed['execution'], { order: 3, success: false });
    const [errorItem] = itemsOf(failed);
    assert.equal(errorItem!['mime'], ERROR_MIME);
    const error = errorItem!['data'] as { name: string; message: string; stack: string };
    assert.match(error.message, /undefined name 'qq'/);
    assert.match(error.stack, /1 \| KL\(p \|\| qq\)/);

    assert.deepEqual(json.cells[4], { kind: 'code', source: 'JS(p, q)', outputs: [] }, 'a cell never run has no execution');
  });

  it('keeps text, JSON and binary items as what they are, and unknown or undecodable data as base64', () => {
    const items = [
      { mime: 'text/html', data: enc.encode('<b>bold</b>') },
      { mime: 'image/svg+xml', data: enc.encode('<svg/>') },
      { mime: 'application/vnd.code.notebook.stdout', data: enc.encode('printed\n') },
      { mime: 'application/json', data: enc.encode('{"a":[1,2]}') },
      { mime: 'application/x-unknown', data: Uint8Array.of(0, 1, 2, 250) },
      { mime: 'image/png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47) },
      // Declared JSON or text but not: kept byte-exact rather than rewritten.
      { mime: 'application/vnd.kl-lens+json', data: enc.encode('{not json') },
      { mime: 'text/plain', data: Uint8Array.of(0xc3, 0x28) },
    ];
    const model: ModelNotebook = { cells: [{ kind: 'code', languageId: 'kl', value: '', outputs: [{ items }] }] };
    const stored = itemsOf(fileJson(writeModel(model)).cells[0]!);
    assert.deepEqual(stored, [
      { mime: 'text/html', data: '<b>bold</b>' },
      { mime: 'image/svg+xml', data: '<svg/>' },
      { mime: 'application/vnd.code.notebook.stdout', data: 'printed\n' },
      { mime: 'application/json', data: { a: [1, 2] } },
      { mime: 'application/x-unknown', encoding: 'base64', data: Buffer.from([0, 1, 2, 250]).toString('base64') },
      { mime: 'image/png', encoding: 'base64', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') },
      { mime: 'application/vnd.kl-lens+json', encoding: 'base64', data: Buffer.from('{not json').toString('base64') },
      { mime: 'text/plain', encoding: 'base64', data: Buffer.from([0xc3, 0x28]).toString('base64') },
    ]);
    // Every item reopens with its mime and its exact bytes (JSON items as their compact JSON text).
    const back = readModel(writeModel(model)).cells[0]!.outputs![0]!.items;
    assert.deepEqual(
      back.map((i) => [i.mime, [...i.data]]),
      items.map((i) => [i.mime, [...i.data]]),
    );
  });

  it('a saved session reopens as the same model, without the timing', () => {
    const model = session();
    const back = readModel(writeModel(model));
    assert.equal(back.cells.length, model.cells.length);
    model.cells.forEach((cell, i) => {
      const got = back.cells[i]!;
      assert.equal(got.kind, cell.kind, `cell ${i} kind`);
      assert.equal(got.languageId, cell.languageId, `cell ${i} language`);
      assert.equal(got.value, cell.value, `cell ${i} source`);
      const summary = cell.executionSummary ? { executionOrder: cell.executionSummary.executionOrder, success: cell.executionSummary.success } : undefined;
      assert.deepEqual(got.executionSummary, summary, `cell ${i} execution`);
      assert.deepEqual(
        got.outputs!.map((o) => o.items.map((it) => [it.mime, JSON.stringify(parseMaybe(it.mime, dec.decode(it.data)))])),
        (cell.outputs ?? []).map((o) => o.items.map((it) => [it.mime, JSON.stringify(parseMaybe(it.mime, dec.decode(it.data)))])),
        `cell ${i} outputs`,
      );
    });
  });

  it('re-saving an opened file writes the same bytes, again and again', () => {
    const first = writeModel(session());
    const second = writeModel(readModel(first));
    const third = writeModel(readModel(second));
    assert.equal(dec.decode(second), dec.decode(first));
    assert.deepEqual([...third], [...first]);
  });

  it('markup cells lose outputs and execution VS Code might hold, since the format has none for them', () => {
    const model: ModelNotebook = { cells: [{ kind: 'markup', languageId: 'markdown', value: 'text', outputs: [{ items: [{ mime: 'text/plain', data: enc.encode('x') }] }], executionSummary: { executionOrder: 1 } }] };
    const file = fromModel(model);
    assert.deepEqual(file.cells, [{ kind: 'markdown', language: 'markdown', source: 'text', outputs: [] }]);
    assert.doesNotThrow(() => readModel(writeModel(model)), 'the written file is valid');
  });

  it('model ⇄ format keeps notebook, cell and output metadata', () => {
    const model: ModelNotebook = {
      metadata: { kernel: 'kl', nested: { z: 1, a: [1, 2] } },
      cells: [{ kind: 'code', languageId: 'kl', value: 'x', metadata: { collapsed: true }, outputs: [{ items: [{ mime: 'text/plain', data: enc.encode('1') }], metadata: { height: 40 } }] }],
    };
    const back = toModel(fromModel(readModel(writeModel(model))));
    assert.deepEqual(back.metadata, { kernel: 'kl', nested: { a: [1, 2], z: 1 } });
    assert.deepEqual(back.cells[0]!.metadata, { collapsed: true });
    assert.deepEqual(back.cells[0]!.outputs![0]!.metadata, { height: 40 });
  });

  describe('files from other versions', () => {
    const withVersion = (version: unknown) => enc.encode(JSON.stringify({ format: 'klnb', version, cells: [{ kind: 'code', source: 'H([1])' }] }));

    it('version 1 opens', () => {
      assert.equal(readModel(withVersion(1)).cells[0]!.value, 'H([1])');
    });

    const refused: [string, unknown, string][] = [
      ['a newer version', 2, 'This is not a valid KL notebook: version: version 2 is newer than this KL Lens reads (1); update the extension'],
      ['an older version (there is none before 1)', 0, 'This is not a valid KL notebook: version: expected 1, got 0'],
      ['a version that is not a number', '1', 'This is not a valid KL notebook: version: expected an integer, got "1"'],
    ];
    for (const [what, version, message] of refused) {
      it(`${what} is refused with one clear line`, () => {
        assert.throws(
          () => readModel(withVersion(version)),
          (e: unknown) => e instanceof KlnbFormatError && openErrorMessage(e) === message,
        );
      });
    }
  });

  it('an unexpected failure still gives a one-line message, without a stack', () => {
    assert.equal(openErrorMessage(new RangeError('out of memory')), 'Could not read the KL notebook: out of memory');
    assert.equal(openErrorMessage('odd'), 'Could not read the KL notebook: odd');
  });
});

function parseMaybe(mime: string, text: string): unknown {
  return mime.endsWith('json') ? (JSON.parse(text) as unknown) : text;
}
