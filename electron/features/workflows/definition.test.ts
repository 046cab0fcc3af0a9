import { describe, expect, it } from 'vitest'
import { END, graphProblems, ProcedureDef, validateProcedure, type ProcedureDefInput } from './definition'
import { checkSerial } from '../my2n-move/serial'
import { diffBackups, parseBackup, verifyBackup } from '../my2n-move/backup-file'
import { ACTION_NAMES, latestProcedures, lazyProcedures, loadProcedures, PROCEDURES } from '../../core/procedures'
import { configXml } from './testing'

const tiny = (steps: ProcedureDefInput['steps']): ProcedureDefInput => ({ id: 'tiny', version: 1, title: 'T', summary: '', ticketProcedure: 'other', start: steps[0].id, steps })
const manual = (id: string, next: string, extra: object = {}) => ({ id, title: id, instructions: 'x', kind: 'manual' as const, outcomes: { ok: { label: 'ok', next } }, ...extra })

describe('procedure definitions', () => {
  it('every installed procedure is schema-valid, names only known actions, and has no unreachable step or dead end', () => {
    const loaded = loadProcedures()
    expect(latestProcedures(loaded).map((p) => p.id)).toEqual([...new Set(PROCEDURES.map((p) => p.id))])
    for (const p of loaded.values()) {
      expect(graphProblems(p)).toEqual([])
      for (const s of p.steps) if (s.action) expect(ACTION_NAMES.has(s.action)).toBe(true)
    }
  })

  it('nvr-password-reset: version 2 is observed step by step (no click), version 1 stays installed for its runs', () => {
    const m = loadProcedures()
    expect(m.get('nvr-password-reset')?.version).toBe(2)
    expect(m.get('nvr-password-reset@1')?.steps.some((s) => s.kind === 'decision')).toBe(true)
    expect(m.get('nvr-password-reset')!.steps.map((s) => [s.id, s.observed])).toEqual([['qr-photo', true], ['ownership', true], ['code', true], ['apply', true], ['verify', true]])
  })

  it('my2n-move: every outcome of every step is a reachable branch and the FAQ branches exist', () => {
    const p = loadProcedures().get('my2n-move')!
    const targets = new Set(p.steps.flatMap((s) => Object.values(s.outcomes).map((o) => o.next)))
    for (const s of p.steps) if (s.id !== p.start) expect(targets.has(s.id)).toBe(true)
    expect(targets.has(END)).toBe(true)
    const check = p.steps.find((s) => s.id === 'my2n-check')!
    expect(check.outcomes['not-found'].next).toBe('serial')
    expect(check.outcomes['already-added'].next).toBe('already-added')
    expect(Object.keys(p.steps.find((s) => s.id === 'already-added')!.outcomes)).toEqual(['previous-owner', 'new-code'])
    const reset = p.steps.find((s) => s.id === 'reset')!
    expect(reset).toMatchObject({ destructive: true, confirm: { fact: 'serial' }, requires: [{ fact: 'backupVerified' }] })
    expect(p.steps.find((s) => s.id === 'new-code')!.instructions).toMatch(/System > Auto Provisioning > Generate New[\s\S]*Integration > Autoprovisioning > My2N/)
  })

  it('rejects broken graphs with every problem listed', () => {
    expect(() => validateProcedure(tiny([manual('one', 'two'), manual('two', 'one')]))).toThrow(/step one cannot lead to the end[\s\S]*step two cannot lead/)
    expect(() => validateProcedure(tiny([manual('one', 'end'), manual('two', 'end')]))).toThrow(/step two can never be reached/)
    expect(() => validateProcedure(tiny([manual('one', 'zz')]))).toThrow(/next step zz does not exist/)
    expect(() => validateProcedure(tiny([manual('one', 'end', { action: 'nope' })]), ACTION_NAMES)).toThrow(/unknown action "nope"/)
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), kind: 'auto' }])).success).toBe(false) // auto without action
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), kind: 'decision' }])).success).toBe(false) // one branch
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), kind: 'auto', action: 'x', destructive: true }])).success).toBe(false) // no confirmation
    // Observed steps complete from the state their action reads: manual, with an action.
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), observed: true }])).success).toBe(false)
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), kind: 'auto', action: 'x', observed: true }])).success).toBe(false)
    expect(ProcedureDef.safeParse(tiny([{ ...manual('one', 'end'), action: 'x', observed: true }])).success).toBe(true)
    expect(validateProcedure(tiny([manual('one', 'two'), manual('two', 'a', { outcomes: { back: { label: 'b', next: 'one' }, done: { label: 'd', next: 'end' } } })])).steps).toHaveLength(2)
  })
})

