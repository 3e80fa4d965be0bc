/**
 * The .npz reader: a zip archive of .npy members, as `np.savez` (stored) and
 * `np.savez_compressed` (deflated) write it.
 */
import type { TensorEntry } from './entry';
import { TensorFormatError } from './errors';
import { readNpy } from './npy';
import type { ByteSource } from './source';
import { openMember, readZipDirectory } from './zip';

const FORMAT = 'npz';

/**
 * One entry per `NAME.npy` member, keyed `NAME` as `np.load(...).files` shows it (`arr_0`,
 * `weights/layer1`), in directory order; other members are ignored. Stored members are windows
 * into the archive, so nothing is read until a tensor is; deflated members are inflated, bounded
 * by the size the directory declares. Errors inside a member name it, and their byte offsets are
 * inside the (inflated) member.
 *
 * Reference: `numpy.savez` / `numpy.lib.npyio.NpzFile`, and NumPy NEP 1 for the members.
 * @example readNpz(source).entries.map((e) => e.key) // ['arr_0', 'arr_1']
 */
export function readNpz(source: ByteSource): { format: 'npz'; entries: TensorEntry[] } {
  if (source.size >= 6 && source.read(0, 6).every((b, i) => b === [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59][i])) {
    throw new TensorFormatError(FORMAT, 'this is a single .npy array, not an .npz archive; open it as .npy', 0);
  }
  const members = readZipDirectory(source, FORMAT);
  const entries: TensorEntry[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    if (!m.name.endsWith('.npy')) continue;
    const key = m.name.slice(0, -'.npy'.length);
    if (seen.has(key)) throw new TensorFormatError(FORMAT, `the archive holds two members named '${m.name}'`, m.localHeaderOffset);
    seen.add(key);
    const data = openMember(source, m, FORMAT);
    try {
      entries.push(readNpy(data, key));
    } catch (e) {
      if (!(e instanceof TensorFormatError)) throw e;
      throw new TensorFormatError(FORMAT, `member '${m.name}': ${withoutOffset(e)}`, e.offset);
    }
  }
  return { format: FORMAT, entries };
}

/** The message without its "(at byte N)" suffix, which the rewrapped error adds again. */
function withoutOffset(e: TensorFormatError): string {
  const suffix = e.offset === undefined ? '' : ` (at byte ${e.offset})`;
  return suffix && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
}
