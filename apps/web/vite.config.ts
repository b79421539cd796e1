import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

// `pnpm dev` serves the UI with hot reload and forwards the API to a running server
// (FORGE_URL, default http://127.0.0.1:7300), so the session cookie stays same-origin.
const api = process.env.FORGE_URL ?? 'http://127.0.0.1:7300'

export default defineConfig({
  plugins: [svelte()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    minify: 'terser',
    terserOptions: { module: true, compress: { passes: 2 }, format: { comments: false } },
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false }, '/healthz': api },
  },
})
