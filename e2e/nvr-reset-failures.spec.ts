// The NVR reset where it must stop, in Chromium against the lab bench: an expired QR, the
// customer leaving the Retrieve Password screen, wrong codes up to (never into) the lockout,
// and files that are not usable photos (not an image, truncated, no code, too large, a
// decompression bomb); photos also arrive by paste, by the file picker and inside an .eml.
import { crc32, deflateSync } from 'node:zlib'
import { expect, test } from '@playwright/test'
import sharp from 'sharp'
import { api, customerPhoto, dropFile, openTicket, pasteFile, passOwnership, setup, shots, type World } from './nvr-reset-support'

let world: World | null = null
test.afterEach(async () => {
  await world?.host.stop().catch(() => undefined)
  await world?.bench.stop()
  world = null
})
const label = () => sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer()

/**
 * A decompression bomb: a well-formed PNG of a few KB whose header declares width x height
 * pixels (8-bit RGB). Its pixel data is a few rows of zeros; deflate would make the whole
 * gigapixel image barely larger, which is what such files exploit.
 */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const rows = deflateSync(Buffer.alloc((1 + width * 3) * 8), { level: 9 })
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))])
}

test('an expired QR is shown as expired and no code is released', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-expired'))
  // The NVR clock runs 25 h behind: by real time its QR is already more than a day old.
  await w.bench.nvr(0).clockSkew(-25 * 3600)
  w.bench.nvr(0).openRetrievePassword()
  await openTicket(page, w)
  await page.getByTestId('photo-input').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await customerPhoto(w) })
  await expect(page.getByTestId('intake-result')).toContainText('QR code found')
  await expect(page.getByTestId('validity-state')).toHaveText('Expired')
  await expect(page.getByTestId('reset-stage')).toHaveText('Stopped')
  await expect(page.getByTestId('reset-blocked')).toContainText('expired')
  await expect(page.getByTestId('validity-warnings')).toContainText('before the photo arrived')
  await expect(page.getByTestId('request-code')).toHaveCount(0)
  await shots(page, '10-expired', 'reset-panel')
  // Even straight through the API, the host refuses the code release.
  await passOwnership(page, await label())
  await expect(api(w.host, 'nvrReset.requestCode', { ticketId: w.ticketId, provider: 'lab' })).rejects.toThrow(/expired/)
})

test('the customer left the Retrieve Password screen: the console detects it and does not spend the code', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-left'))
  w.bench.nvr(0).openRetrievePassword()
  await openTicket(page, w)
  await dropFile(page, await customerPhoto(w), 'IMG_1.jpg')
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await passOwnership(page, await label())
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('ready')
  await w.bench.nvr(0).leaveRetrievePasswordScreen()
  await page.getByTestId('apply-address').fill(w.address)
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await page.getByTestId('apply-run').click()
  await expect(page.getByTestId('apply-result')).toHaveAttribute('data-outcome', 'invalidated')
  await expect(page.getByTestId('apply-result')).toContainText('no longer open')
  await expect(page.getByTestId('reset-stage')).toHaveText('Stopped')
  await expect(page.getByTestId('invalidated')).toContainText('left the Retrieve Password screen')
  await expect(page.getByTestId('code-status')).toHaveText('void')
  await shots(page, '11-left-screen', 'reset-panel')
  // The NVR's wrong-code counter was never touched.
  w.bench.nvr(0).openRetrievePassword()
  expect(w.bench.nvr(0).retrieve.submit('x')).toMatchObject({ reason: 'wrong', remaining: 4 })
})

