// Types of layer-debt.mjs, for the TypeScript test that imports it.
export const LAYER_DEBT: Record<string, string[]>
