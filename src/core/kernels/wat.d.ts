/** WebAssembly text files are compiled to their binary at build time (esbuild.mjs, test/wat.mjs). */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
