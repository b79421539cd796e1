import { constants } from 'node:fs'
import { mkdir, open, readdir, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { forgeError } from '@forge/core'
import { Parser, type ReadEntry } from 'tar'
import { type TargetOptions, targetOf, unsafeKind } from './entry-target.js'
import { StaticErrors } from './errors.js'

export interface ExtractOptions extends TargetOptions {
  /** Refuse archives that inflate beyond this many bytes; default 512 MiB. */
  maxBytes?: number
}

/** A whole archive in memory, or a download read as it arrives (an HTTP response body). */
export type ArchiveSource = Uint8Array | AsyncIterable<Uint8Array>

const MiB = 1024 * 1024
const WRITE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

async function writeFile(target: string, entry: ReadEntry): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  // O_EXCL | O_NOFOLLOW: never write through something already at that path.
  const handle = await open(target, WRITE_NEW, 0o644)
  try {
    // An entry destroyed meanwhile (the archive was refused) yields nothing more: asking it for a
    // chunk would wait forever.
    if (entry.destroyed) return
    for await (const chunk of entry) {
      // writeFile on a handle goes on from the current position and writes the chunk out in full.
      await handle.writeFile(chunk)
      if (entry.destroyed) return
    }
  } finally {
    await handle.close()
  }
}

const isZlibError = (error: unknown) => /^Z_/.test(String((error as { code?: unknown }).code))

/** node-tar's own complaints (strict mode) read "TAR_ENTRY_INVALID: checksum failure". */
const archiveInvalid = (error: unknown) =>
  forgeError(StaticErrors.ArchiveInvalid, {
    problem: (error as Error).message.replace(/^TAR_[A-Z_]+: /, ''),
  })

/**
 * Streams a tar.gz into `root` (which exists and is empty): gunzip, then node-tar's parser, then
 * each entry checked and written in archive order, one at a time. The first problem stops the
 * download and is thrown; what was written before it is the caller's to remove.
 */
async function unpack(archive: ArchiveSource, root: string, options: ExtractOptions) {
  const maxBytes = options.maxBytes ?? 512 * MiB
  // strict: a checksum failure or a truncated archive is an error, not a warning and a skip.
  const parser = new Parser({ strict: true, zstd: false })
  let failure: { error: unknown } | undefined
  let current: ReadEntry | undefined
  let signal: (error: unknown) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    signal = reject
  })
  failed.catch(() => {})
  const fail = (error: unknown) => {
    if (failure) return
    failure = { error }
    signal(error)
    // A file being written waits for data that will not come now: end it so its write settles.
    current?.on('error', () => {})
    current?.destroy()
  }

  let files = 0
  let writes = Promise.resolve()
  parser.on('entry', (entry: ReadEntry) => {
    let target: string | undefined
    try {
      target = failure ? undefined : targetOf(entry, root, options)
    } catch (error) {
      fail(error)
    }
    if (target === undefined) {
      entry.resume()
      return
    }
    const to = target
    writes = writes
      .then(async () => {
        if (failure) return void entry.resume()
        if (entry.type === 'Directory') {
          entry.resume()
          await mkdir(to, { recursive: true })
          return
        }
        current = entry
        await writeFile(to, entry)
        current = undefined
        files++
      })
      .catch(fail)
  })
  // node-tar skips entry types it does not know (sparse files and the like) and oversized
  // metadata without a word; both refuse the archive here.
  parser.on('ignoredEntry', (entry: ReadEntry) =>
    fail(
      entry.meta
        ? forgeError(StaticErrors.ArchiveInvalid, {
            problem: `a ${entry.type} header larger than 1 MiB`,
          })
        : forgeError(StaticErrors.UnsafeEntry, {
            entry: entry.path,
            reason: unsafeKind(entry) ?? '',
          }),
    ),
  )
  parser.on('error', (error: Error) => fail(archiveInvalid(error)))
  let pastEnd = false
  parser.on('eof', () => {
    pastEnd = true
  })
  const done = new Promise<void>((resolve) => parser.on('end', resolve))

  try {
    await pipeline(
      archive instanceof Uint8Array ? [archive] : archive,
      createGunzip(),
      async (inflated: AsyncIterable<Buffer>) => {
        let bytes = 0
        for await (const chunk of inflated) {
          bytes += chunk.length
          if (bytes > maxBytes) {
            throw forgeError(StaticErrors.ArchiveInvalid, {
              problem: `it inflates to more than ${maxBytes % MiB ? `${maxBytes} bytes` : `${maxBytes / MiB} MiB`}`,
            })
          }
          if (failure) throw failure.error
          // Past the end-of-archive blocks only padding is left: read on, hand nothing over.
          if (pastEnd) continue
          if (!parser.write(chunk)) await Promise.race([failed, drained(parser)])
        }
        if (failure) throw failure.error
        parser.end()
        await Promise.race([failed, done])
      },
    )
  } catch (error) {
    fail(isZlibError(error) ? archiveInvalid(error) : error)
  }
  await writes
  if (failure) throw failure.error
  return files
}

/** The parser's next 'drain'; unlike events.once it never rejects: its errors go through fail. */
function drained(parser: Parser): Promise<void> {
  return new Promise((resolve) => parser.once('drain', () => resolve()))
}

/**
 * Extracts a tar.gz into `dest` (which must be empty or missing) as the archive arrives: memory
 * holds a few chunks, never the archive. Every entry is checked before it is written, and the first
 * refused one stops the download and removes whatever was written, so a refused archive leaves
 * nothing.
 */
export async function extractTarGz(
  archive: ArchiveSource,
  dest: string,
  options: ExtractOptions = {},
): Promise<number> {
  const root = resolve(dest)
  const created = await mkdir(root, { recursive: true })
  if (!created && (await readdir(root)).length > 0) {
    throw new Error(`extractTarGz needs an empty destination, and ${root} is not empty`)
  }
  try {
    return await unpack(archive, root, options)
  } catch (error) {
    if (created) await rm(created, { recursive: true, force: true })
    else
      for (const name of await readdir(root))
        await rm(join(root, name), { recursive: true, force: true })
    throw error
  }
}
