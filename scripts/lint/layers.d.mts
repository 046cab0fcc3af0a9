// Types of layers.mjs, for the TypeScript test that imports it.
export const ROOT: string
export const INFRA: string[]
export function layerOf(rel: string): 'test' | 'shared' | 'db' | 'renderer' | 'shell' | 'host' | 'cli' | 'root' | 'infra' | 'feature' | null
export function resolveImport(fromAbs: string, spec: string, root?: string): string | null
export function layerViolation(from: string, spec: string, root?: string): string | null
export function productGraph(root?: string, dirs?: string[]): Map<string, string[]>
export function importCircles(graph: Map<string, string[]>): string[][]
