import { describe, expect, expectTypeOf, it } from 'vitest'
import { camel, fromRow, type RowOf, snake, type Snake } from './row-of'

describe('row types derived from the contract', () => {
  it('spells keys as columns, at the type level and at run time', () => {
    expectTypeOf<Snake<'ticketId'>>().toEqualTypeOf<'ticket_id'>()
    expectTypeOf<Snake<'sha256'>>().toEqualTypeOf<'sha256'>()
    expectTypeOf<Snake<'httpsPort'>>().toEqualTypeOf<'https_port'>()
    expect(['ticketId', 'sha256', 'httpsPort', 'decodeMs', 'id'].map(snake)).toEqual(['ticket_id', 'sha256', 'https_port', 'decode_ms', 'id'])
    expect(['ticket_id', 'sha256', 'https_port', 'id'].map(camel)).toEqual(['ticketId', 'sha256', 'httpsPort', 'id'])
  })

  it('keeps value types and applies overrides', () => {
    type T = { id: number; ticketId: number | null; verified: boolean; inputs: Record<string, unknown> }
    type Row = RowOf<T, { verified: number; inputs: string }>
    // Mutually assignable: the same shape (an intersection is not "equal" to an object type for expectTypeOf).
    expectTypeOf<Row>().toMatchTypeOf<{ id: number; ticket_id: number | null; verified: number; inputs: string }>()
    expectTypeOf<{ id: number; ticket_id: number | null; verified: number; inputs: string }>().toMatchTypeOf<Row>()
    expectTypeOf<keyof Row>().toEqualTypeOf<'id' | 'ticket_id' | 'verified' | 'inputs'>()
    // @ts-expect-error a camelCase key is not a column
    const bad: RowOf<T>['ticketId'] = 1
    expect(bad).toBe(1)
  })

  it('renames a row’s columns to contract keys without touching values', () => {
    const buf = Buffer.from('x')
    expect(fromRow<{ ticketId: number; decodeMs: null; data: Buffer }>({ ticket_id: 7, decode_ms: null, data: buf })).toEqual({ ticketId: 7, decodeMs: null, data: buf })
  })
})
