// Writes docs/api-reference.md from the server's own OpenAPI document (GET /api/openapi.json, built
// from the route table's zod schemas), or checks that the committed file still matches it.
//   node scripts/api-reference.mjs            check (CI, scripts/test.sh)
//   node scripts/api-reference.mjs --update   rewrite docs/api-reference.md
// Build the server first (`pnpm build`).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const target = join(root, 'docs/api-reference.md')
const update = process.argv.includes('--update')
const dist = join(root, 'apps/server/dist/index.js')
if (!existsSync(dist)) {
  console.error('apps/server/dist is missing: run `pnpm build` first')
  process.exit(1)
}
const { createServer } = await import(dist)

const dir = mkdtempSync(join(tmpdir(), 'forge-api-reference-'))
writeFileSync(join(dir, 'package.json'), '{"name":"api-reference","private":true}')
const token = 'api-reference-token'
const server = await createServer({
  instanceDir: dir,
  dataDir: join(dir, 'data'),
  host: '127.0.0.1',
  port: 0,
  adminToken: token,
  publicUrl: null,
  proxy: 'none',
  disableReconciler: true,
  log: { level: 'silent' },
})
let doc
try {
  const res = await fetch(`${server.url}/api/openapi.json`, {
    headers: { authorization: `Bearer ${token}` },
  })
  doc = await res.json()
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}

/** A JSON Schema's type, in a few words. */
function typeOf(schema = {}) {
  if (schema.const !== undefined) return JSON.stringify(schema.const)
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ')
  for (const key of ['anyOf', 'oneOf'])
    if (schema[key]) return schema[key].map(typeOf).join(' \\| ')
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`
  if (schema.type === 'object' && schema.additionalProperties && !schema.properties)
    return `{ [key]: ${typeOf(schema.additionalProperties)} }`
  if (Array.isArray(schema.type)) return schema.type.join(' \\| ')
  return schema.type ?? 'any'
}

const cell = (text) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')

function body(schema) {
  if (!schema?.properties) return [`Body: \`${typeOf(schema)}\``, '']
  const required = new Set(schema.required ?? [])
  const rows = Object.entries(schema.properties).map(
    ([name, prop]) =>
      `| \`${name}\` | \`${typeOf(prop)}\` | ${required.has(name) ? 'yes' : ''} | ${cell(prop.description)} |`,
  )
  const strict = schema.additionalProperties === false ? ' Unknown fields are refused.' : ''
  return [
    `Body (JSON):${strict}`,
    '',
    '| field | type | required | |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ]
}

const lines = [
  '# API reference',
  '',
  'Generated from `GET /api/openapi.json` (the route table and its zod schemas) by',
  '`node scripts/api-reference.mjs --update`; CI fails when this file and the server differ. What the',
  'answers mean, the errors, sessions and events: [api.md](api.md).',
  '',
]
for (const [path, methods] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(methods)) {
    lines.push(`## ${method.toUpperCase()} ${path}`, '', op.summary, '')
    lines.push(
      op.security?.length === 0 ? 'Public: no token.' : 'Needs the bearer token or a session.',
      '',
    )
    const query = (op.parameters ?? []).filter((p) => p.in === 'query')
    if (query.length) lines.push(`Query: ${query.map((p) => `\`${p.name}\``).join(', ')}`, '')
    const content = op.requestBody?.content
    if (content?.['application/json']) lines.push(...body(content['application/json'].schema))
    else if (content) lines.push('Body: the raw bytes, as the sender signed them.', '')
  }
}
const text = `${lines
  .join('\n')
  .replace(/\n{3,}/g, '\n\n')
  .trimEnd()}\n`

if (update) {
  writeFileSync(target, text)
  console.log(`wrote ${target.slice(root.length)}`)
} else if (!existsSync(target) || readFileSync(target, 'utf8') !== text) {
  console.error(
    "docs/api-reference.md differs from the server's OpenAPI document: a route, its summary or its body changed. Run `node scripts/api-reference.mjs --update` and commit the file with the change.",
  )
  process.exit(1)
} else console.log('ok      docs/api-reference.md matches GET /api/openapi.json')
