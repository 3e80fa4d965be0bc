/**
 * The one typed protocol between the extension host and the results webview. The webview script
 * imports it with `import type`, so there is never a second copy of a message shape.
 */
import type { PanelModel } from '../evaluation/protocol';

/** The units the panel can switch between (information measures only). */
export type PanelUnit = 'nats' | 'bits';

export type HostToPanel =
  | {
      readonly type: 'show';
      readonly model: PanelModel;
      /** The unit the value is shown in, when it can be switched; undefined hides the switch. */
      readonly unit: PanelUnit | undefined;
      /** Kept by the webview (setState) and handed back to restore the panel after a reload. */
      readonly state: unknown;
    }
  | { readonly type: 'busy'; readonly source: string }
  | { readonly type: 'error'; readonly source: string; readonly message: string };

export type PanelToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'copyValue' }
  | { readonly type: 'copyLatex' }
  | { readonly type: 'saveHtml' }
  | { readonly type: 'saveSvg'; readonly chartId: string }
  | { readonly type: 'setUnit'; readonly unit: PanelUnit }
  /** Opens a file the result read (one of `model.files`). */
  | { readonly type: 'reveal'; readonly path: string };
