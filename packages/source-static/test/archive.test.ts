import { randomBytes } from 'node:crypto'
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
import { gzipSync } from 'node:zlib'
import { isForgeError } from '@forge/core'
import { assertSafeTree, extractTarGz, redactError } from '@forge/source-static'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeEntry, pax, tar, tarGz } from './tar-writer.js'

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
    // Entries node-tar's own extraction would accept, rewrite or skip with only a warning: the
    // paths are those node-tar reads (pax and GNU long names included), and each refuses here.
    [
      'a zip-slip path in a pax header (node-tar would skip it with a warning)',
      [
        { name: 'PaxHeader/innocent.txt', type: 'x', body: pax({ path: 'repo/../../evil.txt' }) },
        { name: 'repo/innocent.txt', body: 'x' },
      ],
      /"\.\."/,
    ],
    [
      'an absolute path in a pax header (node-tar would strip the "/" and write it)',
      [
        { name: 'PaxHeader/innocent.txt', type: 'x', body: pax({ path: '/tmp/evil.txt' }) },
        { name: 'repo/innocent.txt', body: 'x' },
      ],
      /absolute/,
    ],
    [
      'a zip-slip GNU long name',
      [
        { name: '././@LongLink', type: 'L', body: 'repo/../../evil.txt\0' },
        { name: 'repo/innocent.txt', body: 'x' },
      ],
      /"\.\."/,
    ],
    [
      'a backslash zip-slip (one odd file name to node-tar on Linux)',
      [{ name: 'repo\\..\\..\\evil.txt', body: 'x' }],
      /"\.\."/,
    ],
    ['a drive-letter path', [{ name: 'C:/evil.txt', body: 'x' }], /absolute/],
    [
      'a symlink that stays inside the tree (node-tar would create it)',
      [
        { name: 'repo/index.html', body: 'x' },
        { name: 'repo/alias.html', type: '2', linkname: 'index.html' },
      ],
      /symbolic link \(to index\.html\)/,
    ],
    [
      'a symlink to a folder outside, then a file written through it',
      [
        { name: 'repo/out', type: '2', linkname: '/tmp' },
        { name: 'repo/out/evil.txt', body: 'x' },
      ],
      /symbolic link \(to \/tmp\)/,
    ],
    [
      'a relative symlink that climbs out, then a file written through it',
      [
        { name: 'repo/up', type: '2', linkname: '../../../../../../tmp' },
        { name: 'repo/up/evil.txt', body: 'x' },
      ],
      /symbolic link/,
    ],
    [
      'a hard link to a file inside the tree (node-tar would create it)',
      [
        { name: 'repo/a.html', body: 'a' },
        { name: 'repo/b.html', type: '1', linkname: 'repo/a.html' },
      ],
      /hard link/,
    ],
    ['a block device', [{ name: 'repo/sda', type: '4' }], /block device/],
    ['a FIFO (node-tar would skip it with a warning)', [{ name: 'repo/pipe', type: '6' }], /FIFO/],
    [
      'a sparse file (node-tar would skip it without a word)',
      [{ name: 'repo/sparse', type: 'S', body: 'x' }],
      /unsupported tar type "S"/,
    ],
    [
      'a GNU dump dir (node-tar would make it a folder)',
      [{ name: 'repo/dump/', type: 'D' }],
      /unsupported tar type "D"/,
    ],
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

  it('refuses an unsafe entry outside the asked folder too', async () => {
    const { outer, dest } = sandbox()
    const archive = tarGz([
      { name: 'repo/public/index.html', body: 'ok' },
      { name: 'repo/src/passwd', type: '2', linkname: '/etc/passwd' },
    ])
    const error = await refusal(extractTarGz(archive, dest, { strip: 1, folder: 'public' }))
    expect(error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    expect(tree(outer)).toEqual([])
  })

  it('empties a destination that already existed, and leaves it in place, when it refuses', async () => {
    const { dest } = sandbox()
    mkdirSync(dest, { recursive: true })
    const archive = tarGz([
      { name: 'repo/index.html', body: 'ok' },
      { name: 'repo/../evil.txt', body: 'x' },
    ])
    const error = await refusal(extractTarGz(archive, dest, { strip: 1 }))
    expect(error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    expect(readdirSync(dest)).toEqual([])
  })

  it('refuses bytes that are not a gzip archive', async () => {
    const { dest } = sandbox()
    const error = await refusal(extractTarGz(Buffer.from('<html>login</html>'), dest))
    expect(error.code).toBe('FORGE_STATIC_ARCHIVE_INVALID')
  })

  const site: FakeEntry[] = [
    { name: 'repo/index.html', body: 'first' },
    { name: 'repo/big.bin', body: randomBytes(64 * 1024) },
  ]
  const withBadChecksum = tar(site)
  withBadChecksum[1024 + 5] = 0x41 // big.bin's header (after index.html's two blocks), past its checksum

  const invalid: [string, Buffer, RegExp][] = [
    ['a download cut short', tarGz(site).subarray(0, 2000), /unexpected end of file/],
    ['a tar that ends inside an entry', gzipSync(tar(site).subarray(0, 4096)), /Truncated input/],
    ['a header whose checksum is wrong', gzipSync(withBadChecksum), /checksum/],
    [
      'a gzip of something that is not a tar',
      gzipSync(`<html>${'login '.repeat(200)}</html>`),
      /checksum/,
    ],
    [
      'a pax header over 1 MiB (node-tar would drop it and keep the short name)',
      tarGz([
        { name: 'PaxHeader/x', type: 'x', body: pax({ comment: 'x'.repeat(1024 * 1024) }) },
        { name: 'repo/x', body: 'x' },
      ]),
      /ExtendedHeader header larger than 1 MiB/,
    ],
  ]

  it.each(invalid)(
    'refuses %s as an invalid archive and leaves nothing',
    async (_name, bytes, problem) => {
      const { outer, dest } = sandbox()
      const error = await refusal(extractTarGz(bytes, dest, { strip: 1 }))
      expect(error.code).toBe('FORGE_STATIC_ARCHIVE_INVALID')
      expect(error.message).toMatch(problem)
      expect(existsSync(dest)).toBe(false)
      expect(tree(outer)).toEqual([])
    },
  )

  it('refuses an archive that inflates beyond maxBytes, counting every inflated byte', async () => {
    const { outer, dest } = sandbox()
    const archive = tarGz([{ name: 'repo/zeros.bin', body: Buffer.alloc(200 * 1024) }])
    expect(archive.length).toBeLessThan(64 * 1024)
    const error = await refusal(extractTarGz(archive, dest, { strip: 1, maxBytes: 100 * 1024 }))
    expect(error.code).toBe('FORGE_STATIC_ARCHIVE_INVALID')
    expect(error.message).toContain('more than 102400 bytes')
    expect(tree(outer)).toEqual([])
    expect(await extractTarGz(archive, dest, { strip: 1, maxBytes: 1024 * 1024 })).toBe(1)
  })

  /** The bytes as a download delivers them: in slices, counting how many were asked for. */
  function download(bytes: Buffer, slice: number) {
    const seen = { pulled: 0, total: Math.ceil(bytes.length / slice) }
    async function* body() {
      for (let at = 0; at < bytes.length; at += slice) {
        seen.pulled++
        yield bytes.subarray(at, at + slice)
      }
    }
    return { body: body(), seen }
  }

  it('writes files that arrive across many small slices of the download, byte for byte', async () => {
    const { dest } = sandbox()
    const big = randomBytes(300 * 1024)
    const { body, seen } = download(
      tarGz([
        { name: 'repo/', type: '5' },
        { name: 'repo/big.bin', body: big },
        { name: 'repo/docs/a.txt', body: 'a' },
        { name: 'repo/empty.txt' },
      ]),
      1000,
    )
    expect(await extractTarGz(body, dest, { strip: 1 })).toBe(3)
    expect(seen.pulled).toBe(seen.total)
    expect(readFileSync(join(dest, 'big.bin')).equals(big)).toBe(true)
    expect(tree(dest)).toEqual(['big.bin', 'docs/a.txt', 'empty.txt'])
  })

  it('stops reading the download at the first refused entry', async () => {
    const { outer, dest } = sandbox()
    const { body, seen } = download(
      tarGz([
        { name: 'repo/passwd', type: '2', linkname: '/etc/passwd' },
        { name: 'repo/big.bin', body: randomBytes(2 * 1024 * 1024) },
      ]),
      16 * 1024,
    )
    const error = await refusal(extractTarGz(body, dest, { strip: 1 }))
    expect(error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    expect(seen.pulled).toBeLessThan(seen.total / 4)
    expect(tree(outer)).toEqual([])
  })

  it('reads nothing past the end-of-archive blocks', async () => {
    const { dest } = sandbox()
    const trailing = Buffer.concat([tar([{ name: 'repo/a.txt', body: 'a' }]), Buffer.from('junk')])
    expect(await extractTarGz(gzipSync(trailing), dest, { strip: 1 })).toBe(1)
    expect(tree(dest)).toEqual(['a.txt'])
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
