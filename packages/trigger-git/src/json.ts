import { PayloadError, requireJsonText } from '@forge/core/trigger'

const SHA = /^[0-9a-f]{7,64}$/i
const ZERO_SHA = /^0+$/

/** An all-zero SHA: the `after` of a deleted branch or tag. */
export const isZeroSha = (sha: string | null): boolean => sha !== null && ZERO_SHA.test(sha)

/** A commit SHA at `path`; anything else is a payload error, so garbage never becomes a deploy. */
export function requireSha(value: unknown, path: string): string {
  const found = requireJsonText(value, path, 'a commit SHA')
  if (!SHA.test(found))
    throw new PayloadError(path, `a commit SHA, received "${found.slice(0, 80)}"`)
  return found.toLowerCase()
}
