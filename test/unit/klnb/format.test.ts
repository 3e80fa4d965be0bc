/** The .klnb file format: round trips that keep outputs, stable bytes, and clear errors for bad files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KlNotebook, KlnbFormatError, parseNotebook, serializeNotebook } from '../../../src/extension/klnb/format';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

const payload = { expression: 'KL(p || q)', variables: { p: [0.5, 0.5], q: { dtype: 'float32', shape: [2], data: 'AAAAPwAAAD8=' } }, options: { base: 2 } };
const notebook: KlNotebook = {
  metadata: { zeta: 1, alpha: { b: 2, a: 1 } },
  cells: [
    { kind: 'markdown', language: 'markdown', source: '# Title\n\nSome *text*.', outputs: [] },
    {
      kind: 'code',
      language: 'kl',
      source: 'p = [0.5, 0.5]\nKL(p || [0.9, 0.1])',
      execution: { order: 3, success: true },
      outputs: [
        {
          items: [
            { mime: 'application/vnd.kl-lens+json', data: bytes(JSON.stringify(payload)) },
            { mime: 'text/plain', data: bytes('KL(P‖Q) = 0.51083 nats') },
          ],
        },
        { items: [{ mime: 'image/png', data: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 255) }], metadata: { width: 2 } },
      ],
    },
    {
      kind: 'code',
      language: 'kl',
      source: 'H(',
      execution: { order: 4, success: false },
      outputs: [{ items: [{ mime: 'application/vnd.code.notebook.error', data: bytes(JSON.stringify({ name: 'Syntax error', message: 'syntax error at 1:3' })) }] }],
    },
  ],
};

describe('.klnb format', () => {
  it('round-trips cells, outputs (text, JSON and binary), execution and metadata', () => {
    const back = parseNotebook(serializeNotebook(notebook));
    assert.equal(back.cells.length, 3);
    assert.deepEqual(back.metadata, { alpha: { a: 1, b: 2 }, zeta: 1 });
    const [md, code, failed] = back.cells;
    assert.deepEqual({ kind: md!.kind, language: md!.language, source: md!.source, outputs: md!.outputs }, notebook.cells[0]);
    assert.equal(code!.source, notebook.cells[1]!.source);
    assert.deepEqual(code!.execution, { order: 3, success: true });
    assert.deepEqual(JSON.parse(dec.decode(code!.outputs[0]!.items[0]!.data)), payload);
    assert.equal(dec.decode(code!.outputs[0]!.items[1]!.data), 'KL(P‖Q) = 0.51083 nats');
    assert.deepEqual([...code!.outputs[1]!.items[0]!.data], [0x89, 0x50, 0x4e, 0x47, 0, 255]);
    assert.deepEqual(code!.outputs[1]!.metadata, { width: 2 });
    assert.deepEqual(failed!.execution, { order: 4, success: false });
    assert.equal(JSON.parse(dec.decode(failed!.outputs[0]!.items[0]!.data)).name, 'Syntax error');
  });

  it('writes readable JSON: outputs as what they are, a version field, fixed key order', () => {
    const text = dec.decode(serializeNotebook(notebook));
    const json = JSON.parse(text);
    assert.deepEqual(Object.keys(json), ['format', 'version', 'metadata', 'cells']);
    assert.equal(json.format, 'klnb');
    assert.equal(json.version, 1);
    assert.deepEqual(Object.keys(json.cells[1]), ['kind', 'source', 'execution', 'outputs']);
    assert.deepEqual(json.cells[1].outputs[0].items[0], { mime: 'application/vnd.kl-lens+json', data: payload });
    assert.deepEqual(json.cells[1].outputs[0].items[1], { mime: 'text/plain', data: 'KL(P‖Q) = 0.51083 nats' });
    assert.deepEqual(json.cells[1].outputs[1].items[0], { mime: 'image/png', encoding: 'base64', data: 'iVBORwD/' });
    assert.ok(text.startsWith('{\n  "format": "klnb",\n  "version": 1,'), 'pretty-printed');
    assert.ok(text.endsWith('}\n'));
  });

  it('saves an unchanged notebook to the same bytes', () => {
    const once = serializeNotebook(notebook);
    const twice = serializeNotebook(parseNotebook(once));
    assert.equal(dec.decode(twice), dec.decode(once));
  });

  it('opens an empty file as an empty notebook', () => {
    assert.deepEqual(parseNotebook(new Uint8Array(0)), { cells: [] });
    assert.deepEqual(parseNotebook(bytes(' \n\t')), { cells: [] });
  });

  it('reads cells written by hand with only kind and source', () => {
    const nb = parseNotebook(bytes('{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": "H([0.5, 0.5])"}]}'));
    assert.deepEqual(nb.cells, [{ kind: 'code', language: 'kl', source: 'H([0.5, 0.5])', outputs: [] }]);
  });

  const malformed: [string, string, RegExp][] = [
    ['invalid JSON', '{"format": "klnb",\n  "cells": [}', /^not valid JSON \(value expected at line 2, column 13\)$/],
    ['not an object', '[1, 2]', /^the notebook must be a JSON object .*, got an array$/],
    ['another format', '{"nbformat": 4, "cells": []}', /^format: expected "klnb", got nothing$/],
    ['no version', '{"format": "klnb", "cells": []}', /^version: expected an integer, got nothing$/],
    ['a newer version', '{"format": "klnb", "version": 7, "cells": []}', /^version: version 7 is newer than this KL Lens reads \(1\); update the extension$/],
    ['cells not a list', '{"format": "klnb", "version": 1, "cells": {}}', /^cells: expected an array, got an object$/],
    ['a bad cell kind', '{"format": "klnb", "version": 1, "cells": [{"kind": "raw", "source": ""}]}', /^cells\[0\]\.kind: expected "code" or "markdown", got "raw"$/],
    ['source not a string', '{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": 3}]}', /^cells\[0\]\.source: expected a string, got number 3$/],
    ['an item without mime', '{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": "", "outputs": [{"items": [{"data": "x"}]}]}]}', /^cells\[0\]\.outputs\[0\]\.items\[0\]\.mime: expected a string, got nothing$/],
    ['bad base64', '{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": "", "outputs": [{"items": [{"mime": "image/png", "encoding": "base64", "data": "***"}]}]}]}', /^cells\[0\]\.outputs\[0\]\.items\[0\]\.data: not valid base64$/],
    ['an unknown encoding', '{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": "", "outputs": [{"items": [{"mime": "image/png", "encoding": "hex", "data": "00"}]}]}]}', /^cells\[0\]\.outputs\[0\]\.items\[0\]\.encoding: expected "base64" or no encoding, got "hex"$/],
    ['a negative execution order', '{"format": "klnb", "version": 1, "cells": [{"kind": "code", "source": "", "execution": {"order": -1}}]}', /^cells\[0\]\.execution\.order: expected a non-negative integer, got number -1$/],
    ['outputs on markdown', '{"format": "klnb", "version": 1, "cells": [{"kind": "markdown", "source": "", "outputs": [{"items": []}]}]}', /^cells\[0\]\.outputs: a markdown cell has no outputs$/],
  ];
  for (const [what, text, message] of malformed) {
    it(`refuses ${what} with a message naming the problem`, () => {
      assert.throws(
        () => parseNotebook(bytes(text)),
        (e: unknown) => e instanceof KlnbFormatError && message.test(e.message),
      );
    });
  }

  it('refuses bytes that are not UTF-8', () => {
    assert.throws(() => parseNotebook(Uint8Array.of(0x7b, 0xff, 0xfe)), /not valid UTF-8/);
  });
});
