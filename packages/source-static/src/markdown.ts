import { access, readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { marked } from 'marked'

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  )

function page(title: string, body: string): string {
  return `<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(title)}</title>\n</head>\n<body>\n<main>\n${body}</main>\n</body>\n</html>\n`
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/**
 * Renders every `.md` file to an `.html` sibling (an existing `.html` wins). `index.md` or, failing
 * that, `README.md` also becomes the folder's `index.html` when it has none.
 */
export async function renderMarkdown(root: string, files: readonly string[]): Promise<string[]> {
  const written: string[] = []
  const markdown = files.filter((f) => f.toLowerCase().endsWith('.md'))
  for (const file of markdown) {
    const source = await readFile(join(root, file), 'utf8')
    const title = /^#\s+(.+)$/m.exec(source)?.[1]?.trim() ?? basename(file, '.md')
    const html = page(title, await marked.parse(source, { async: true }))
    const targets = [file.replace(/\.md$/i, '.html')]
    const name = basename(file).toLowerCase()
    if (name === 'index.md' || name === 'readme.md') targets.push(join(dirname(file), 'index.html'))
    for (const target of targets) {
      if (files.includes(target) || written.includes(target)) continue
      if (await exists(join(root, target))) continue
      await writeFile(join(root, target), html, { mode: 0o644 })
      written.push(target)
    }
  }
  return written
}
