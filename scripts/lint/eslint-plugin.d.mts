// Types of eslint-plugin.mjs, for the TypeScript test that imports it.
import type { ESLint } from 'eslint'
declare const plugin: ESLint.Plugin
export default plugin
