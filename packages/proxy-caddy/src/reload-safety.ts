import { readFile } from 'node:fs/promises'

export const MIGRATE_REQ_SYSCTL = '/proc/sys/net/ipv4/tcp_migrate_req'

/**
 * Caddy binds a fresh SO_REUSEPORT socket on every config change and closes the old one; Linux
 * resets connections still waiting in the old socket's accept queue unless
 * `net.ipv4.tcp_migrate_req=1` (Linux 5.14+) moves them to the new socket. Every route swap is
 * a config change, so without it a busy site can see a few resets per swap.
 * Returns null where the setting does not exist (not Linux, older kernel).
 */
export async function reloadMigrationEnabled(path = MIGRATE_REQ_SYSCTL): Promise<boolean | null> {
  try {
    return (await readFile(path, 'utf8')).trim() !== '0'
  } catch {
    return null
  }
}

export const RELOAD_MIGRATION_ADVICE =
  'Caddy resets connections waiting in its accept queue on each config change (every route swap) ' +
  'unless the kernel migrates them: run `sysctl -w net.ipv4.tcp_migrate_req=1` on the host ' +
  '(persist it in /etc/sysctl.d) for swaps that lose no request.'
