import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'
import layers from './scripts/lint/eslint-plugin.mjs'
import { LAYER_DEBT } from './scripts/lint/layer-debt.mjs'

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', window: 'readonly', document: 'readonly',
        localStorage: 'readonly', matchMedia: 'readonly', fetch: 'readonly', EventSource: 'readonly', Response: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', performance: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', navigator: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly',
        KeyboardEvent: 'readonly', MessageEvent: 'readonly', Element: 'readonly', File: 'readonly', FileReader: 'readonly', Blob: 'readonly',
        DataTransfer: 'readonly', ClipboardEvent: 'readonly', DragEvent: 'readonly', Image: 'readonly', atob: 'readonly', btoa: 'readonly',
        setImmediate: 'readonly', __dirname: 'readonly', globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='openExternal']:not([callee.object.name='shell'])", message: 'Open links only through safeOpenExternal.' },
      ],
      'vue/multi-word-component-names': 'off',
    },
  },
  // Layers on every import, and no import circles in product code (docs/architecture.md).
  {
    files: ['{electron,db,shared,renderer,lab}/**/*.{ts,mts,js,mjs,vue}'],
    plugins: { layers },
    rules: {
      'layers/imports': ['error', { debt: LAYER_DEBT }],
      'layers/no-circle': 'error',
    },
  },
)
