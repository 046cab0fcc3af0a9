// Searching bytes for known secrets the ways they could leak (electron/features/audit/secrets.test.ts):
// as text (UTF-8, UTF-16 either byte order, URL- and JSON-escaped), as hex (either case) and as
// base64 / base64url at any alignment inside a longer encoded text, and finding every value the
// console keeps sealed in its database so those are searched for too.
import type { Database } from 'better-sqlite3'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Secrets shorter than this give needles too short to search for without false hits. */
export const MIN_SECRET_LENGTH = 8

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

/**
 * The characters of base64(prefix + s) that depend on the bytes of `s` alone, for each of the
 * three alignments `s` can have inside a longer encoded buffer.
 */
function base64Cores(s: Buffer, alphabet: 'base64' | 'base64url'): Buffer[] {
  const out: Buffer[] = []
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k, 0x41), s]).toString(alphabet)
    const core = enc.slice(Math.ceil(k / 3) * 4, Math.floor((k + s.length) / 3) * 4)
    if (core.length >= 8) out.push(Buffer.from(core))
  }
  return out
}

/** Every form of `s` the search looks for, named. */
export function encodings(s: string): { form: string; bytes: Buffer }[] {
  const u = Buffer.from(s, 'utf8')
  const le = Buffer.from(s, 'utf16le')
  const be = Buffer.from(le).swap16()
  const forms: { form: string; bytes: Buffer }[] = [
    { form: 'utf8', bytes: u },
    { form: 'utf16le', bytes: le },
    { form: 'utf16be', bytes: be },
    { form: 'hex', bytes: Buffer.from(u.toString('hex')) },
    { form: 'HEX', bytes: Buffer.from(u.toString('hex').toUpperCase()) },
    ...base64Cores(u, 'base64').map((bytes) => ({ form: 'base64', bytes })),
    ...base64Cores(u, 'base64url').map((bytes) => ({ form: 'base64url', bytes })),
    ...base64Cores(le, 'base64').map((bytes) => ({ form: 'base64(utf16le)', bytes })),
  ]
  for (const [form, text] of [['url-encoded', encodeURIComponent(s)], ['json-escaped', JSON.stringify(s).slice(1, -1)]] as const) if (text !== s) forms.push({ form, bytes: Buffer.from(text) })
  // Drop duplicates (base64 and base64url agree when neither + nor / occurs).
  return forms.filter((f, i) => forms.findIndex((g) => g.bytes.equals(f.bytes)) === i)
}

/** Names of the secrets found in `hay` ("name (form) in where"). */
export function findSecrets(secrets: ReadonlyMap<string, string>, hay: Buffer, where: string): string[] {
  const hits: string[] = []
  for (const [name, value] of secrets) {
    const forms = encodings(value).filter((f) => hay.includes(f.bytes)).map((f) => f.form)
    if (forms.length) hits.push(`${name} (${forms.join(', ')}) in ${where}`)
  }
  return hits
}

/** Every sealed value (SecretBox "v1:…") anywhere in the database, opened: what the console keeps encrypted. */
export function sealedValues(db: Database, open: (sealed: string) => string): { where: string; value: string }[] {
  const out: { where: string; value: string }[] = []
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]
  for (const t of tables) {
    for (const [n, row] of (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).entries()) {
      for (const [col, v] of Object.entries(row)) {
        if (typeof v !== 'string') continue
        for (const m of v.matchAll(/v1:[A-Za-z0-9+/]{20,}={0,2}/g)) {
          let value: string
          try {
            value = open(m[0])
          } catch {
            continue // not sealed by this key (or not a sealed value at all)
          }
          out.push({ where: `${t}.${col} (row ${n + 1})`, value })
        }
      }
    }
  }
  return out
}
