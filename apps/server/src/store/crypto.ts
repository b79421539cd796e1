import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  randomFillSync,
} from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** AES-256-GCM over small values (env secrets, signing secrets, webhook secrets). */
export interface SecretBox {
  encrypt(plaintext: string, aad: string): string
  decrypt(sealed: string, aad: string): string
}

const PREFIX = 'v1:'

/**
 * The 32-byte key: FORGE_SECRET_KEY as base64 or hex of 32 bytes, any other string derived with
 * HKDF-SHA256; without it, `<dataDir>/secret.key` (made at first boot, mode 0600).
 */
export function loadSecretKey(dataDir: string, fromEnv: string | null): Buffer {
  if (fromEnv) return keyFromString(fromEnv)
  const file = join(dataDir, 'secret.key')
  if (existsSync(file)) return keyFromString(readFileSync(file, 'utf8').trim())
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32)
  // 'wx' so two processes booting at once never overwrite each other's key.
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  return key
}

export function keyFromString(value: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex')
  const b64 = Buffer.from(value, 'base64')
  if (b64.length === 32 && b64.toString('base64').replace(/=+$/, '') === value.replace(/=+$/, ''))
    return b64
  return Buffer.from(hkdfSync('sha256', value, 'forge', 'forge-secret-key', 32))
}

// IVs come from a pool of random bytes refilled 4 KiB at a time (as Node pools randomUUID's):
// a call to the RNG per IV was a third of sealing a delivery's headers. Each IV is copied out of
// the pool once and never handed out again.
const IV_BYTES = 12
const pool = Buffer.alloc(IV_BYTES * 341)
let poolOffset = pool.length

function nextIv(): Buffer {
  if (poolOffset + IV_BYTES > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const iv = Buffer.from(pool.subarray(poolOffset, poolOffset + IV_BYTES))
  poolOffset += IV_BYTES
  return iv
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`The secret key must be 32 bytes, got ${key.length}.`)
  return {
    encrypt(plaintext, aad) {
      const iv = nextIv()
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from(aad))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
    },
    decrypt(sealed, aad) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Unknown secret format in the store.')
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(raw.subarray(12, 28))
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
      } catch {
        throw new Error(
          'Cannot decrypt a stored secret: FORGE_SECRET_KEY (or <dataDir>/secret.key) is not the key the data was written with. Restore the original key.',
        )
      }
    },
  }
}

/** Hex SHA-256, for values looked up by hash (webhook secrets, the admin token). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** A URL-safe random token with 256 bits of entropy. */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}
