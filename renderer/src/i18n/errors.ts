import type { ApiError } from '../../../shared/contract/index'
import { isKey, tAny } from './en'

/**
 * The agent's-language text of an error from the main process: its key (`errors.<key>`) with
 * its values when this renderer knows the key, else the English message it came with.
 */
export function errorText(e: ApiError): { message: string; hint?: string } {
  if (!e.key || !isKey(`errors.${e.key}`)) return { message: e.message, hint: e.hint }
  const hintKey = `errors.${e.key}Hint`
  return { message: tAny(`errors.${e.key}`, e.values), hint: isKey(hintKey) ? tAny(hintKey, e.values) : e.hint }
}