describe('2N serial numbers', () => {
  it('accepts NN-NNNN-NNNN and explains typos', () => {
    expect(checkSerial('54-0562-0293')).toEqual({ valid: true, normalized: '54-0562-0293', hints: [] })
    expect(checkSerial('54-O562-O293')).toMatchObject({ valid: false, normalized: '54-0562-0293', hints: [expect.stringMatching(/“O”.*0/)] })
    expect(checkSerial('08-I860-0035').normalized).toBe('08-1860-0035')
    expect(checkSerial('5407760059')).toMatchObject({ normalized: '54-0776-0059', hints: ['The dashes were missing.'] })
    expect(checkSerial('540-776-0059')).toMatchObject({ normalized: '54-0776-0059', hints: ['The dashes were in the wrong places.'] })
    expect(checkSerial('54-0776-005')).toMatchObject({ normalized: null, hints: [expect.stringMatching(/10 digits.*has 9/)] })
    expect(checkSerial('SN-ABCD-XYZ!')).toMatchObject({ valid: false, normalized: null })
  })
})

describe('2N backups', () => {
  it('verifies the serial, refuses HTML and garbage, and diffs two backups readably', () => {
    const a = Buffer.from(configXml('54-0562-0293'))
    expect(verifyBackup(a, '54-0562-0293').settings.get('System/DeviceName')).toBe('2N IP Verso')
    expect(() => verifyBackup(a, '54-0562-0294')).toThrow(/belongs to device 54-0562-0293/)
    expect(() => parseBackup(Buffer.from('<!DOCTYPE html><html>login</html>'))).toThrow(/web page/)
    expect(() => parseBackup(Buffer.from('<DeviceDatabase><Network>'))).toThrow(/does not parse/)
    expect(() => parseBackup(Buffer.from('<?xml version="1.0"?><Other/>'))).toThrow(/not a 2N configuration/)
    const b = Buffer.from(configXml('54-0562-0293', 'Gate', ['Novák']))
    expect(diffBackups(parseBackup(a), parseBackup(b)).lines).toEqual([
      { path: 'Directory/User[2]/Name', before: 'Svoboda', after: null },
      { path: 'System/DeviceName', before: '2N IP Verso', after: 'Gate' },
    ])
  })
})

describe('procedure versions', () => {
  it('a run keeps the definition it started with; new runs get the newest', () => {
    const v1 = tiny([manual('one', 'two'), manual('two', 'end')])
    const v2 = { ...tiny([manual('one', 'three'), manual('three', 'end')]), version: 2 }
    const m = loadProcedures([v2, v1], ACTION_NAMES)
    expect(m.get('tiny')?.version).toBe(2)
    expect(m.get('tiny@1')?.steps.map((s) => s.id)).toEqual(['one', 'two'])
    expect(latestProcedures(m).map((p) => `${p.id}@${p.version}`)).toEqual(['tiny@2'])
    expect(() => loadProcedures([v1, v1], ACTION_NAMES)).toThrow(/listed twice/)
  })

  it('the console validates them at the first look, not at start, and once', () => {
    let loads = 0
    const m = lazyProcedures(() => (loads++, loadProcedures()))
    expect(loads).toBe(0)
    expect(m.get('my2n-move')?.id).toBe('my2n-move')
    expect(m.has('nvr-password-reset@1')).toBe(true)
    expect(latestProcedures(m).map((p) => p.id)).toEqual([...new Set(PROCEDURES.map((p) => p.id))])
    expect(m.size).toBe(loadProcedures().size)
    expect(loads).toBe(1)
  })
})