test('wrong codes are entered once each, and the console refuses before the NVR locks', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-wrong'))
  w.bench.nvr(0).openRetrievePassword()
  await openTicket(page, w)
  await dropFile(page, await customerPhoto(w), 'IMG_2.jpg')
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await passOwnership(page, await label())
  await page.getByTestId('code-provider').selectOption('manual')
  for (const [i, code] of ['Abcd1234', 'abcd1234', 'ABCD1234', 'AbCd1234'].entries()) {
    await page.getByTestId('manual-code').fill(code)
    await page.getByTestId('request-code').click()
    await expect(page.getByTestId('apply-run')).toBeVisible()
    await page.getByTestId('apply-address').fill(w.address)
    await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
    await page.getByTestId('apply-run').click()
    await expect(page.getByTestId('apply-result')).toHaveAttribute('data-outcome', 'wrong-code')
    await expect(page.getByTestId('wrong-codes')).toContainText(`${i + 1} of 5`)
  }
  await expect(page.getByTestId('apply-result')).toContainText('1 more wrong code will lock')
  await shots(page, '12-wrong-codes', 'code-section')
  // A fifth code would lock the NVR: the console says so, and refuses to send it.
  await page.getByTestId('manual-code').fill('Zzzz9999')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('at-limit')).toContainText('will not enter another code')
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await expect(page.getByTestId('apply-run')).toBeDisabled()
  const codes = ((await api(w.host, 'nvrReset.get', { ticketId: w.ticketId })).codes as { id: number; status: string }[]).filter((c) => c.status === 'issued')
  await expect(api(w.host, 'nvrReset.apply', { ticketId: w.ticketId, codeId: codes[0].id, address: w.address, newPassword: 'N3w-Passw0rd!' })).rejects.toThrow(/one more wrong code would lock code entry/)
  await shots(page, '13-refused-before-lock', 'code-section')
  const state = (await fetch(`${w.bench.control.url}/devices/${w.bench.nvr(0).serial}`, { headers: { authorization: `Bearer ${w.bench.control.token}` } }).then((r) => r.json())) as { retrievePassword: unknown }
  expect(state.retrievePassword).not.toBeNull()
  // Still one try left on the device: it is not locked.
  expect(w.bench.nvr(0).retrieve.submit('still-wrong')).toMatchObject({ reason: 'wrong', remaining: 0 })
})

test('files that are not usable photos get clear messages; photos arrive by paste and .eml too', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-files'))
  await openTicket(page, w)
  const wall = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#7a8' } }).jpeg({ quality: 80 }).toBuffer()
  // Oversized: a JPEG padded past the 20 MB limit for photos.
  const big = Buffer.concat([wall, Buffer.alloc(21 * 1024 * 1024, 0)])
  await page.getByTestId('photo-input').setInputFiles([
    { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('Here is the photo you asked for') },
    { name: 'cut.jpg', mimeType: 'image/jpeg', buffer: wall.subarray(0, Math.floor(wall.length * 0.6)) },
    { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: big },
  ])
  const results = page.getByTestId('intake-result')
  await expect(results).toHaveCount(3, { timeout: 40_000 })
  await expect(results.nth(0)).toContainText('not a photo')
  await expect(results.nth(1)).toContainText(/incomplete|damaged/)
  await expect(results.nth(2)).toContainText('more than the 20 MB accepted')
  await shots(page, '20-refused-files', 'photo-intake')

  // A photo of a wall, pasted: stored, no code, the crop assist and the photo tips appear.
  await pasteFile(page, await sharp(wall).png().toBuffer(), 'image.png')
  await expect(results.first()).toContainText('No QR code found')
  await expect(page.getByTestId('crop-assist')).toBeVisible()
  // Keyboard only: focus the photo, Enter selects the middle, Shift+Right widens the selection.
  await page.getByTestId('qr-svg').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('assist-selection')).toContainText('800 × 600 px at 400, 300')
  await page.keyboard.press('Shift+ArrowRight')
  await expect(page.getByTestId('assist-selection')).toContainText('832 × 600 px')
  await page.getByTestId('assist-middle').click()
  await page.getByTestId('assist-rotate').click()
  await page.getByTestId('assist-decode').click()
  await expect(page.getByTestId('assist-result')).toContainText('No code in the selection')
  await page.getByTestId('retake-cs').click()
  await expect(page.getByTestId('retake-message')).toContainText('Obrazovku „Retrieve Password“ neopouštějte')
  await shots(page, '21-no-code', 'qr-photo')

  // An e-mail with the real photo attached.
  w.bench.nvr(0).openRetrievePassword()
  const photo = await customerPhoto(w)
  const eml = [
    'From: Jan Novak <jan@example.cz>', 'To: support@example.com', 'Subject: NVR heslo', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Fotka v priloze.', '--b1',
    'Content-Type: image/jpeg; name="IMG_20261122.jpg"', 'Content-Disposition: attachment; filename="IMG_20261122.jpg"', 'Content-Transfer-Encoding: base64', '',
    ...(photo.toString('base64').match(/.{1,76}/g) ?? []), '--b1--', '',
  ].join('\r\n')
  await page.getByTestId('photo-input').setInputFiles({ name: 'NVR heslo.eml', mimeType: 'message/rfc822', buffer: Buffer.from(eml) })
  await expect(results.first()).toContainText('IMG_20261122.jpg')
  await expect(results.first()).toContainText('QR code found')
  await expect(page.getByTestId('payload-serial')).toContainText(w.bench.nvr(0).serial)
  await expect(page.getByTestId('photo-tab')).toHaveCount(2)
  await shots(page, '22-eml', 'reset-panel')
})

