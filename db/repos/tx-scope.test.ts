// One async repository API (issue 11): the synchronous statements are reached only through
// repo.tx() inside a transaction, and no repository grows a `…Sync` twin again.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { dbAt } from '../test/helpers'
import { AuditRepo } from './audit'
import { AttemptsRepo } from './audit-attempts'
import { AuditQueryRepo } from './audit-query'
import { DevicesRepo } from './devices'
import { LeasesRepo } from './devices-leases'
import { RejectedLoginsRepo } from './devices-rejected-logins'
import { EvidenceRepo } from './evidence'
import { HelpdeskRepo } from './helpdesk'
import { NvrResetRepo } from './nvr-reset'
import { SettingsRepo } from './settings'
import { TicketsRepo } from './tickets'
import { WorkflowsRepo } from './workflows'

const base = { externalRef: '', customerName: 'Anna', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other' as const, notes: '' }

describe('repo.tx()', () => {
  it('throws outside a transaction, for every repository with a transactional view', () => {
    const db = dbAt()
    const audit = new AuditRepo(db)
    const repos = [new TicketsRepo(db), audit, new SettingsRepo(db), new DevicesRepo(db), new LeasesRepo(db), new RejectedLoginsRepo(db), new EvidenceRepo(db, audit), new HelpdeskRepo(db), new NvrResetRepo(db), new WorkflowsRepo(db), new AuditQueryRepo(db), new AttemptsRepo(db)]
    for (const r of repos) expect(() => r.tx(), r.constructor.name).toThrow(/outside a transaction/)
    // Nothing was written on the way.
    expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(0)
  })

  it('works inside db.transaction: a change and its entry commit together, or neither', async () => {
    const db = dbAt()
    const tickets = new TicketsRepo(db)
    const audit = new AuditRepo(db)
    const t = db.transaction(() => {
      const t = tickets.tx().create(base)
      audit.tx().append({ agent: 'Ann', action: 'ticket.create', outcome: 'ok', ticketId: t.id })
      return t
    }).immediate()
    expect(await tickets.get(t.id)).toMatchObject({ customerName: 'Anna' })
    expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1)

    expect(() =>
      db.transaction(() => {
        tickets.tx().setStatus(t.id, 'closed')
        throw new Error('the entry could not be written')
      })(),
    ).toThrow(/entry/)
    expect((await tickets.get(t.id)).status).toBe('open')
    // The async API runs the same operations in a transaction of its own (nested: a savepoint).
    expect((await tickets.setStatus(t.id, 'waiting')).status).toBe('waiting')
    expect((await tickets.counts()).waiting).toBe(1)
  })

  it('no repository method is named …Sync (the paired sync/async API must not come back)', () => {
    const dir = __dirname
    const offenders: string[] = []
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\b[A-Za-z_$][\w$]*Sync\s*(<[^>]*>)?\(/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(offenders).toEqual([])
  })
})

/** The public methods and getters (no private/protected modifier) of every exported `…Repo` class in db/repos, from the source. */
function publicRepoMembers(dir: string): { file: string; repo: string; member: string; async: boolean }[] {
  const out: { file: string; repo: string; member: string; async: boolean }[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const src = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true)
    const exported = (n: ts.Node) => ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    for (const c of src.statements.filter(ts.isClassDeclaration)) {
      if (!c.name?.text.endsWith('Repo') || !exported(c)) continue
      for (const m of c.members) {
        if (!(ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m))) continue
        const mods = ts.getModifiers(m) ?? []
        if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword) || ts.isPrivateIdentifier(m.name)) continue
        const member = m.name.getText(src)
        if (member === 'tx') continue
        out.push({ file, repo: c.name.text, member, async: ts.isMethodDeclaration(m) && mods.some((x) => x.kind === ts.SyntaxKind.AsyncKeyword) })
      }
    }
  }
  return out
}

describe('one async repository API', () => {
  it('every public method of a …Repo class is async (synchronous statements live in its tx() view)', async () => {
    const members = publicRepoMembers(__dirname)
    const sync = members.filter((m) => !m.async)
    expect(sync.map((m) => `${m.file}: ${m.repo}.${m.member}`), 'make it async (delegating to the tx() view) or move it into the view').toEqual([])

    // At run time too: each repository built on a migrated database has those methods, as async functions.
    const db = dbAt()
    const audit = new AuditRepo(db)
    const classes = new Map<string, new (...a: never[]) => object>()
    for (const file of new Set(members.map((m) => m.file))) {
      for (const [name, value] of Object.entries(await import(/* @vite-ignore */ join(__dirname, file)) as Record<string, unknown>)) {
        if (name.endsWith('Repo') && typeof value === 'function') classes.set(name, value as new (...a: never[]) => object)
      }
    }
    expect([...classes.keys()].sort()).toEqual([...new Set(members.map((m) => m.repo))].sort())
    const notAsync: string[] = []
    for (const [name, C] of classes) {
      const Ctor = C as unknown as new (db: unknown, audit?: unknown) => Record<string, unknown>
      const repo = name === 'EvidenceRepo' ? new Ctor(db, audit) : new Ctor(db)
      for (const m of members.filter((x) => x.repo === name && x.async)) {
        const fn = repo[m.member]
        if (typeof fn !== 'function' || !Function.prototype.toString.call(fn).startsWith('async')) notAsync.push(`${name}.${m.member}`)
      }
    }
    expect(notAsync).toEqual([])
  })
})
