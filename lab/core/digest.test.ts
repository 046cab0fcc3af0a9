// The bench's Digest server reads Authorization headers with the drivers' parser
// (electron/infra/digest.ts): it accepts what the drivers send, and a hostile header costs
// time linear in its length (the server's own copy of the parser was quadratic: a 100 KB run
// of letters took tens of seconds).
import { describe, expect, it } from 'vitest'
import { DigestSession, parseChallenges } from '../../electron/infra/digest'
import { SimClock } from './clock'
import { DigestAuth, type DigestAlgorithm } from './digest'
import { SeededRng } from './rng'

const users = (u: string) => (u === 'admin' ? 'S3cret-pass' : undefined)
const server = (algorithms: DigestAlgorithm[]) => new DigestAuth({ realm: 'lab-nvr', algorithms, nonceTtlMs: 60_000 }, new SeededRng('digest-test'), new SimClock())
const driverHeader = (auth: DigestAuth, password: string, i = 0) => new DigestSession(parseChallenges([auth.challenge()[i]])[0]).header('GET', '/ISAPI/System/deviceInfo', 'admin', password)

describe('the bench Digest server', () => {
  it('accepts what the drivers send, MD5 and SHA-256, and refuses a wrong password', () => {
    const auth = server(['MD5', 'SHA-256'])
    expect(auth.verify('GET', driverHeader(auth, 'S3cret-pass', 0), users)).toEqual({ ok: true, user: 'admin' })
    expect(auth.verify('GET', driverHeader(auth, 'S3cret-pass', 1), users)).toEqual({ ok: true, user: 'admin' })
    expect(auth.verify('GET', driverHeader(auth, 'wrong', 1), users)).toEqual({ ok: false, reason: 'bad', user: 'admin' })
  })

  it('reads a hostile header in time linear in its length, and still finds the real fields around junk', () => {
    const auth = server(['SHA-256'])
    const junk = 'a'.repeat(100_000)
    let t0 = performance.now()
    expect(auth.verify('GET', `Digest ${junk}`, users)).toEqual({ ok: false, reason: 'bad', user: undefined })
    expect(performance.now() - t0).toBeLessThan(1000)

    const good = driverHeader(auth, 'S3cret-pass')
    const padded = good.replace(', realm=', `, ${junk} ${'b-'.repeat(50_000)}, realm=`)
    t0 = performance.now()
    expect(auth.verify('GET', padded, users)).toEqual({ ok: true, user: 'admin' })
    expect(performance.now() - t0).toBeLessThan(1000)
  })
})
