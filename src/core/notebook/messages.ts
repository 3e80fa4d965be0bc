/**
 * The one message type from the notebook renderer to the extension host. The renderer imports it
 * with `import type`; the host validates the payload again (parsePayload), as it would any input.
 */
export type RendererToHost = { readonly type: 'openInPanel'; readonly payload: unknown };
