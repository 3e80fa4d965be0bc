/**
 * KaTeX's stylesheet with its woff2 fonts inlined as data: URIs, for documents that must work
 * offline and alone (the HTML report). The build copies katex.min.css and the fonts to
 * dist/katex/; running from source falls back to the installed package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function katexDir(): string {
  const beside = join(__dirname, 'katex');
  if (existsSync(join(beside, 'katex.min.css'))) return beside;
  // Running from source (src/host/): the installed package.
  return join(__dirname, '..', '..', 'node_modules', 'katex', 'dist');
}

let cached: string | undefined;

export function inlinedKatexCss(): string {
  if (cached !== undefined) return cached;
  const dir = katexDir();
  const css = readFileSync(join(dir, 'katex.min.css'), 'utf8');
  // Each @font-face lists woff2, woff and ttf; every browser that runs KaTeX reads woff2.
  cached = css.replace(/src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*/g, (_m, name: string) => {
    const font = readFileSync(join(dir, 'fonts', `${name}.woff2`)).toString('base64');
    return `src:url(data:font/woff2;base64,${font}) format("woff2")`;
  });
  return cached;
}
