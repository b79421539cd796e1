/** Secret values shorter than this are not redacted from text: they would mangle ordinary words. */
export const MIN_REDACTED_LENGTH = 4

/**
 * Replaces every occurrence of the given secret values in a text with `[redacted]`: for deploy
 * log lines and container logs, where a plugin or a container may print an env secret.
 */
export function secretRedactor(values: Iterable<string>): (text: string) => string {
  const secrets = [...new Set(values)]
    .filter((v) => v.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length) // a secret that contains another goes first
  if (secrets.length === 0) return (text) => text
  const pattern = new RegExp(
    secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  )
  return (text) => text.replace(pattern, '[redacted]')
}
