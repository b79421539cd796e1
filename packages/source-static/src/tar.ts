import { constants } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { dirname, isAbsolute, resolve, sep } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { forgeError } from '@forge/core'
import { StaticErrors } from './errors.js'

export interface TarEntry {
  path: string
  type: 'file' | 'directory'
  data: Uint8Array
}

export interface ExtractOptions {
  /** Leading path components to drop (provider archives wrap everything in one folder). */
  strip?: number
  /** Only entries under this folder (after stripping), re-rooted at the destination. */
  folder?: string
  /** Refuse archives that inflate beyond this many bytes; default 512 MiB. */
  maxBytes?: number
}

const BLOCK = 512
const decoder = new TextDecoder()

function field(header: Uint8Array, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length)
  const nul = raw.indexOf(0)
  return decoder.decode(nul === -1 ? raw : raw.subarray(0, nul))
}

function octal(header: Uint8Array, offset: number, length: number): number {
  if ((header[offset] ?? 0) & 0x80) {
    // base-256 (GNU) for sizes over 8 GiB: never legitimate for a site.
    throw forgeError(StaticErrors.ArchiveInvalid, { problem: 'an entry larger than 8 GiB' })
  }
  const text = field(header, offset, length).trim()
  return text ? Number.parseInt(text, 8) : 0
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0)
  return sum === octal(header, 148, 8)
}

function paxPath(data: Uint8Array): string | undefined {
  // Records are "<len> key=value\n"; only `path` matters to us (linkpath is refused anyway).
  for (const line of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(line)
    if (match) return match[1]
  }
  return undefined
}

/** Reads every entry of an uncompressed tar; throws on anything that is not a file or folder. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = []
  let offset = 0
  let longName: string | undefined
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK)
    if (header.every((b) => b === 0)) break
    if (!checksumOk(header)) {
      throw forgeError(StaticErrors.ArchiveInvalid, {
        problem: `bad header checksum at byte ${offset}`,
      })
    }
    const size = octal(header, 124, 12)
    const type = String.fromCharCode(header[156] ?? 0)
    const data = tar.subarray(offset + BLOCK, offset + BLOCK + size)
    if (data.length < size)
      throw forgeError(StaticErrors.ArchiveInvalid, { problem: 'truncated entry' })
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK
    const prefix = field(header, 345, 155)
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100))
    longName = undefined
    if (type === 'g') continue // global pax header (GitHub puts the commit id there)
    if (type === 'x') {
      longName = paxPath(data)
      continue
    }
    if (type === 'L') {
      longName = decoder.decode(data).replace(/\0+$/, '')
      continue
    }
    if (type === '0' || type === '\0' || type === '7') {
      entries.push({ path: name, type: 'file', data })
    } else if (type === '5') {
      entries.push({ path: name, type: 'directory', data: new Uint8Array() })
    } else {
      const kinds: Record<string, string> = {
        '1': 'is a hard link',
        '2': `is a symbolic link (to ${field(header, 157, 100)})`,
        '3': 'is a character device',
        '4': 'is a block device',
        '6': 'is a FIFO',
        K: 'is a long link target',
      }
      throw forgeError(StaticErrors.UnsafeEntry, {
        entry: name,
        reason: kinds[type] ?? `has the unsupported tar type "${type}"`,
      })
    }
  }
  return entries
}

/** The entry's path relative to the destination, or throws when it would escape it. */
export function safeRelative(path: string): string {
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path) || path.startsWith('\\')) {
    throw forgeError(StaticErrors.UnsafeEntry, { entry: path, reason: 'is an absolute path' })
  }
  const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) {
    throw forgeError(StaticErrors.UnsafeEntry, { entry: path, reason: 'climbs out with ".."' })
  }
  return parts.join('/')
}

/**
 * Extracts a tar.gz into `dest` (which must be empty or missing). Every entry is checked before
 * anything is written, so a refused archive leaves nothing behind.
 */
export async function extractTarGz(
  archive: Uint8Array,
  dest: string,
  options: ExtractOptions = {},
): Promise<number> {
  let tar: Uint8Array
  try {
    tar = gunzipSync(archive, { maxOutputLength: options.maxBytes ?? 512 * 1024 * 1024 })
  } catch (error) {
    throw forgeError(StaticErrors.ArchiveInvalid, { problem: (error as Error).message })
  }
  const strip = options.strip ?? 0
  const folder = options.folder ? `${options.folder}/` : ''
  const root = resolve(dest)
  const planned: { target: string; entry: TarEntry }[] = []
  for (const entry of readTar(tar)) {
    const relative = safeRelative(entry.path)
    const stripped = relative.split('/').slice(strip).join('/')
    if (!stripped || !`${stripped}/`.startsWith(folder)) continue
    const inner = stripped.slice(folder.length)
    if (!inner) continue
    const target = resolve(root, inner)
    if (!target.startsWith(root + sep)) {
      throw forgeError(StaticErrors.UnsafeEntry, {
        entry: entry.path,
        reason: 'escapes the destination',
      })
    }
    planned.push({ target, entry })
  }
  await mkdir(root, { recursive: true })
  let files = 0
  for (const { target, entry } of planned) {
    if (entry.type === 'directory') {
      await mkdir(target, { recursive: true })
      continue
    }
    await mkdir(dirname(target), { recursive: true })
    // O_EXCL | O_NOFOLLOW: never write through something already at that path.
    const handle = await open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    )
    try {
      await handle.writeFile(entry.data)
    } finally {
      await handle.close()
    }
    files++
  }
  return files
}
