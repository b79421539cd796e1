import { createReadStream, existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, normalize, sep } from 'node:path'
import type { Context, Next } from 'koa'
import type { HostLogger } from '../logger.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

// The UI talks only to its own origin; log text and server data are never HTML (no inline script).
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

/** Where `@forge/web`'s build is: a dependency of the server, so a packed install has it. */
export function webUiDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@forge/web/package.json')
    return join(dirname(pkg), 'dist')
  } catch {
    return null
  }
}

/**
 * Serves the web UI at `/`: hashed assets for a year (`immutable`), `index.html` revalidated
 * every time, and every extension-less path answered with `index.html` so the browser's router
 * takes over. `/api` and `/healthz` are never touched, and nothing outside the build is reachable
 * (`..`, encoded or not, and absolute paths are refused).
 */
export function webUi(log: HostLogger, root: string | null = webUiDir()) {
  const dist = root ? normalize(root) : null
  const index = dist ? join(dist, 'index.html') : null
  if (!index || !existsSync(index))
    log.warn('The web UI is not built: / answers 404 until @forge/web is (pnpm build)', {
      looked: dist,
    })

  const send = (ctx: Context, file: string, cache: string) => {
    const type = TYPES[extname(file)] ?? 'application/octet-stream'
    ctx.set('cache-control', cache)
    ctx.set('x-content-type-options', 'nosniff')
    if (type.startsWith('text/html')) ctx.set(HTML_HEADERS)
    ctx.type = type
    ctx.length = statSync(file).size
    // Koa sends no body for HEAD and destroys the stream when the answer ends.
    ctx.body = createReadStream(file)
  }

  return async (ctx: Context, next: Next) => {
    const path = ctx.path
    if (
      !dist ||
      (ctx.method !== 'GET' && ctx.method !== 'HEAD') ||
      path === '/api' ||
      path.startsWith('/api/') ||
      path === '/healthz'
    )
      return next()
    let decoded: string
    try {
      decoded = decodeURIComponent(path)
    } catch {
      return next()
    }
    const segments = decoded.split(/[/\\]/)
    if (decoded.includes('\0') || segments.includes('..')) return next()
    const file = normalize(join(dist, ...segments))
    if (file !== dist && !file.startsWith(dist + sep)) return next()

    if (existsSync(file) && statSync(file).isFile()) {
      const hashed = file.startsWith(join(dist, 'assets') + sep)
      return send(ctx, file, hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
    }
    // A path with no extension is a page of the app; a missing file with one is a 404.
    if (extname(decoded) === '' && index && existsSync(index)) return send(ctx, index, 'no-cache')
    return next()
  }
}
