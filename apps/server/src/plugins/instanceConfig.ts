import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'

export const instanceConfigSchema = z.object({
  /** Packages listed in package.json that must not be loaded. */
  exclude: z.array(z.string()).default([]),
  /** Packages whose failure to load is logged instead of stopping the boot. */
  allowBroken: z.array(z.string()).default([]),
  /** Options per package; a proxy plugin's driver receives its entry as config. */
  plugins: z.record(z.string(), z.unknown()).default({}),
})

export type InstanceConfig = z.infer<typeof instanceConfigSchema>

/** Reads `forge.config.js` (default export) or `forge.config.json` from the instance dir. */
export async function readInstanceConfig(instanceDir: string): Promise<InstanceConfig> {
  const js = join(instanceDir, 'forge.config.js')
  const json = join(instanceDir, 'forge.config.json')
  let raw: unknown = {}
  let file: string | null = null
  try {
    if (existsSync(js)) {
      file = js
      raw = ((await import(pathToFileURL(js).href)) as { default?: unknown }).default ?? {}
    } else if (existsSync(json)) {
      file = json
      raw = JSON.parse(readFileSync(json, 'utf8'))
    }
  } catch (error) {
    throw new Error(
      `Cannot read ${file}: ${(error as Error).message}. Fix the file or remove it (it is optional).`,
    )
  }
  const parsed = instanceConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new Error(
      `Invalid ${file}: ${issues.join('; ')}. Expected { exclude?: string[], allowBroken?: string[], plugins?: { [package]: options } }.`,
    )
  }
  return parsed.data
}
