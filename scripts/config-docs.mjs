// Writes the config reference of every published plugin's README from its kinds' config schemas
// (core's `configJsonSchema`, the JSON Schema `GET /api/plugins` serves), or checks that the
// committed tables still match them.
//   node scripts/config-docs.mjs           rewrite the tables (pnpm config:docs)
//   node scripts/config-docs.mjs --check   CI (scripts/test.sh): exit 1 when a README differs
// A plugin is a package under packages/ (or a published one under examples/) whose package.json
// carries `"forge": { "apiVersion": 1 }` and whose default export is a `definePlugin` plugin. Each
// kind's table sits between `<!-- config-reference:start <kind> -->` and
// `<!-- config-reference:end <kind> -->`; a README without them gets them right after the example
// of its `## Config` section. Only the text between the markers is generated. Build first
// (`pnpm build`): the script imports each package's dist/index.js.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const check = process.argv.includes('--check')
const CATEGORIES = ['sources', 'triggers', 'proxies']
/** Path segments a row may have; deeper objects are one row that says so. */
const MAX_DEPTH = 4

const rel = (path) => path.slice(root.length)
const fail = (message) => {
  console.error(message)
  process.exit(1)
}

/** Plugin packages: packages/*, and examples/* that are published (not private). */
function pluginPackages() {
  const found = []
  for (const group of ['packages', 'examples']) {
    const base = join(root, group)
    if (!existsSync(base)) continue
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name)
      const manifest = join(dir, 'package.json')
      if (!existsSync(manifest)) continue
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
      if (pkg.forge?.apiVersion === undefined) continue
      if (group === 'examples' && pkg.private) continue
      found.push({
        dir,
        name: pkg.name,
        readme: join(dir, 'README.md'),
        dist: join(dir, 'dist/index.js'),
      })
    }
  }
  return found
}

const packages = pluginPackages()
const coreHost = join(root, 'packages/core/dist/host.js')
const missing = [coreHost, ...packages.map((p) => p.dist)].filter((file) => !existsSync(file))
if (missing.length)
  fail(
    `config-docs: ${missing.map(rel).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: build first: pnpm build`,
  )
const { configJsonSchema } = await import(pathToFileURL(coreHost).href)

// ---- JSON Schema → rows ---------------------------------------------------------------------

const BIG = Number.MAX_SAFE_INTEGER

function deref(schema, rootSchema, seen = new Set()) {
  if (!schema || typeof schema !== 'object' || typeof schema.$ref !== 'string') return schema ?? {}
  if (!schema.$ref.startsWith('#') || seen.has(schema.$ref)) return {}
  seen.add(schema.$ref)
  let target = rootSchema
  for (const part of schema.$ref.slice(1).split('/').filter(Boolean))
    target = target?.[part.replaceAll('~1', '/').replaceAll('~0', '~')]
  const { $ref: _, ...rest } = schema
  return { ...deref(target, rootSchema, seen), ...rest }
}

const code = (text) => (String(text).includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``)
const json = (value) => code(JSON.stringify(value))
const isObject = (s) => s.type === 'object' || (s.properties && !s.type)

function range(s, unit = '') {
  const lower =
    s.minimum !== undefined && s.minimum > -BIG
      ? { n: s.minimum, inclusive: true }
      : s.exclusiveMinimum !== undefined
        ? { n: s.exclusiveMinimum, inclusive: false }
        : null
  const upper =
    s.maximum !== undefined && s.maximum < BIG
      ? { n: s.maximum, inclusive: true }
      : s.exclusiveMaximum !== undefined && s.exclusiveMaximum < BIG
        ? { n: s.exclusiveMaximum, inclusive: false }
        : null
  if (lower?.inclusive && upper?.inclusive)
    return lower.n === upper.n ? `${lower.n}${unit}` : `${lower.n}–${upper.n}${unit}`
  return [
    lower && `${lower.inclusive ? '≥' : '>'} ${lower.n}${unit}`,
    upper && `${upper.inclusive ? '≤' : '<'} ${upper.n}${unit}`,
  ]
    .filter(Boolean)
    .join(', ')
}

