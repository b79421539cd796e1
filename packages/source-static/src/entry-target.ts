import { isAbsolute, resolve, sep } from 'node:path'
import { forgeError } from '@forge/core'
import type { ReadEntry } from 'tar'
import { StaticErrors } from './errors.js'

/** What targetOf needs of the extraction options. */
export interface TargetOptions {
  /** Leading path components to drop (provider archives wrap everything in one folder). */
  strip?: number
  /** Only entries under this folder (after stripping), re-rooted at the destination. */
  folder?: string
}

/** Why an entry type other than a plain file or folder refuses the archive. */
export function unsafeKind(entry: ReadEntry): string | undefined {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
    case 'Directory':
      return undefined
    case 'Link':
      return 'is a hard link'
    case 'SymbolicLink':
      return `is a symbolic link (to ${entry.linkpath ?? ''})`
    case 'CharacterDevice':
      return 'is a character device'
    case 'BlockDevice':
      return 'is a block device'
    case 'FIFO':
      return 'is a FIFO'
    default:
      return `has the unsupported tar type "${entry.header.typeKey}"`
  }
}

/** The entry's path relative to the destination, or throws when it would escape it. */
function safeRelative(path: string): string {
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
 * Where an entry goes under `root`, or undefined when it lies outside the asked folder. Throws for
 * an entry that is not a plain file or folder, or whose path could leave `root`, wherever it is:
 * one bad entry refuses the whole archive.
 */
export function targetOf(
  entry: ReadEntry,
  root: string,
  options: TargetOptions,
): string | undefined {
  const kind = unsafeKind(entry)
  if (kind) throw forgeError(StaticErrors.UnsafeEntry, { entry: entry.path, reason: kind })
  const relative = safeRelative(entry.path)
  const folder = options.folder ? `${options.folder}/` : ''
  const stripped = relative
    .split('/')
    .slice(options.strip ?? 0)
    .join('/')
  if (!stripped || !`${stripped}/`.startsWith(folder)) return undefined
  const inner = stripped.slice(folder.length)
  if (!inner) return undefined
  const target = resolve(root, inner)
  if (!target.startsWith(root + sep)) {
    throw forgeError(StaticErrors.UnsafeEntry, {
      entry: entry.path,
      reason: 'escapes the destination',
    })
  }
  return target
}
