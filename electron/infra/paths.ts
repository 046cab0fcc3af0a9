import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository (or unpacked app) root: two levels above this file. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const RENDERER_DIR = join(ROOT, 'out', 'renderer')

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}
