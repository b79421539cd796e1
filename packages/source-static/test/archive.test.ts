import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isForgeError } from '@forge/core'
import { assertSafeTree, extractTarGz, redactError } from '@forge/source-static'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeEntry, tarGz } from './tar-writer.js'

const dirs: string[] = []
function sandbox(): { outer: string; dest: string } {
  const outer = mkdtempSync(join(tmpdir(), 'forge-static-archive-'))
  dirs.push(outer)
  return { outer, dest: join(outer, 'a', 'dest') }
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isForgeError(error)) throw new Error(`expected a ForgeError, got ${String(error)}`)
  return error
}

/** Every file under a folder, relative to it. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(root.length + 1))
    .sort()
}

describe('extractTarGz', () => {
  it('strips the wrapping folder, keeps only the asked folder, and skips a global pax header', async () => {
    const { dest } = sandbox()
    const archive = tarGz([
      {
        name: 'pax_global_header',
        type: 'g',
        body: '52 comment=0123456789abcdef0123456789abcdef01234567\n',
      },
      { name: 'acme-site-0123456/', type: '5' },
      { name: 'acme-site-0123456/README.md', body: 'root' },
      { name: 'acme-site-0123456/public/', type: '5' },
      { name: 'acme-site-0123456/public/index.html', body: '<h1>hi</h1>' },
      { name: 'acme-site-0123456/public/css/site.css', body: 'body{}' },
      { name: 'acme-site-0123456/publicity/other.txt', body: 'not in the folder' },
    ])
    const files = await extractTarGz(archive, dest, { strip: 1, folder: 'public' })
    expect(files).toBe(2)
    expect(tree(dest)).toEqual(['css/site.css', 'index.html'])
    expect(readFileSync(join(dest, 'index.html'), 'utf8')).toBe('<h1>hi</h1>')
  })

  const malicious: [string, FakeEntry[], RegExp][] = [
    [
      'a zip-slip ../ entry',
      [{ name: 'repo/ok.html' }, { name: 'repo/../../evil.txt', body: 'x' }],
      /"\.\."/,
    ],
    ['a deep zip-slip entry', [{ name: 'repo/a/../../../../evil.txt', body: 'x' }], /"\.\."/],
    [
      'an absolute path',
      [{ name: 'repo/ok.html' }, { name: '/tmp/evil.txt', body: 'x' }],
      /absolute/,
    ],
    [
      'a symlink to /etc/passwd',
      [{ name: 'repo/passwd', type: '2', linkname: '/etc/passwd' }],
      /symbolic link/,
    ],
    [
      'a hard link to /etc/passwd',
      [{ name: 'repo/passwd', type: '1', linkname: '/etc/passwd' }],
      /hard link/,
    ],
    ['a character device', [{ name: 'repo/null', type: '3' }], /character device/],
  ]

  it.each(malicious)('refuses %s and writes nothing at all', async (_name, entries, reason) => {
    const { outer, dest } = sandbox()
    const error = await refusal(extractTarGz(tarGz(entries), dest, { strip: 1 }))
    expect(error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    expect(error.message).toMatch(reason)
    expect(existsSync(dest)).toBe(false)
    expect(tree(outer)).toEqual([])
    expect(existsSync('/tmp/evil.txt')).toBe(false)
  })

  it('refuses bytes that are not a gzip archive', async () => {
    const { dest } = sandbox()
    const error = await refusal(extractTarGz(Buffer.from('<html>login</html>'), dest))
    expect(error.code).toBe('FORGE_STATIC_ARCHIVE_INVALID')
  })
})

describe('assertSafeTree', () => {
  it('lists regular files and refuses a symlink anywhere in the tree', async () => {
    const { outer } = sandbox()
    const root = join(outer, 'site')
    mkdirSync(join(root, 'docs'), { recursive: true })
    writeFileSync(join(root, 'index.html'), 'x')
    writeFileSync(join(root, 'docs', 'a.html'), 'x')
    expect(await assertSafeTree(root)).toEqual(['docs/a.html', 'index.html'])
    symlinkSync('/etc/passwd', join(root, 'docs', 'passwd'))
    const error = await refusal(assertSafeTree(root))
    expect(error.message).toContain('docs/passwd')
  })
})

describe('redactError', () => {
  it('removes the token and URL credentials, folds lines, and caps the size at 240 bytes', () => {
    const token = 'ghp_s3cr3tT0ken'
    const message = `git clone https://user:${token}@example.com/r.git failed\nfatal: ${token} denied ${'é'.repeat(300)}`
    const stored = redactError(message, token)
    expect(stored).not.toContain(token)
    expect(stored).not.toContain('user:')
    expect(stored).not.toContain('\n')
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(240)
    expect(stored).toMatch(/^git clone https:\/\/\*\*\*@example\.com/)
    expect(stored).not.toContain('\uFFFD')
  })
})