/** Limits a schema sets, in a few words (empty when none). */
function limits(s) {
  const out = []
  if (s.type === 'string') {
    if (s.minLength === 1 && s.maxLength === undefined) out.push('non-empty')
    else out.push(range({ minimum: s.minLength || undefined, maximum: s.maxLength }, ' characters'))
    let pattern = s.pattern
    if (s.format === 'starts_with' && /^\^.*\.\*$/.test(pattern ?? '')) {
      out.push(`starts with ${code(pattern.slice(1, -2).replace(/\\(.)/g, '$1'))}`)
      pattern = undefined
    } else if (s.format === 'uri') out.push('URI')
    else if (s.format) out.push(s.format)
    if (pattern) out.push(`matching ${code(pattern)}`)
  }
  if (s.type === 'number' || s.type === 'integer') {
    out.push(range(s))
    if (s.multipleOf !== undefined) out.push(`multiple of ${s.multipleOf}`)
  }
  if (s.type === 'array') {
    if (s.minItems === 1 && s.maxItems === undefined) out.push('non-empty')
    else out.push(range({ minimum: s.minItems || undefined, maximum: s.maxItems }, ' items'))
  }
  return out.filter(Boolean)
}

/** The property every variant fixes to a distinct constant (`scope`), if there is one. */
function discriminator(variants) {
  if (variants.length < 2 || !variants.every((v) => isObject(v) && v.properties)) return null
  const constOf = (v, key) => {
    const p = v.properties[key]
    if (!p) return undefined
    if (p.const !== undefined) return p.const
    return p.enum?.length === 1 ? p.enum[0] : undefined
  }
  for (const key of Object.keys(variants[0].properties)) {
    const values = variants.map((v) => constOf(v, key))
    if (values.some((v) => v === undefined)) continue
    if (new Set(values.map((v) => JSON.stringify(v))).size === values.length) return { key, values }
  }
  return null
}

/** A schema's type, split in its name and its limits: `{ base: 'integer', notes: ['1–65535'] }`. */
function parts(schema, rootSchema) {
  const s = deref(schema, rootSchema)
  if (s.const !== undefined) return { base: json(s.const), notes: [] }
  if (s.enum) return { base: s.enum.map(json).join(' | '), notes: [] }
  const variants = s.oneOf ?? s.anyOf
  if (variants) {
    const resolved = variants.map((v) => deref(v, rootSchema))
    const by = discriminator(resolved)
    const shapes = `one of ${resolved.length} shapes`
    if (by) return { base: 'object', notes: [], shape: `${shapes}, by ${code(by.key)}` }
    if (resolved.every((v) => isObject(v) && v.properties))
      return { base: 'object', notes: [], shape: shapes }
    return { base: resolved.map((v) => typeOf(v, rootSchema)).join(' | '), notes: [] }
  }
  if (s.allOf) return { base: 'object', notes: [] }
  const notes = limits(s)
  if (s.type === 'array' && Array.isArray(s.prefixItems)) {
    const items = s.prefixItems.map((item) => typeOf(item, rootSchema))
    return { base: `[${items.join(', ')}]`, notes: [] }
  }
  if (s.type === 'array') {
    const item = parts(s.items, rootSchema)
    const base = / \| |, /.test(item.base) ? `(${item.base})[]` : `${item.base}[]`
    if (item.notes.length) notes.push(`each ${item.notes.join(', ')}`)
    if (item.shape) notes.push(item.shape)
    return { base, notes }
  }
  if (isObject(s)) {
    const values = s.additionalProperties
    if (!s.properties && values && typeof values === 'object')
      return { base: `${parts(values, rootSchema).base} map`, notes }
    return { base: 'object', notes }
  }
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'any']
  return { base: types.join(' | '), notes }
}

/** A schema's type, with enum values and limits, in a few words: `integer (1–65535)`. */
function typeOf(schema, rootSchema) {
  const { base, notes, shape } = parts(schema, rootSchema)
  if (shape) notes.push(shape)
  return notes.length ? `${base} (${notes.join('; ')})` : base
}

const describe = (s) => s.description ?? s.title ?? ''

/** What a field's rows go on with below it: an object, a union, an array's items, a map's values. */
function inner(s, rootSchema, path) {
  if (s.type === 'array') return { child: deref(s.items, rootSchema), at: `${path}[]` }
  if (
    isObject(s) &&
    !s.properties &&
    s.additionalProperties &&
    typeof s.additionalProperties === 'object'
  )
    return { child: deref(s.additionalProperties, rootSchema), at: `${path}.<key>` }
  return { child: s, at: path }
}

const hasFields = (s) => Boolean(s.properties || s.allOf || s.oneOf || s.anyOf)

