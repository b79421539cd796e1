import { forgeError } from '@forge/core'
import type { StaticConfig } from './config.js'
import { StaticErrors } from './errors.js'

/** How to talk to one provider's HTTP API: where the head commit and the archive are. */
interface ProviderApi {
  headers: Record<string, string>
  branchUrl: string
  /** Reads the head commit out of the branch response. */
  commitOf(body: unknown): string | undefined
  archiveUrl(commit: string): string
}

const trim = (url: string) => url.replace(/\/+$/, '')
const enc = encodeURIComponent

function ownerRepo(repository: string): string {
  return repository.split('/').map(enc).join('/')
}

function providerApi(config: StaticConfig): ProviderApi {
  const token = config.token
  const branch = enc(config.branch)
  switch (config.provider) {
    case 'github': {
      const base = `${trim(config.baseUrl ?? 'https://api.github.com')}/repos/${ownerRepo(config.repository)}`
      return {
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        branchUrl: `${base}/branches/${branch}`,
        commitOf: (body) => (body as { commit?: { sha?: string } }).commit?.sha,
        // Answers 302 to codeload; fetch follows it (and drops the header cross-origin).
        archiveUrl: (commit) => `${base}/tarball/${commit}`,
      }
    }
    case 'gitea': {
      const base = `${trim(config.baseUrl ?? '')}/api/v1/repos/${ownerRepo(config.repository)}`
      return {
        headers: token ? { authorization: `token ${token}` } : {},
        branchUrl: `${base}/branches/${branch}`,
        commitOf: (body) => (body as { commit?: { id?: string } }).commit?.id,
        archiveUrl: (commit) => `${base}/archive/${commit}.tar.gz`,
      }
    }
    case 'gitlab': {
      // A project is addressed by id or by its URL-encoded full path (`group%2Fproject`).
      const base = `${trim(config.baseUrl ?? 'https://gitlab.com')}/api/v4/projects/${enc(config.repository)}/repository`
      return {
        headers: token ? { 'private-token': token } : {},
        branchUrl: `${base}/branches/${branch}`,
        commitOf: (body) => (body as { commit?: { id?: string } }).commit?.id,
        archiveUrl: (commit) => `${base}/archive.tar.gz?sha=${enc(commit)}`,
      }
    }
    default:
      throw new Error(`provider ${config.provider} has no HTTP API`)
  }
}

async function request(
  url: string,
  api: ProviderApi,
  what: string,
  signal: AbortSignal,
): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, {
      headers: { 'user-agent': 'forge-source-static', ...api.headers },
      signal,
      redirect: 'follow',
    })
  } catch (error) {
    if (signal.aborted) throw error
    const e = error as { cause?: { code?: string }; message: string }
    throw forgeError(StaticErrors.FetchFailed, { what, cause: e.cause?.code ?? e.message })
  }
  return response
}

/** The commit at the head of the branch, from the provider's branch endpoint. */
export async function apiHead(config: StaticConfig, signal: AbortSignal): Promise<string> {
  const api = providerApi(config)
  const what = `Reading branch ${config.branch} of ${config.repository} from ${config.provider}`
  const response = await request(api.branchUrl, api, what, signal)
  if (response.status === 404) {
    await response.body?.cancel()
    throw forgeError(StaticErrors.BranchMissing, {
      repository: config.repository,
      branch: config.branch,
    })
  }
  if (!response.ok) {
    const text = (await response.text()).slice(0, 200)
    throw forgeError(StaticErrors.FetchFailed, { what, cause: `HTTP ${response.status} ${text}` })
  }
  const commit = api.commitOf(await response.json())
  if (!commit)
    throw forgeError(StaticErrors.FetchFailed, { what, cause: 'no commit id in the answer' })
  return commit
}

/** Starts the download of one commit's tar.gz archive: the body streams in as it is read. */
export async function apiArchive(
  config: StaticConfig,
  commit: string,
  signal: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  const api = providerApi(config)
  const what = `Downloading the archive of ${config.repository}@${commit.slice(0, 12)}`
  const response = await request(api.archiveUrl(commit), api, what, signal)
  if (!response.ok) {
    const text = (await response.text()).slice(0, 200)
    throw forgeError(StaticErrors.FetchFailed, { what, cause: `HTTP ${response.status} ${text}` })
  }
  if (!response.body) {
    throw forgeError(StaticErrors.FetchFailed, { what, cause: 'the answer has no body' })
  }
  return response.body
}
