import { gzipSync } from 'node:zlib'

/** One entry of a hand-made tar: what the malicious-archive tests need to forge. */
export interface FakeEntry {
  name: string
  /**
   * '0' file, '5' folder, '1' hard link, '2' symlink, '3'/'4' character/block device, '6' FIFO,
   * 'x' pax header and 'L' GNU long name (both rename the next entry), 'g' global pax header,
   * 'S' GNU sparse file, 'D' GNU dump dir.
   */
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6' | 'D' | 'L' | 'S' | 'g' | 'x'
  body?: string | Uint8Array
  linkname?: string
}

function header(entry: FakeEntry, size: number): Buffer {
  const h = Buffer.alloc(512)
  h.write(entry.name, 0, 100)
  h.write('0000644\0', 100)
  h.write('0000000\0', 108)
  h.write('0000000\0', 116)
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
  h.write('00000000000\0', 136)
  h.write('        ', 148)
  h.write(entry.type ?? '0', 156)
  if (entry.linkname) h.write(entry.linkname, 157, 100)
  h.write('ustar\0', 257)
  h.write('00', 263)
  let sum = 0
  for (const byte of h) sum += byte
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return h
}

/** An uncompressed tar of the entries, written byte by byte (no tar tool would write the malicious ones). */
export function tar(entries: FakeEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '')
    parts.push(header(entry, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

export function tarGz(entries: FakeEntry[]): Buffer {
  return gzipSync(tar(entries))
}

/** The body of a pax header: records "<length> key=value\n", the length counting itself. */
export function pax(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const rest = ` ${key}=${value}\n`
      let length = Buffer.byteLength(rest)
      while (String(length).length + Buffer.byteLength(rest) !== length) {
        length = String(length).length + Buffer.byteLength(rest)
      }
      return `${length}${rest}`
    })
    .join('')
}
