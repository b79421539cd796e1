import { lstat, readdir, realpath } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { forgeError } from '@forge/core'
import { StaticErrors } from './errors.js'

/**
 * Walks a fetched folder and refuses anything but regular files and folders inside it: the second
 * line of defence after extraction, and the only one for a git checkout.
 */
export async function assertSafeTree(root: string): Promise<string[]> {
  const base = await realpath(root)
  const files: string[] = []
  const visit = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name)
      const rel = relative(base, path)
      const info = await lstat(path)
      if (info.isSymbolicLink()) {
        throw forgeError(StaticErrors.UnsafeEntry, { entry: rel, reason: 'is a symbolic link' })
      }
      if (info.isDirectory()) {
        await visit(path)
      } else if (info.isFile()) {
        if (info.nlink > 1) {
          throw forgeError(StaticErrors.UnsafeEntry, { entry: rel, reason: 'is a hard link' })
        }
        files.push(rel)
      } else {
        throw forgeError(StaticErrors.UnsafeEntry, { entry: rel, reason: 'is not a regular file' })
      }
      if (rel.startsWith(`..${sep}`) || rel === '..') {
        throw forgeError(StaticErrors.UnsafeEntry, { entry: rel, reason: 'escapes the folder' })
      }
    }
  }
  await visit(base)
  return files.sort()
}
