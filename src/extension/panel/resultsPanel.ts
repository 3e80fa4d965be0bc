/**
 * The results panel: one webview that shows the latest evaluation, re-evaluates when its files
 * change or the unit is switched, and survives a window reload through its serialized request.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { inlinedKatexCss } from '../../host/katexAssets';
import { RESULTS_VIEW_TYPE } from '../commandIds';
import { preloadFiles } from '../commands/preload';
import { evaluateInWorker } from '../evaluation/runner';
import type { EvaluationRequest, PanelModel } from '../evaluation/protocol';
import { log, reportError } from '../log';
import { panelHtml } from './html';
import { handlePanelMessage, switchableUnit, type PanelEffects } from './messages';
import type { HostToPanel } from './protocol';

interface PanelState {
  readonly request: EvaluationRequest;
}

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private request: EvaluationRequest | undefined;
  private model: PanelModel | undefined;
  private watchers: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: PanelState | undefined) => {
          this.adopt(panel);
          if (state?.request) await this.show(state.request, { background: true });
        },
      }),
    );
  }

  /**
   * Evaluates the request in a worker and shows it; errors are shown once and logged. `background`:
   * nobody just asked for it (a file changed, the window reloaded), so progress goes to the status bar.
   */
  async show(request: EvaluationRequest, { background = false }: { background?: boolean } = {}): Promise<PanelModel | undefined> {
    if (!request.preloaded) {
      const preloaded = await preloadFiles(request.source, vscode.workspace.workspaceFolders?.[0]?.uri);
      if (preloaded) request = { ...request, preloaded };
    }
    this.request = request;
    const panel = this.ensurePanel(!background);
    this.post({ type: 'busy', source: request.source });
    try {
      const model = await evaluateInWorker(request, this.context.extensionPath, { background });
      if (this.request !== request) return undefined; // a newer request replaced this one
      this.model = model;
      panel.title = `KL Lens: ${model.title}`;
      this.post(this.showMessage(model, request));
      this.watch(model.files);
      return model;
    } catch (e) {
      this.post({ type: 'error', source: request.source, message: e instanceof Error ? e.message : String(e) });
      reportError('evaluation', e);
      return undefined;
    }
  }

  private ensurePanel(reveal: boolean): vscode.WebviewPanel {
    if (this.panel) {
      if (reveal) this.panel.reveal(undefined, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, 'KL Lens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    });
    this.adopt(panel);
    return panel;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    };
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.html = panelHtml(panel.webview, this.context.extensionUri);
    panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.clearWatchers();
    }, undefined, this.disposables);
  }

  private showMessage(model: PanelModel, request: EvaluationRequest): HostToPanel {
    // Bytes read through the workspace file system are not kept: a restored panel reads again.
    const { preloaded: _preloaded, ...kept } = request;
    const state: PanelState = { request: kept };
    return { type: 'show', model, unit: switchableUnit(model), state };
  }

  private post(message: HostToPanel): void {
    void this.panel?.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const effects: PanelEffects = {
      copy: async (text) => vscode.env.clipboard.writeText(text),
      save: async (file) => {
        const uri = await vscode.window.showSaveDialog({ filters: { [file.filter.label]: [...file.filter.extensions] }, defaultUri: this.defaultUri(file.name) });
        if (uri) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(file.content));
      },
      evaluate: async (request) => void (await this.show(request)),
      resend: () => this.model && this.request && this.post(this.showMessage(this.model, this.request)),
      // Text tables open in an editor; binary tensor files would only show VS Code's binary
      // placeholder, so they are selected in the explorer, where their context menu inspects them.
      reveal: async (path) => {
        const uri = vscode.Uri.file(path);
        if (/\.(csv|tsv|json|txt)$/i.test(path)) await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: true });
        await vscode.commands.executeCommand('revealInExplorer', uri);
      },
      log,
    };
    try {
      await handlePanelMessage(raw, { model: this.model, request: this.request }, effects, { katexCss: inlinedKatexCss });
    } catch (e) {
      reportError(typeof raw === 'object' && raw && 'type' in raw ? String(raw.type) : 'panel', e);
    }
  }

  private defaultUri(name: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return folder ? vscode.Uri.joinPath(folder, name) : undefined;
  }

  /** File-backed results follow their files: a change re-evaluates (debounced). */
  private watch(files: readonly string[]): void {
    this.clearWatchers();
    let timer: NodeJS.Timeout | undefined;
    const rerun = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => this.request && void this.show(this.request, { background: true }), 300);
    };
    for (const f of files) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(f)), f.split(/[\\/]/).pop()!));
      this.watchers.push(w, w.onDidChange(rerun), w.onDidCreate(rerun));
    }
  }

  private clearWatchers(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
  }

  dispose(): void {
    this.clearWatchers();
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
