import { errorEntry } from '@forge/core'

// Catalogue entries in core's shape, so `forgeError` builds them: what happened, what to do.
export const StaticErrors = {
  UnsafeEntry: errorEntry<{ entry: string; reason: string }>({
    code: 'FORGE_STATIC_UNSAFE_ENTRY',
    message: (p) => `Refused the site content: entry "${p.entry}" ${p.reason}.`,
    hint: 'A site may only contain regular files and folders inside it: remove symlinks, hard links, device files and paths with ".." or a leading "/".',
  }),
  ArchiveInvalid: errorEntry<{ problem: string }>({
    code: 'FORGE_STATIC_ARCHIVE_INVALID',
    message: (p) => `The downloaded archive is not a valid tar.gz: ${p.problem}.`,
    hint: 'Check that baseUrl points at the provider API and that the token can read the repository.',
  }),
  BranchMissing: errorEntry<{ repository: string; branch: string }>({
    code: 'FORGE_STATIC_BRANCH_MISSING',
    message: (p) => `The branch "${p.branch}" does not exist in ${p.repository}.`,
    hint: 'Push the branch, or set `branch` to an existing one.',
  }),
  FetchFailed: errorEntry<{ what: string; cause: string }>({
    code: 'FORGE_STATIC_FETCH_FAILED',
    message: (p) => `${p.what} failed: ${p.cause}.`,
    hint: 'Check the repository, baseUrl and token (it needs read access), and that the provider is reachable from the Forge host.',
  }),
  FolderMissing: errorEntry<{ path: string; commit: string }>({
    code: 'FORGE_STATIC_FOLDER_MISSING',
    message: (p) => `The folder "${p.path}" does not exist at commit ${p.commit.slice(0, 12)}.`,
    hint: 'Fix `path` (relative to the repository root), or leave it empty to serve the whole repository.',
  }),
  DenoImageMissing: errorEntry<{ image: string }>({
    code: 'FORGE_STATIC_DENO_IMAGE_MISSING',
    message: (p) => `Deno mode needs the image ${p.image} on the Docker host, and it is not there.`,
    hint: 'Pull or load the Deno image on the host first (Forge does not pull it), or set `denoImage` to one that is present.',
  }),
} as const
