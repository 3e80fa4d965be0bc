/** Writes a little-endian float .npy (format 1.0) whose element i is `fill(i)`, in 1 M-element blocks. */
export function writeNpy(path: string, descr: '<f4' | '<f8', shape: readonly number[], fill: (i: number) => number): void;
