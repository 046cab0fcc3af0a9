import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodePayload } from '../../../lab/reset-code'
import { parsePayload, type PayloadParser } from './payload'

const key = createHmac('sha256', 'k').update('x').digest()
const sample = { v: 1 as const, serial: '21023549MCHCPGXL3GZE', mac: '02:4d:32:a6:85:51', model: '2MN-8004-P4', nonce: 'ab'.repeat(16), issuedAt: '2026-11-22T04:00:00.000Z' }

describe('reset payload parsers', () => {
  it('reads the lab 2MSIM1 payload: serial, MAC, model, nonce, issue time', () => {
    const p = parsePayload(encodePayload(sample, key))
    expect(p).toMatchObject({ format: '2msim1', vendor: '2m', problems: [] })
    expect(p.fields).toEqual({ serial: sample.serial, mac: sample.mac, model: sample.model, nonce: sample.nonce, issuedAt: sample.issuedAt })
  })

  it('names what is wrong with a damaged 2M payload instead of guessing', () => {
    const good = encodePayload(sample, key)
    expect(parsePayload(good.slice(0, good.indexOf('.'))).problems[0]).toMatch(/not "2MSIM1:<data>.<signature>"/)
    expect(parsePayload('2MSIM1:%%%.abc').problems[0]).toMatch(/not "2MSIM1/)
    expect(parsePayload('2MSIM1:bm90LWpzb24.' + 'A'.repeat(43)).problems[0]).toMatch(/cannot be read/)
    const noSerial = parsePayload(encodePayload({ ...sample, serial: '' }, key))
    expect(noSerial.problems).toContain('The field "serial" is missing.')
    const badMac = parsePayload(encodePayload({ ...sample, mac: 'zz' }, key))
    expect(badMac.problems.join(' ')).toMatch(/MAC address "zz"/)
    const shortSig = parsePayload(good.slice(0, good.indexOf('.') + 10))
    expect(shortSig.problems.join(' ')).toMatch(/signature has the wrong length/)
  })

  it('keeps unknown formats raw', () => {
    const p = parsePayload('QRC03010003eJzLSM3JyVcozy_KSQEAGgQEXQ==')
    expect(p).toMatchObject({ format: 'raw', vendor: 'unknown', fields: null, raw: 'QRC03010003eJzLSM3JyVcozy_KSQEAGgQEXQ==' })
  })

  it('is pluggable: another vendor parser claims its own prefix', () => {
    const other: PayloadParser = {
      id: 'acme1', vendor: 'acme', label: 'Acme', claims: (t) => t.startsWith('ACME|'),
      parse: (t) => { const [, serial, nonce, iat] = t.split('|'); return { fields: { serial, mac: '', model: 'A', nonce, issuedAt: iat }, problems: [] } },
    }
    expect(parsePayload('ACME|S1|N1|2026-01-01T00:00:00Z', [other]).fields).toMatchObject({ serial: 'S1', nonce: 'N1' })
    expect(parsePayload('ACME|S1|N1|x', []).format).toBe('raw')
  })
})