/** One row per field; objects, arrays of objects and maps of objects are flattened below it. */
function collect(schema, rootSchema, path, required, depth, rows, note = '') {
  const s = deref(schema, rootSchema)
  const row = {
    field: path,
    type: typeOf(s, rootSchema),
    required,
    default: s.default,
    description: [note, describe(s)].filter(Boolean).join(': '),
  }
  rows.push(row)
  const { child, at } = inner(s, rootSchema, path)
  if (child !== s && !row.description) row.description = describe(child)
  if (!hasFields(child)) return
  if (depth < MAX_DEPTH) fields(child, rootSchema, at, depth, rows)
  else
    row.description = [row.description, 'its fields: the JSON Schema in `GET /api/plugins`']
      .filter(Boolean)
      .join('; ')
}

/** The rows of an object's fields, or of a union of objects' fields (merged, saying which). */
function fields(schema, rootSchema, path, depth, rows) {
  const s = deref(schema, rootSchema)
  const at = (name) => (path ? `${path}.${name}` : name)
  if (s.properties) {
    const required = new Set(s.required ?? [])
    for (const [name, prop] of Object.entries(s.properties))
      collect(prop, rootSchema, at(name), required.has(name), depth + 1, rows)
    return
  }
  if (s.allOf) {
    const merged = { properties: {}, required: [] }
    for (const part of s.allOf.map((p) => deref(p, rootSchema))) {
      Object.assign(merged.properties, part.properties)
      merged.required.push(...(part.required ?? []))
    }
    fields(merged, rootSchema, path, depth, rows)
    return
  }
  const variants = (s.oneOf ?? s.anyOf ?? []).map((v) => deref(v, rootSchema))
  if (!variants.length || !variants.every((v) => isObject(v) && v.properties)) return
  const by = discriminator(variants)
  const when = (indices) => {
    if (!by) return `in variant ${indices.map((i) => i + 1).join(', ')} only`
    const values = indices.map((i) => json(by.values[i]))
    const list =
      values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values[0]
    return `when ${code(by.key)} is ${list}`
  }
  const names = [...new Set(variants.flatMap((v) => Object.keys(v.properties)))]
  for (const name of names) {
    const present = variants.map((v, i) => ({ v, i })).filter(({ v }) => v.properties[name])
    const required = present.every(({ v }) => v.required?.includes(name))
    if (by?.key === name) {
      rows.push({
        field: at(name),
        type: by.values.map(json).join(' | '),
        required,
        default: undefined,
        description: describe(present[0].v.properties[name]),
      })
      continue
    }
    const note = present.length < variants.length ? when(present.map(({ i }) => i)) : ''
    const shapes = new Set(present.map(({ v }) => JSON.stringify(v.properties[name])))
    if (shapes.size === 1) {
      collect(present[0].v.properties[name], rootSchema, at(name), required, depth + 1, rows, note)
      continue
    }
    for (const { v, i } of present)
      collect(
        v.properties[name],
        rootSchema,
        at(name),
        v.required?.includes(name) ?? false,
        depth + 1,
        rows,
        when([i]),
      )
  }
}

// ---- rows → markdown --------------------------------------------------------------------------

const cell = (text) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

