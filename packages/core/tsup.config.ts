import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/trigger.ts', 'src/host.ts', 'src/schemas.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
})
