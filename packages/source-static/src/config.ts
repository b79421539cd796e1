import { z } from 'zod'

const face = z.strictObject({
  /** A full host name, or a bare subdomain completed with the host's domain. */
  host: z.string().min(1),
  pathPrefix: z.string().startsWith('/').optional(),
})

// Strict at every level: an unknown key is an error that names it, never silently dropped.
export const staticConfigSchema = z
  .strictObject({
    provider: z.enum(['git', 'github', 'gitea', 'gitlab']),
    /** `git`: any clone URL; `github`/`gitea`: `owner/name`; `gitlab`: `group/project` or an id. */
    repository: z.string().min(1),
    /** API base: default https://api.github.com or https://gitlab.com; required for gitea. */
    baseUrl: z.url().optional(),
    branch: z.string().min(1).default('main'),
    /** A folder in the repository to serve; default the whole repository. */
    path: z
      .string()
      .default('')
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".."'),
    token: z.string().optional(),
    mode: z.enum(['static', 'deno']).default('static'),
    renderMarkdown: z.boolean().default(false),
    serverImage: z.string().min(1).default('nginx:alpine'),
    serverRoot: z.string().startsWith('/').default('/usr/share/nginx/html'),
    serverPort: z.number().int().min(1).max(65535).default(80),
    /** Without a proxy, the port to publish on (on the host's publishHost); default a free one. */
    hostPort: z.number().int().min(1).max(65535).optional(),
    denoImage: z.string().min(1).default('denoland/deno:alpine'),
    /** The script Deno runs, relative to the folder; it should listen on $PORT. */
    denoEntry: z.string().min(1).default('main.ts'),
    faces: z.array(face).default([]),
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
