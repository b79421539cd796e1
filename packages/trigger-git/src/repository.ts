/**
 * Repository identity across vendors. A trigger may name its repository as `owner/name` or by any
 * clone URL; events carry `owner/name` (GitLab: `group/sub/name`). Both sides are reduced to a
 * lower-case path so that `https://github.com/Acme/Web.git` and `acme/web` are the same repository.
 * The host is deliberately not compared: the trigger's secret URL already ties it to one provider.
 */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
// scp-like git syntax: `git@host:owner/name.git` (no scheme, a colon before the path).
const SCP = /^(?:[^@/\s]+@)?[^:/\s]+:(?!\/\/)(.+)$/

function pathOf(input: string): string | null {
  if (SCHEME.test(input)) {
    try {
      return decodeURIComponent(new URL(input).pathname)
    } catch {
      return null
    }
  }
  const scp = SCP.exec(input)
  if (scp) return scp[1]!
  return input
}

// A fan-out compares one pushed repository with every bound workload's (mostly the same few
// strings), so answers are remembered; the bound keeps a stream of distinct inputs from growing it.
const remembered = new Map<string, string | null>()
const REMEMBER = 512

/** `owner/name` in lower case, or null when `input` names no repository. */
export function normalizeRepository(input: string): string | null {
  const known = remembered.get(input)
  if (known !== undefined) return known
  const result = normalize(input)
  if (remembered.size >= REMEMBER) remembered.clear()
  remembered.set(input, result)
  return result
}

function normalize(input: string): string | null {
  const path = pathOf(input.trim())
  if (path === null) return null
  let segments = path
    .replace(/\.git\/?$/i, '')
    .split('/')
    .filter((segment) => segment.length > 0)
  // `github.com/acme/web`: a first segment with a dot and no scheme is a host.
  if (!SCHEME.test(input) && segments.length >= 3 && segments[0]!.includes('.')) {
    segments = segments.slice(1)
  }
  // Bitbucket Data Center serves HTTP clones under /scm/<project>/<repo>.git.
  if (segments.length === 3 && segments[0]!.toLowerCase() === 'scm') segments = segments.slice(1)
  if (segments.length < 2 || segments.some((s) => /\s/.test(s))) return null
  return segments.join('/').toLowerCase()
}
