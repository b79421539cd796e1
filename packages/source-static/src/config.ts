import { portSchema } from '@forge/docker'
import { z } from 'zod'

const face = z.strictObject({
  /** A full host name, or a bare subdomain completed with the host's domain. */
  host: z
    .string()
    .min(1)
    .describe("A full host name, or a bare subdomain (`www`) completed with the host's domain"),
  pathPrefix: z
    .string()
    .startsWith('/')
    .optional()
    .describe(
      'Route only requests under this path (`/docs` and `/docs/…`); default the whole host',
    ),
})

// Strict at every level: an unknown key is an error that names it, never silently dropped.
export const staticConfigSchema = z
  .strictObject({
    provider: z
      .enum(['git', 'github', 'gitea', 'gitlab'])
      .describe(
        'How to fetch: `git` clones with the git CLI, `github`, `gitea` and `gitlab` download an archive from their API',
      ),
    /** `git`: any clone URL; `github`/`gitea`: `owner/name`; `gitlab`: `group/project` or an id. */
    repository: z
      .string()
      .min(1)
      .describe(
        '`git`: a clone URL; `github`/`gitea`: `owner/name`; `gitlab`: `group/project` or a project id',
      ),
    /** API base: default https://api.github.com or https://gitlab.com; required for gitea. */
    baseUrl: z
      .url()
      .optional()
      .describe(
        'API base URL; default https://api.github.com (github) or https://gitlab.com (gitlab), required for gitea, unused by git',
      ),
    branch: z.string().min(1).default('main').describe('The branch whose head commit is served'),
    /** A folder in the repository to serve; default the whole repository. */
    path: z
      .string()
      .default('')
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".."')
      .describe(
        'A folder in the repository to serve (`..` is refused); default the whole repository',
      ),
    token: z
      .string()
      .optional()
      .describe('Read token for a private repository; never written to logs, state or errors'),
    mode: z
      .enum(['static', 'deno'])
      .default('static')
      .describe(
        '`static` serves the files with `serverImage`; `deno` runs `denoEntry` with `denoImage` instead',
      ),
    renderMarkdown: z
      .boolean()
      .default(false)
      .describe(
        'Render every `.md` to an `.html` sibling; `index.md` or `README.md` also becomes `index.html`',
      ),
    serverImage: z
      .string()
      .min(1)
      .default('nginx:alpine')
      .describe('The web server image of `static` mode, pulled once when missing'),
    serverRoot: z
      .string()
      .startsWith('/')
      .default('/usr/share/nginx/html')
      .describe(
        "Where the folder is mounted read-only in the container (also Deno's working folder in `deno` mode)",
      ),
    serverPort: portSchema
      .default(80)
      .describe(
        'The port the server listens on in the container; in `deno` mode the script gets it as `PORT`',
      ),
    /** Without a proxy, the port to publish on (on the host's publishHost); default a free one. */
    hostPort: portSchema
      .optional()
      .describe(
        "A fixed host port to publish on (127.0.0.1 behind a proxy, else the host's publishHost); default a free one, and with it set a redeploy removes the old container first",
      ),
    denoImage: z
      .string()
      .min(1)
      .default('denoland/deno:alpine')
      .describe(
        'The Deno image of `deno` mode; it must already be on the Docker host (never pulled)',
      ),
    /** The script Deno runs, relative to the folder; it should listen on $PORT. */
    denoEntry: z
      .string()
      .min(1)
      .default('main.ts')
      .describe(
        'In `deno` mode, the script Deno runs, relative to the folder; it should listen on $PORT',
      ),
    faces: z
      .array(face)
      .default([])
      .describe('Routes through the proxy to the site, one per host name (and path prefix)'),
  })
  .refine((c) => c.provider !== 'gitea' || c.baseUrl !== undefined, {
    message: 'gitea needs baseUrl (the Gitea server, e.g. https://gitea.example.com)',
    path: ['baseUrl'],
  })

export type StaticConfig = z.infer<typeof staticConfigSchema>
export type Face = z.infer<typeof face>

/** The folder without leading/trailing slashes or `.` segments (`/site/./` → `site`). */
export function normalizeFolder(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/')
}
