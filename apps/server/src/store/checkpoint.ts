import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Db } from './db.js'

/**
 * WAL checkpoints off the event loop. SQLite's own checkpoint runs inside whichever COMMIT takes
 * the log past 1,000 pages: it copies them into the database file and syncs it, on the request
 * that happened to commit — half the cost of a delivery's transaction under sustained ingest
 * (docs/benchmarks.md). Here a worker thread with a connection of its own runs a PASSIVE
 * checkpoint (the writer and readers carry on) whenever the database changed since its last one,
 * a few times a second, and the server's connection never checkpoints.
 *
 * If the worker cannot start or dies, the connection goes back to checkpointing itself: the log
 * never grows without bound. Closing waits for the worker to close its connection, then the
 * server's closes last and folds the log into the file, as SQLite does for a lone connection.
 */
export interface Checkpointer {
  close(): void
}

// The worker's script, run as CommonJS with `eval`: one file, whether the server runs from its
// sources (tests) or from dist (a packed install), with better-sqlite3 resolved from here.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 1000')
let seen = -1
let failures = 0
const tick = () => {
  try {
    const version = db.pragma('data_version', { simple: true })
    if (version === seen) return
    db.pragma('wal_checkpoint(PASSIVE)')
    seen = version
    failures = 0
  } catch (error) {
    // A full disk or a busy lock: the next tick tries again; the server's writes are unaffected.
    if (++failures === 1) parentPort.postMessage({ failed: String(error && error.message) })
  }
}
const timer = setInterval(tick, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message !== 'close') return
  clearInterval(timer)
  try { db.close() } catch {}
  // The server waits on this to close its own connection last (which removes the log).
  Atomics.store(workerData.closed, 0, 1)
  Atomics.notify(workerData.closed, 0)
  parentPort.close()
})
`

/** How long closing waits for the worker's connection to close. */
const CLOSE_WAIT_MS = 2_000

export function startCheckpointer(
  db: Db,
  options: { intervalMs?: number; onFailure?: (message: string) => void } = {},
): Checkpointer {
  const inline = () => {
    if (db.open) db.pragma('wal_autocheckpoint = 1000')
  }
  const closed = new Int32Array(new SharedArrayBuffer(4))
  let worker: Worker
  try {
    worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        file: db.name,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? 200,
        closed,
      },
    })
  } catch {
    return { close() {} }
  }
  db.pragma('wal_autocheckpoint = 0')
  let closing = false
  let exited = false
  worker.unref()
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed) options.onFailure?.(message.failed)
  })
  worker.on('error', (error) => {
    options.onFailure?.(error.message)
    inline()
  })
  worker.on('exit', () => {
    exited = true
    if (!closing) inline()
  })
  return {
    close() {
      if (closing) return
      closing = true
      if (exited) return
      worker.postMessage('close')
      // Blocks until the worker's connection is closed (a few ms; bounded), so that the
      // server's, closed next, is the last: SQLite then folds the log in and removes it, and the
      // data dir holds no file still being written when close() returns.
      Atomics.wait(closed, 0, 0, CLOSE_WAIT_MS)
    },
  }
}
