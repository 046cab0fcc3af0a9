// A customer's photo of a Retrieve Password screen that shows an app-download QR beside the
// reset QR (issue 15): the console takes the reset code and marks the other one on the photo
// as not a reset code.
import { expect, test } from '@playwright/test'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { phonePhoto } from '../electron/features/nvr-reset/testing/phone-photo'
import { dropFile, openTicket, setup, shots, type World } from './nvr-reset-support'

let world: World | null = null
test.afterEach(async () => {
  await world?.host.stop().catch(() => undefined)
  await world?.bench.stop()
  world = null
})

test('a photo with a reset QR beside an app QR: the reset code is used, the app code is labelled', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-two-codes'))
  w.bench.nvr(0).openRetrievePassword()
  const screen = (await w.bench.nvr(0).screenPng())!
  const appUrl = 'https://play.google.com/store/apps/details?id=com.twom.guard'
  const app = await QRCode.toBuffer(appUrl, { scale: 6, margin: 4 })
  const side = (await sharp(app).metadata()).height!
  const h = (await sharp(screen).metadata()).height!
  const both = await sharp(screen).extend({ left: side + 60, background: '#1d2633' }).composite([{ input: app, left: 30, top: Math.round((h - side) / 2) }]).png().toBuffer()
  await openTicket(page, w)
  await dropFile(page, await phonePhoto(both), 'IMG_5001.jpg')
  await expect(page.getByTestId('intake-result')).toContainText('2 QR codes found')
  await expect(page.getByTestId('intake-result')).toContainText('not a reset code')
  await expect(page.getByTestId('qr-outline')).toHaveCount(2)
  await expect(page.getByTestId('payload-format')).toContainText('2MSIM1')
  const other = page.locator('[data-testid=code-choice][data-kind=other]')
  await expect(other).toHaveCount(1)
  await expect(other).toContainText('not a reset code')
  await expect(other).toContainText(appUrl.slice(0, 40))
  await expect(page.locator('[data-testid=code-choice][data-kind=reset]')).toContainText('in use')
  await shots(page, 'two-codes', 'qr-photo')
})