function table(jsonSchema) {
  const rows = []
  fields(jsonSchema, jsonSchema, '', 0, rows)
  if (!rows.length)
    rows.push({ field: '(config)', type: typeOf(jsonSchema, jsonSchema), required: true })
  const header = ['field', 'type', 'required', 'default', 'description']
  const body = rows.map((r) => [
    code(r.field),
    cell(r.type),
    r.required ? 'yes' : '',
    r.default === undefined ? '' : cell(json(r.default)),
    cell(r.description),
  ])
  const width = (text) => [...text].length
  const widths = header.map((h, i) => Math.max(3, width(h), ...body.map((r) => width(r[i]))))
  const line = (cells) =>
    `| ${cells.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join(' | ')} |`
  const text = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
  return { text, nested: rows.some((r) => /[.[]/.test(r.field)) }
}

// ---- READMEs ------------------------------------------------------------------------------------

const start = (kind) => `<!-- config-reference:start ${kind} -->`
const end = (kind) => `<!-- config-reference:end ${kind} -->`
const block = (kind, text) => `${start(kind)}\n\n${text}\n\n${end(kind)}`
const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Where new markers go: after the first example (fenced block) of `## Config`, else its end. */
function insertionLine(lines) {
  const from = lines.findIndex((l) => /^## Config\b/.test(l))
  if (from < 0) return -1
  let to = lines.findIndex((l, i) => i > from && /^## /.test(l))
  if (to < 0) to = lines.length
  let open = -1
  for (let i = from + 1; i < to; i++) {
    if (!/^\s*```/.test(lines[i])) continue
    if (open < 0) open = i
    else return i + 1
  }
  while (to > from + 1 && lines[to - 1].trim() === '') to--
  return to
}

/** Words wrapped at the READMEs' 100 columns. */
function wrap(text, width = 100) {
  const lines = ['']
  for (const word of text.split(' ')) {
    const last = lines.length - 1
    if (lines[last] && lines[last].length + 1 + word.length > width) lines.push(word)
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word
  }
  return lines
}

/** The heading and sentence written once, with the markers, above a kind's table. */
function intro(kind, many, nested) {
  const sentence = `Generated from the \`${kind}\` kind's config schema by \`node scripts/config-docs.mjs\` (CI fails when the two differ)${nested ? "; a nested field's `required` applies when its parent is given" : ''}.`
  return [
    many ? `### Config reference: \`${kind}\` (generated)` : '### Config reference (generated)',
    '',
    ...wrap(sentence),
    '',
  ]
}

const problems = []
for (const pkg of packages) {
  const plugin = (await import(pathToFileURL(pkg.dist).href)).default
  if (plugin?.$$type !== '@forge/plugin') {
    problems.push(`${rel(pkg.dist)}: the default export is not a plugin (definePlugin)`)
    continue
  }
  const kinds = CATEGORIES.flatMap((category) => plugin[category] ?? [])
  if (!kinds.length) continue
  if (!existsSync(pkg.readme)) {
    problems.push(`${rel(pkg.readme)} is missing`)
    continue
  }
  const readmeName = rel(pkg.readme)
  const before = readFileSync(pkg.readme, 'utf8')
  let text = before
  const pending = []
  for (const definition of kinds) {
    const { kind } = definition
    const schema = configJsonSchema(definition.configSchema)
    if (!schema) {
      problems.push(`${readmeName}: the config schema of kind ${kind} offers no JSON Schema`)
      continue
    }
    const generated = table(schema)
    const wanted = block(kind, generated.text)
    const found = text.match(new RegExp(`${escapeRe(start(kind))}[\\s\\S]*?${escapeRe(end(kind))}`))
    if (!found) {
      if (check)
        problems.push(
          `${readmeName} has no config reference for kind ${kind} (no ${start(kind)} marker): run \`node scripts/config-docs.mjs\``,
        )
      else pending.push({ kind, wanted, nested: generated.nested })
      continue
    }
    if (found[0] === wanted) {
      console.log(`ok      ${readmeName} config reference (${kind})`)
      continue
    }
    if (check) {
      const had = found[0].split('\n')
      const want = wanted.split('\n')
      const first = want.findIndex((l, i) => l !== had[i])
      const at = first < 0 ? want.length : first
      const line = before.slice(0, found.index).split('\n').length + at
      const show = (text) => (text === undefined ? '(nothing)' : text.replace(/ {2,}/g, ' '))
      problems.push(
        [
          `${readmeName}: the config reference of kind ${kind} differs from its schema, first at line ${line}:`,
          `  in the README:   ${show(had[at])}`,
          `  from the schema: ${show(want[at])}`,
          '  Run `node scripts/config-docs.mjs` (pnpm config:docs) and commit the README with the change.',
        ].join('\n'),
      )
      continue
    }
    text = text.slice(0, found.index) + wanted + text.slice(found.index + found[0].length)
    console.log(`wrote   ${readmeName} config reference (${kind})`)
  }
  const known = new Set(kinds.map((k) => k.kind))
  for (const [, kind] of text.matchAll(/<!-- config-reference:start (\S+) -->/g))
    if (!known.has(kind))
      problems.push(
        `${readmeName} has a config reference for kind ${kind}, which ${pkg.name} does not define`,
      )
  if (pending.length) {
    const lines = text.split('\n')
    const at = insertionLine(lines)
    if (at < 0) {
      problems.push(
        `${readmeName} has no \`## Config\` section to put the config reference in: add the markers (${start(pending[0].kind)} … ${end(pending[0].kind)}) by hand`,
      )
    } else {
      const inserted = pending.flatMap(({ kind, wanted, nested }, i) => [
        ...(i ? [''] : []),
        ...intro(kind, kinds.length > 1, nested),
        wanted,
      ])
      if (lines[at - 1]?.trim() !== '') inserted.unshift('')
      if (at < lines.length && lines[at].trim() !== '') inserted.push('')
      lines.splice(at, 0, ...inserted)
      text = lines.join('\n')
      for (const { kind } of pending)
        console.log(`wrote   ${readmeName} config reference (${kind}, markers added)`)
    }
  }
  if (text !== before) writeFileSync(pkg.readme, text)
}

if (problems.length) fail(problems.join('\n'))
