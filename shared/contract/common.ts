// The one error shape every transport returns. `code` is stable for programs;
// `message` is written for the agent: what happened and what to do next.
import { z } from 'zod'
import { UNSAFE_TEXT } from './unsafe-text'

export const ErrorCode = z.enum([
  'VALIDATION', // arguments did not match the contract
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN', // a safety rule refused the operation (no backup, identity not confirmed…)
  'DEVICE', // the device answered with an error or garbage
  'UNREACHABLE', // the device did not answer
  'LOCKOUT_RISK',
  'STORAGE', // disk full, read-only folder, database newer than the app
  'BAD_INPUT', // a file or payload the agent gave us could not be used
  'UNAUTHORIZED',
  'INTERNAL',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ApiErrorSchema = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Dotted path of the offending field for VALIDATION errors. */
  field: z.string().optional(),
  /** A next step for the agent, when there is one. */
  hint: z.string().optional(),
  /**
   * The message as a key of the renderer's `errors.*` texts with its values, so the agent reads
   * it in their language; `message` and `hint` stay English for logs, the CLI and as fallback.
   */
  key: z.string().max(120).optional(),
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
})
export type ApiError = z.infer<typeof ApiErrorSchema>

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

/** Thrown by services; transports turn it into `{ ok: false, error }`. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly field?: string
  readonly hint?: string
  /** Key of the translated text (renderer `errors.<key>`, hint `errors.<key>Hint`) and its values. */
  readonly key?: string
  readonly values?: Record<string, string | number>
  constructor(code: ErrorCode, message: string, opts: { field?: string; hint?: string; cause?: unknown; key?: string; values?: Record<string, string | number> } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'AppError'
    this.code = code
    this.field = opts.field
    this.hint = opts.hint
    this.key = opts.key
    this.values = opts.values
  }
  toJSON(): ApiError {
    const e: ApiError = { code: this.code, message: this.message }
    if (this.field) e.field = this.field
    if (this.hint) e.hint = this.hint
    if (this.key) e.key = this.key
    if (this.values) e.values = this.values
    return e
  }
}

/** A method of the contract: one zod schema for its argument object, one for its result. */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I
  output: O
  /** One line for `--help`-style listings and the fuzz tests. */
  summary: string
}

export const defineMethods = <T extends Record<string, MethodSpec>>(m: T): T => m
export const defineEvents = <T extends Record<string, z.ZodType>>(e: T): T => e

export const Id = z.number().int().positive()
export const IsoTime = z.string().datetime({ offset: true })
export const Empty = z.object({}).strict()
export const Ok = z.object({ ok: z.literal(true) })

export { UNSAFE_TEXT, UNSAFE_TEXT_ALL } from './unsafe-text'
/** An identifier (serial, MAC, helpdesk ID): also no tab or line break. */
export const identifierText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !UNSAFE_TEXT.test(s) && !/[\t\n\r]/.test(s), 'contains invisible or direction-changing characters (such as U+202E): type it again by hand')
