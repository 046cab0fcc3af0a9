import { describe, expect, it } from 'vitest'
import { inputPairs } from './audit-format'

describe('inputPairs', () => {
  it('leaves out the seals of a ticket’s values (ticketState), which only `audit verify` reads', () => {
    const pairs = inputPairs({ from: 'open', to: 'waiting', ticketState: { status: '518721e30d87f997' } })
    expect(pairs.map(([k]) => k)).toEqual(['from', 'to'])
  })
})
