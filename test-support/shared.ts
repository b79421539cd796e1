import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * The real provider payloads live in `shared/` beside the repository (`../shared` from its root),
 * both here and in CI's fresh clone; FORGE_SHARED_DIR points elsewhere when needed.
 */
const sharedDir = process.env.FORGE_SHARED_DIR ?? resolve(import.meta.dirname, '../../shared')

export const WEBHOOK_FIXTURES = resolve(sharedDir, 'fixtures/webhooks/go-playground')

if (!existsSync(resolve(WEBHOOK_FIXTURES, 'manifest.json'))) {
  throw new Error(
    `The shared webhook fixtures are missing: expected ${WEBHOOK_FIXTURES}/manifest.json. Clone the repository beside shared/, or set FORGE_SHARED_DIR.`,
  )
}
