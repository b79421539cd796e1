import type { GitPushEvent } from '@forge/core'

type RefParts = Pick<GitPushEvent, 'ref' | 'branch' | 'tag'>

/**
 * Splits a full ref into branch or tag. `bare` accepts `main` for `refs/heads/main` (generic CI
 * scripts); vendors always send full refs. Other refs (`refs/notes/...`) are neither.
 */
export function splitRef(ref: string, bare = false): RefParts {
  if (ref.startsWith('refs/heads/') && ref.length > 11) {
    return { ref, branch: ref.slice(11), tag: null }
  }
  if (ref.startsWith('refs/tags/') && ref.length > 10)
    return { ref, branch: null, tag: ref.slice(10) }
  if (bare && !ref.startsWith('refs/')) return { ref: `refs/heads/${ref}`, branch: ref, tag: null }
  return { ref, branch: null, tag: null }
}

export interface VendorResult {
  events: GitPushEvent[]
  note?: string
}

export const ignored = (event: string): VendorResult => ({
  events: [],
  note: `ignored event ${event}: only pushes deploy`,
})
