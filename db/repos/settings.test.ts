// SettingsRepo: the synchronous read App.agentLabelSync uses inside transactions (issue 11:
// the composition root no longer reads the settings table itself), through tx().
import { describe, expect, it } from 'vitest'
import { App } from '../../electron/core/app'
import { memoryKeyProvider } from '../../electron/infra/secret-box'
import { dbAt, inTx, tempDir } from '../test/helpers'
import { SettingsRepo } from './settings'

describe('SettingsRepo', () => {
  it('reads a stored value synchronously inside a transaction, as the async get does, and null for a missing key', async () => {
    const db = dbAt()
    const repo = new SettingsRepo(db)
    inTx(db, () => repo.tx().set('agent', { name: 'Ann', email: 'ann@example.com' }))
    expect(inTx(db, () => repo.tx().get('agent'))).toEqual({ name: 'Ann', email: 'ann@example.com' })
    expect(await repo.get('agent')).toEqual({ name: 'Ann', email: 'ann@example.com' })
    expect(inTx(db, () => repo.tx().get('missing'))).toBeNull()
    await repo.delete('agent')
    expect(await repo.get('agent')).toBeNull()
  })

  it('gives App.agentLabelSync the agent stored by an earlier console', async () => {
    const dir = tempDir()
    const keys = memoryKeyProvider()
    const first = new App({ dataDir: dir, host: 'browser', keys })
    await first.setAgent({ name: 'Ann', email: 'ann@example.com' })
    await first.close()
    const next = new App({ dataDir: dir, host: 'browser', keys })
    try {
      expect(inTx(next.db, () => next.agentLabelSync())).toBe('Ann <ann@example.com>')
    } finally {
      await next.close()
    }
  })
})
