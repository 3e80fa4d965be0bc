/** esbuild's `text` loader (esbuild.mjs) turns an imported stylesheet into its source text. */
declare module '*.css' {
  const text: string;
  export default text;
}
