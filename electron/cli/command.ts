// A subcommand of `support-console`. Each feature adds one file under electron/cli/commands
// (or lab/cli for the bench) and lists it in electron/cli/index.ts.
import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface Command {
  name: string
  summary: string
  /** Full help text shown by `support-console <name> --help`. */
  help: string
  run(argv: string[]): Promise<number>
}

export class UsageError extends Error {}

/** parseArgs with strict checking; turns its errors into UsageError so the caller can print help. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true })
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

export function intOption(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`)
  return n
}
