/**
 * A strict little XML reader for the charts' SVG: it throws on anything not well-formed (unbalanced
 * or mis-nested tags, bad attributes, duplicate attributes or ids, raw `<` or stray `&` in text)
 * and returns the element tree so tests can query it. No DOM, no dependency.
 */
export interface Element {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: Element[];
  /** Text directly inside, entities decoded. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  if (s.replace(ENTITY, '').includes('&')) throw new Error(`stray & in ${where}: ${s.slice(0, 60)}`);
  if (s.includes('<')) throw new Error(`raw < in ${where}`);
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function parseAttrs(s: string, tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /\s+([^\s=]+)="([^"]*)"/y;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) {
      if (/^\s*$/.test(s.slice(at))) break;
      throw new Error(`bad attribute syntax in <${tag}>: ${s.slice(at, at + 40)}`);
    }
    const [, name, value] = m as unknown as [string, string, string];
    if (!NAME.test(name)) throw new Error(`bad attribute name ${name} in <${tag}>`);
    if (name in attrs) throw new Error(`duplicate attribute ${name} in <${tag}>`);
    attrs[name] = decode(value, `attribute ${name}`);
    at = re.lastIndex;
  }
  return attrs;
}

/** Parses a document with exactly one root element; throws when it is not well-formed. */
export function parseXml(xml: string): Element {
  const root: Element = { tag: '#document', attrs: {}, children: [], text: '' };
  const stack: Element[] = [root];
  const ids = new Set<string>();
  const re = /<(\/?)([^\s/>]+)((?:\s+[^\s=]+="[^"]*")*)\s*(\/?)>|([^<]+)/y;
  let at = 0;
  while (at < xml.length) {
    re.lastIndex = at;
    const m = re.exec(xml);
    if (!m) throw new Error(`not well-formed at ${at}: ${xml.slice(at, at + 40)}`);
    at = re.lastIndex;
    const [, closing, tag, attrText, selfClosing, text] = m;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (top === root && text.trim() !== '') throw new Error('text outside the root element');
      top.text += decode(text, `<${top.tag}> text`);
      continue;
    }
    if (!NAME.test(tag!)) throw new Error(`bad tag name ${tag}`);
    if (closing) {
      if (attrText || selfClosing) throw new Error(`bad closing tag </${tag}>`);
      if (top.tag !== tag) throw new Error(`</${tag}> closes <${top.tag}>`);
      stack.pop();
      continue;
    }
    const e: Element = { tag: tag!, attrs: parseAttrs(attrText ?? '', tag!), children: [], text: '' };
    const id = e.attrs.id;
    if (id !== undefined) {
      if (ids.has(id)) throw new Error(`duplicate id ${id}`);
      ids.add(id);
    }
    if (top === root && root.children.length > 0) throw new Error('more than one root element');
    top.children.push(e);
    if (!selfClosing) stack.push(e);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.tag}>`);
  const only = root.children[0];
  if (!only) throw new Error('no root element');
  return only;
}

/** Every element below `e` (depth first, document order), `e` included. */
export function all(e: Element): Element[] {
  return [e, ...e.children.flatMap(all)];
}

export function byClass(e: Element, cls: string): Element[] {
  return all(e).filter((x) => (x.attrs.class ?? '').split(' ').includes(cls));
}

export function byTag(e: Element, tag: string): Element[] {
  return all(e).filter((x) => x.tag === tag);
}

/** The texts of all <text> elements, in document order. */
export function texts(e: Element): string[] {
  return byTag(e, 'text').map((t) => t.text);
}