test('a decompression bomb dropped on the ticket is refused with a clear message, and the ticket stays usable', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-bomb'))
  await openTicket(page, w)
  const bomb = pngBomb(60_000, 60_000)
  // Small on disk, 3.6 gigapixels by its header, which is well-formed (not refused as garbage).
  expect(bomb.length).toBeLessThan(8 * 1024)
  expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ format: 'png', width: 60_000, height: 60_000 })
  await dropFile(page, bomb, 'IMG_0001.png', 'image/png')
  const results = page.getByTestId('intake-result')
  await expect(results).toHaveCount(1, { timeout: 20_000 })
  await expect(results.first()).toContainText('IMG_0001.png')
  await expect(results.first()).toContainText('declares 60000 x 60000 pixels')
  await expect(results.first()).toContainText(/more than the 100(\.0)? megapixels accepted/)
  await expect(results.first()).toContainText('decompression bomb')
  await expect(page.getByTestId('reset-stage')).toHaveText('Waiting for the QR photo')
  await shots(page, '23-pixel-bomb', 'photo-intake')
  const evidence = async () => ((await api(w.host, 'evidence.list', { ticketId: w.ticketId })) as unknown as { items: { kind: string; name: string; source: string }[] }).items
  expect(await evidence()).toEqual([]) // nothing of it was stored

  // The ticket goes on: its run (there from the start) takes a file at its first step (an
  // "other" attachment: any step takes one), and the customer's real photo is decoded.
  const step = page.getByTestId('wf-current')
  await step.getByTestId('wf-attach-other').setInputFiles({ name: 'customer-mail.txt', mimeType: 'text/plain', buffer: Buffer.from('The first picture was a screenshot from the NVR app.') })
  await expect(step.getByTestId('wf-other-files')).toContainText('customer-mail.txt')
  await shots(page, '24-other-attachment', 'wf-current')
  w.bench.nvr(0).openRetrievePassword()
  await dropFile(page, await customerPhoto(w), 'IMG_0002.jpg')
  await expect(results.first()).toContainText('QR code found', { timeout: 20_000 })
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await expect(page.getByTestId('payload-serial')).toContainText(w.bench.nvr(0).serial)
  expect((await evidence()).map((e) => [e.kind, e.name, e.source])).toEqual(expect.arrayContaining([
    ['other', 'customer-mail.txt', 'workflow:nvr-password-reset:qr-photo'],
    ['qr-photo', 'IMG_0002.jpg', 'qr-intake:drop'],
  ]))
})
