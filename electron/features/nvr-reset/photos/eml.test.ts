import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/contract/common'
import { decodeWords, parseEml, parseParams, qpDecode } from './eml'

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n')

/** Quoted-printable encoding of arbitrary bytes, with soft line breaks. */
function qp(b: Buffer): string {
  let out = ''
  let line = 0
  for (const c of b) {
    const enc = c >= 33 && c <= 126 && c !== 61 ? String.fromCharCode(c) : '=' + c.toString(16).toUpperCase().padStart(2, '0')
    if (line + enc.length > 75) {
      out += '=\r\n'
      line = 0
    }
    out += enc
    line += enc.length
  }
  return out
}

async function fixtures() {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } }).png().toBuffer()
  const jpg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } }).jpeg().toBuffer()
  const webp = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00f' } }).webp().toBuffer()
  return { png, jpg, webp }
}

describe('parseEml', () => {
  it('finds attachments, inline images and forwarded photos in a real-world shaped message', async () => {
    const { png, jpg, webp } = await fixtures()
    const forwarded = [
      'From: customer@example.com',
      'Subject: photo',
      'Content-Type: multipart/mixed; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'see photo',
      '--inner',
      'Content-Type: image/webp; name=fwd.webp',
      'Content-Transfer-Encoding: base64',
      '',
      b64(webp),
      '--inner--',
      '',
    ].join('\r\n')
    const eml = [
      'From: =?UTF-8?B?UMWZw61sacWhIMW+bHXFpW91xI1rw70=?= <a@example.com>',
      'To: support@example.com',
      'Subject: =?ISO-8859-2?Q?NVR_heslo?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed;',
      ' boundary="----=_Part_1"',
      '',
      'This is a multi-part message in MIME format.',
      '------=_Part_1',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<img src="cid:qr1@example">',
      '--rel',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <qr1@example>',
      '',
      b64(png),
      '--rel--',
      '------=_Part_1',
      'Content-Type: application/octet-stream; name="IMG_0001.JPG"',
      'Content-Disposition: attachment;',
      " filename*=UTF-8''fotka%20%C5%A1%C3%A9.jpg",
      'Content-Transfer-Encoding: base64',
      '',
      b64(jpg),
      '------=_Part_1',
      'Content-Type: application/octet-stream; name="notes.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('not an image at all').toString('base64'),
      '------=_Part_1',
      'Content-Type: image/png; name="=?UTF-8?Q?k=C3=B3d.png?="',
      'Content-Disposition: attachment',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(png),
      '------=_Part_1',
      'Content-Type: message/rfc822',
      '',
      forwarded,
      '------=_Part_1--',
      '',
    ].join('\r\n')
    const atts = parseEml(Buffer.from(eml, 'latin1'))
    expect(atts.map((a) => [a.filename, a.mime, a.inline, a.contentId])).toEqual([
      [null, 'image/png', true, 'qr1@example'],
      ['fotka šé.jpg', 'image/jpeg', false, null],
      ['kód.png', 'image/png', false, null],
      ['fwd.webp', 'image/webp', false, null],
    ])
    expect(atts[0].bytes.equals(png)).toBe(true)
    expect(atts[1].bytes.equals(jpg)).toBe(true)
    expect(atts[2].bytes.equals(png)).toBe(true)
    expect(atts[3].bytes.equals(webp)).toBe(true)
  })

  it('handles LF-only line ends and a missing closing boundary', async () => {
    const { jpg } = await fixtures()
    const eml = ['From: a@b', 'Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: image/jpeg', 'Content-Transfer-Encoding: base64', '', b64(jpg).replace(/\r\n/g, '\n'), ''].join('\n')
    const atts = parseEml(Buffer.from(eml))
    expect(atts).toHaveLength(1)
    expect(atts[0].bytes.equals(jpg)).toBe(true)
  })

  it('stays bounded on hostile nesting and part counts', () => {
    let body = 'Content-Type: image/png\r\n\r\nzz'
    for (let i = 0; i < 200; i++) body = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--`
    expect(parseEml(Buffer.from('From: a@b\r\n' + body))).toEqual([])
    const many = ['From: a@b', 'Content-Type: multipart/mixed; boundary=m', '', ...Array.from({ length: 600 }, () => '--m\r\nContent-Type: text/plain\r\n\r\nx'), '--m--'].join('\r\n')
    expect(() => parseEml(Buffer.from(many))).toThrow(/more than 500 parts/)
    expect(() => parseEml(Buffer.alloc(100), { maxBytes: 50 })).toThrow(AppError)
  })

  it('refuses a file that is not an e-mail', () => {
    expect(() => parseEml(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toThrow(/not an e-mail message/)
  })
})

describe('MIME helpers', () => {
  it('decodes quoted-printable with soft breaks', () => {
    expect(qpDecode('caf=C3=A9 =\r\nau lait=3D').toString('utf8')).toBe('café au lait=')
  })
  it('decodes encoded words and RFC 2231 parameters', () => {
    // Whitespace between adjacent encoded words is not part of the text (RFC 2047 §6.2); "_" is a space.
    expect(decodeWords('=?UTF-8?Q?P=C5=99=C3=ADli=C5=A1_?= =?UTF-8?B?xb5sdcWlb3XEjWvDvQ==?=')).toBe('Příliš žluťoučký')
    expect(decodeWords('=?UTF-8?Q?a?=  =?UTF-8?Q?b?= c')).toBe('ab c')
    const p = parseParams(`attachment; filename*0*=UTF-8''%C5%BElu; filename*1*=%C5%A5.png; size=10`)
    expect([p.value, p.params.get('filename'), p.params.get('size')]).toEqual(['attachment', 'žluť.png', '10'])
    expect(parseParams('image/png; name="a;b.png"').params.get('name')).toBe('a;b.png')
  })
})
