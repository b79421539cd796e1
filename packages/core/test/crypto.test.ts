import { describe, expect, it } from 'vitest'
import { hmacSha256Hex, safeEqual, verifyHmacSha256 } from '../src/trigger.js'

describe('HMAC helpers', () => {
  it('match the public test vector from GitHub docs', () => {
    expect(hmacSha256Hex("It's a Secret to Everybody", 'Hello, World!')).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    )
  })

  it('verify a prefixed signature over raw bytes, in any hex case', () => {
    const body = new TextEncoder().encode('Hello, World!')
    const signature = 'sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17'
    expect(
      verifyHmacSha256({
        secret: "It's a Secret to Everybody",
        body,
        signature,
        prefix: 'sha256=',
      }),
    ).toBe(true)
  })

  it('reject a wrong, missing or unprefixed signature', () => {
    const args = { secret: 's', body: 'b', prefix: 'sha256=' }
    const good = `sha256=${hmacSha256Hex('s', 'b')}`
    expect(verifyHmacSha256({ ...args, signature: good })).toBe(true)
    expect(verifyHmacSha256({ ...args, signature: `${good.slice(0, -1)}0` })).toBe(false)
    expect(verifyHmacSha256({ ...args, signature: undefined })).toBe(false)
    expect(verifyHmacSha256({ ...args, signature: hmacSha256Hex('s', 'b') })).toBe(false)
    expect(verifyHmacSha256({ ...args, body: 'B', signature: good })).toBe(false)
  })

  it('reject, without throwing, a signature of the wrong length or not hex', () => {
    const args = { secret: 's', body: 'b', prefix: 'sha256=' }
    const hex = hmacSha256Hex('s', 'b')
    for (const signature of [
      `sha256=${hex.slice(0, -2)}`, // a byte short
      `sha256=${hex}00`, // a byte over
      `sha256=${'z'.repeat(64)}`, // the right length, not hex (Buffer.from would shorten it)
      `sha256=${hex.slice(0, -1)}g`,
      'sha256=',
    ])
      expect(verifyHmacSha256({ ...args, signature }), signature).toBe(false)
  })
})

describe('safeEqual()', () => {
  it('compares strings and bytes of any length', () => {
    expect(safeEqual('token', 'token')).toBe(true)
    expect(safeEqual('token', 'token2')).toBe(false)
    expect(safeEqual('', '')).toBe(true)
    expect(safeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(safeEqual(new Uint8Array([1, 2]), 'ab')).toBe(false)
  })
})
