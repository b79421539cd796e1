const MAX_BYTES = 240

/** An error string safe to store: the token and URL credentials removed, one line, ≤ 240 bytes. */
export function redactError(message: string, token?: string): string {
  let text = message
  if (token) text = text.split(token).join('***')
  text = text
    .replace(/(\/\/)[^/@\s]+@/g, '$1***@')
    .replace(/\s+/g, ' ')
    .trim()
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= MAX_BYTES) return text
  // Cut on a character boundary: drop continuation bytes of a split multi-byte character.
  let end = MAX_BYTES - 3
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return `${bytes.subarray(0, end).toString('utf8')}...`
}
