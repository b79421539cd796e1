import { randomUUID } from 'node:crypto'
import type { App } from '../workloads/types.js'
import { type Db, now } from './db.js'

interface Row {
  id: string
  name: string
  description: string | null
  created_at: string
  updated_at: string
}

const toApp = (r: Row): App => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export function appsRepo(db: Db) {
  return {
    list(): App[] {
      return (db.prepare('SELECT * FROM apps ORDER BY name').all() as Row[]).map(toApp)
    },
    get(id: string): App | undefined {
      const row = db.prepare('SELECT * FROM apps WHERE id = ?').get(id) as Row | undefined
      return row && toApp(row)
    },
    findByName(name: string): App | undefined {
      const row = db.prepare('SELECT * FROM apps WHERE name = ?').get(name) as Row | undefined
      return row && toApp(row)
    },
    create(input: { name: string; description?: string | null }): App {
      const id = randomUUID()
      const t = now()
      db.prepare(
        'INSERT INTO apps (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ).run(id, input.name, input.description ?? null, t, t)
      return this.get(id) as App
    },
    update(id: string, input: { name?: string; description?: string | null }): App {
      const cur = this.get(id) as App
      db.prepare('UPDATE apps SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(
        input.name ?? cur.name,
        input.description === undefined ? cur.description : input.description,
        now(),
        id,
      )
      return this.get(id) as App
    },
    remove(id: string): void {
      db.prepare('DELETE FROM apps WHERE id = ?').run(id)
    },
  }
}
