import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'

// Desktop build: main (ESM), a sandboxed preload bundled into one CommonJS file (a
// sandboxed preload cannot require() local modules), and the same renderer as browser mode.
// The QR decoder's worker thread is a second entry of the main build: a packaged app has no
// tsx to run decoder-worker.ts, and the pool (electron/features/nvr-reset/qr/decoder-pool.ts) starts
// ./decoder-worker.js next to itself. Entries and shared chunks therefore all stay in out/main/.
export const mainRollupOptions = {
  input: { index: resolve('electron/main/index.ts'), 'decoder-worker': resolve('electron/features/nvr-reset/qr/decoder-worker.ts') },
  output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: mainRollupOptions,
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('renderer'),
    plugins: [vue()],
    define: { __VUE_I18N_FULL_INSTALL__: 'true', __VUE_I18N_LEGACY_API__: 'false', __INTLIFY_PROD_DEVTOOLS__: 'false' },
    build: {
      outDir: resolve('out/renderer'),
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
})
