/**
 * The syntax trees of open Python documents (and notebook cells), kept up to date incrementally:
 * each change event edits the tree at once (cheap), and the next lint re-parses only what
 * changed. Trees live in WebAssembly memory, so each is deleted when replaced or closed.
 */
import type * as vscode from 'vscode';
import { Edit, type Tree } from 'web-tree-sitter';
import { pythonOfCell } from '../../core/lint/notebook';
import type { PythonParser } from '../../host/python';

interface Entry {
  tree: Tree | undefined;
  /** The document version `tree` was parsed at; older when edits are pending. */
  version: number;
  /** The text the tree was parsed from (the cell's Python, for notebook cells). */
  source: string;
}

/** Larger documents are not linted as you type: a full parse would hold up the editor. */
export const MAX_LINT_CHARS = 1_000_000;

export class Trees implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly parser: PythonParser) {}

  /** Records an edit: the tree's nodes move with the text, and the next parse reuses them. */
  edited(event: vscode.TextDocumentChangeEvent): void {
    const entry = this.entries.get(event.document.uri.toString());
    if (!entry?.tree || event.document.uri.scheme === 'vscode-notebook-cell') return;
    // VS Code reports the changes of one event against the text before any of them, last first
    // when there are several; tree-sitter wants them one after another, so apply in that order.
    for (const change of event.contentChanges) {
      const start = change.rangeOffset;
      const oldEnd = start + change.rangeLength;
      const newEnd = start + change.text.length;
      const startPoint = { row: change.range.start.line, column: change.range.start.character };
      const oldEndPoint = { row: change.range.end.line, column: change.range.end.character };
      const lines = change.text.split('\n');
      const newEndPoint =
        lines.length === 1
          ? { row: startPoint.row, column: startPoint.column + change.text.length }
          : { row: startPoint.row + lines.length - 1, column: lines[lines.length - 1]!.length };
      entry.tree.edit(new Edit({ startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd, startPosition: startPoint, oldEndPosition: oldEndPoint, newEndPosition: newEndPoint }));
    }
  }

  /**
   * The document's tree at its current version, and the text it was parsed from; undefined for
   * a notebook cell whose cell magic makes it something other than Python, or a huge document.
   */
  treeOf(document: vscode.TextDocument): { tree: Tree; source: string } | undefined {
    const key = document.uri.toString();
    let entry = this.entries.get(key);
    if (entry?.tree && entry.version === document.version) return { tree: entry.tree, source: entry.source };
    const text = document.getText();
    if (text.length > MAX_LINT_CHARS) return undefined;
    const source = document.uri.scheme === 'vscode-notebook-cell' ? pythonOfCell(text) : text;
    if (source === undefined) {
      this.forget(document.uri);
      return undefined;
    }
    // Cells are small, and blanking a magic changes more of the text than the edit did: they are
    // parsed afresh. Files reuse the edited tree.
    const previous = entry?.tree;
    const tree = this.parser.parse(source, document.uri.scheme === 'vscode-notebook-cell' ? undefined : previous);
    previous?.delete();
    entry = { tree, version: document.version, source };
    this.entries.set(key, entry);
    return { tree, source };
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.entries.get(key)?.tree?.delete();
    this.entries.delete(key);
  }

  dispose(): void {
    for (const e of this.entries.values()) e.tree?.delete();
    this.entries.clear();
  }
}
