// The physical floor of the 1e8-element workload: read the files' bytes with sequential reads into
// one reused 4 MiB buffer, as KL Lens does, and compute nothing. usage: node floor.mjs FILE...
import { closeSync, openSync, readSync } from 'node:fs';

const buffer = new Uint8Array(1 << 22);
let total = 0;
for (const file of process.argv.slice(2)) {
  const fd = openSync(file, 'r');
  for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) total += n;
  closeSync(fd);
}
console.log(total);
