// `support-console qr decode FILE... [--json]` as an agent runs it: a child process through
// bin/support-console.mjs, on files written by the test (a QR made with `qrcode`, a text file,
// a path that does not exist, files at and over the console's photo size limit).
import { spawn } from 'node:child_process'
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_EVIDENCE_BYTES } from '../../../shared/contract/evidence'
import { tempDir } from '../../../db/test/helpers'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const TEXT = 'NVR2M|SN=2M0123456789|MAC=00:11:22:33:44:55|N=8f3a9c|T=2026-11-22T03:00:00Z'
const SCALE = 8
const MARGIN = 4

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [`${ROOT}bin/support-console.mjs`, ...args], { cwd: ROOT, env: process.env })
    let out = ''
    let err = ''
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (err += d))
    c.on('exit', (code) => resolve({ code: code ?? -1, out, err }))
  })
}
const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

/** A file of `size` bytes without writing them (sparse): the size check must refuse it before reading. */
function sizedFile(path: string, size: number) {
  const fd = openSync(path, 'w')
  ftruncateSync(fd, size)
  closeSync(fd)
}

let dir: string
let qr: string
let corners: [number, number][]
beforeAll(async () => {
  dir = tempDir('sc-cli-qr-')
  qr = join(dir, 'screen.png')
  writeFileSync(qr, await QRCode.toBuffer(TEXT, { scale: SCALE, margin: MARGIN, errorCorrectionLevel: 'M' }))
  const n = QRCode.create(TEXT, { errorCorrectionLevel: 'M' }).modules.size
  const a = MARGIN * SCALE
  const b = (MARGIN + n) * SCALE
  corners = [[a, a], [b, a], [b, b], [a, b]]
})

describe('support-console qr decode', () => {
  it('--json: one line per file in argument order, with the text and the four corners, or an error and no codes; exit 1 when a file could not be read', async () => {
    const notImage = join(dir, 'readme.txt')
    writeFileSync(notImage, 'Here is the photo you asked for')
    const missing = join(dir, 'gone.jpg')
    const r = await cli(['qr', 'decode', qr, notImage, missing, '--json'])
    expect(r.code, r.err).toBe(1)
    const [good, text, gone, ...rest] = jsonLines(r.out)
    expect(rest).toEqual([])

    expect(Object.keys(good).sort()).toEqual(['codes', 'file', 'ms'])
    expect(good).toMatchObject({ file: qr, codes: [{ text: TEXT, position: expect.any(Array) }] })
    expect(good.ms).toEqual(expect.any(Number))
    const pos = (good.codes as { position: [number, number][] }[])[0].position
    expect(pos).toHaveLength(4)
    pos.forEach(([x, y], i) => {
      expect(Math.abs(x - corners[i][0]), `corner ${i} x`).toBeLessThanOrEqual(SCALE * 1.5)
      expect(Math.abs(y - corners[i][1]), `corner ${i} y`).toBeLessThanOrEqual(SCALE * 1.5)
    })

    expect(text).toEqual({ file: notImage, codes: [], ms: expect.any(Number), error: expect.stringMatching(/not a photo/i) })
    expect(gone).toEqual({ file: missing, codes: [], ms: expect.any(Number), error: `File not found: ${missing}` })
  }, 60_000)

  it('exit 0 when every file was read, with or without a code; plain output names each file', async () => {
    const blank = join(dir, 'wall.png')
    writeFileSync(blank, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a8' } }).png().toBuffer())
    const r = await cli(['qr', 'decode', qr, blank])
    expect(r.code, r.err).toBe(0)
    const lines = r.out.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(new RegExp(`^${qr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${JSON.stringify(TEXT).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at (\\(\\d+,\\d+\\) ?){4} \\([\\d.]+ ms\\)$`))
    expect(lines[1]).toMatch(/wall\.png: no QR code found \([\d.]+ ms\)$/)
  }, 60_000)

  it('refuses files over the console photo intake limit (the same limit as on a ticket), before reading them', async () => {
    const atLimit = join(dir, 'at-limit.jpg')
    const over = join(dir, 'over-limit.jpg')
    sizedFile(atLimit, MAX_EVIDENCE_BYTES)
    sizedFile(over, MAX_EVIDENCE_BYTES + 1)
    const r = await cli(['qr', 'decode', atLimit, over, '--json'])
    expect(r.code, r.err).toBe(1)
    const [at, big] = jsonLines(r.out)
    // At the limit the size is accepted (then the zeros are not a photo).
    expect(at).toMatchObject({ file: atLimit, codes: [], error: expect.not.stringMatching(/accepted for a photo/) })
    expect(at.error).toMatch(/not a photo/i)
    const mb = MAX_EVIDENCE_BYTES / 1048576
    expect(big).toEqual({ file: over, codes: [], ms: expect.any(Number), error: `The file is ${mb.toFixed(0)} MB, more than the ${mb} MB accepted for a photo.` })
  }, 60_000)
})
