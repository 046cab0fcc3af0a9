import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import { resolve } from 'node:path'

// Desktop build: main (ESM), a sandboxed preload bundled into one CommonJS file (a
// sandboxed preload cannot require() local modules), and the same renderer as browser mode.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve('electron/main/index.ts') } },
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
    build: {
      outDir: resolve('out/renderer'),
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
})
