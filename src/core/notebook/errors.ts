/** The one error a malformed notebook payload raises: the field path (`variables.q.shape[1]`) and what is wrong. */
export class PayloadError extends Error {
  /** Where in the payload, as a JavaScript-style path; empty for the payload itself. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path === '' ? 'payload' : path}: ${message}`);
    this.name = 'PayloadError';
    this.path = path;
  }
}

/** What a value is, for "expected X, got Y" messages: JSON's names, with a short preview. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
