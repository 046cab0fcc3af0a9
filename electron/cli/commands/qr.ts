// `support-console qr decode FILE... [--json]`: decodes the QR codes in photo files, the same
// way the console does for photos attached to a ticket. One line per file, in argument order.
import { readFile, stat } from 'node:fs/promises'
import { AppError } from '../../../shared/contract/common'
import { parse, UsageError, type Command } from '../command'
import { MAX_EVIDENCE_BYTES } from '../../../shared/contract/evidence'

/**
 * The console's photo intake limits (electron/features/nvr-reset/photos.ts: photos are ticket evidence,
 * so the vault's per-file limit applies; pixel count as electron/photos): a file the console
 * would refuse on a ticket is refused here too, with the same figure.
 */
const LIMITS = { maxBytes: MAX_EVIDENCE_BYTES }

const help = `Usage: support-console qr decode FILE... [--json]

Decodes the QR codes in each photo (JPEG, PNG, WebP, HEIC) and prints one line per file.

  --json   one JSON object per line:
           {"file","codes":[{"text","position":[[x,y],[x,y],[x,y],[x,y]]}],"ms"}
           with "error" (and "codes": []) when the file could not be read.
           Files over ${MAX_EVIDENCE_BYTES / 1048576} MB are refused, as on a ticket.
           Corners are top-left, top-right, bottom-right, bottom-left of the code,
           in pixels of the upright photo (EXIF orientation applied).

Exit status: 0 when every file was read (with or without a code), 1 when a file could not be read.`

interface Line {
  file: string
  codes: { text: string; position: [number, number][] }[]
  ms: number
  error?: string
}

async function decodeFile(file: string): Promise<Line> {
  const t0 = performance.now()
  try {
    // Refuse oversized files before reading them into memory.
    const st = await stat(file)
    if (!st.isFile()) throw new AppError('BAD_INPUT', `${file} is not a file.`, { key: 'cli.notAFile', values: { file } })
    if (st.size > LIMITS.maxBytes) {
      throw new AppError('BAD_INPUT', `The file is ${(st.size / 1048576).toFixed(0)} MB, more than the ${LIMITS.maxBytes / 1048576} MB accepted for a photo.`, { key: 'cli.photoTooBig', values: { size: Math.round(st.size / 1048576), max: LIMITS.maxBytes / 1048576 } })
    }
    const bytes = await readFile(file)
    // Loaded lazily: zxing-wasm and sharp are only needed here.
    const { decodeQr } = await import('../../features/nvr-reset/qr/decode')
    const r = await decodeQr(bytes, { limits: LIMITS })
    return { file, codes: r.codes.map((c) => ({ text: c.text, position: c.position })), ms: Math.round((performance.now() - t0) * 10) / 10 }
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const message =
      e instanceof AppError ? e.message : err.code === 'ENOENT' ? `File not found: ${file}` : err.code === 'EACCES' ? `Permission denied: ${file}` : err.message
    return { file, codes: [], ms: Math.round((performance.now() - t0) * 10) / 10, error: message }
  }
}

function human(l: Line): string {
  if (l.error) return `${l.file}: error: ${l.error}`
  if (!l.codes.length) return `${l.file}: no QR code found (${l.ms} ms)`
  return l.codes
    .map((c) => `${l.file}: ${JSON.stringify(c.text)} at ${c.position.map(([x, y]) => `(${Math.round(x)},${Math.round(y)})`).join(' ')} (${l.ms} ms)`)
    .join('\n')
}

export const qrCommand: Command = {
  name: 'qr',
  summary: 'Decode QR codes in photos',
  help,
  async run(argv) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, true)
    const [sub, ...files] = positionals
    if (sub !== 'decode') throw new UsageError(sub ? `Unknown qr subcommand "${sub}".` : 'Missing subcommand: decode.')
    if (files.length === 0) throw new UsageError('Give at least one photo file.')
    // Decoding runs in this process: there is no UI thread to protect, and no pool to start.
    let failed = false
    for (const file of files) {
      const line = await decodeFile(file)
      if (line.error) failed = true
      console.log(values.json ? JSON.stringify(line) : human(line))
    }
    return failed ? 1 : 0
  },
}
