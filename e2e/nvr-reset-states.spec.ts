// More states of the reset panel, in Chromium: an unknown QR format shown raw, second-agent
// approval, the NVR clock read out by the customer (deadline corrected, warnings), and a new
// photo with a new QR replacing the old one (its code is voided).
import { expect, test } from '@playwright/test'
import QRCode from 'qrcode'
import sharp from 'sharp'
import { api, customerPhoto, dropFile, openTicket, passOwnership, setup, shots, type World } from './nvr-reset-support'

let world: World | null = null
test.afterEach(async () => {
  await world?.host.stop().catch(() => undefined)
  await world?.bench.stop()
  world = null
})
const label = () => sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer()

test('unknown QR format is shown raw; a second agent must approve before a code is released', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-raw'))
  await api(w.host, 'nvrReset.settings.set', { requireSecondAgent: true })
  // The second agent enrols in Settings with a PIN of their own; nobody can enrol themselves.
  await page.goto(`${w.host.origin}/#/settings`)
  const enrol = page.getByTestId('reset-approvers')
  await expect(enrol.getByTestId('approver-none')).toBeVisible()
  await enrol.locator('[name=approverName]').fill('Eva Agent')
  await enrol.locator('[name=approverEmail]').fill('eva@example.com')
  await enrol.locator('[name=approverPin]').fill('123456')
  await enrol.getByTestId('approver-add').click()
  await expect(page.getByTestId('toast').last()).toContainText('cannot be your own second agent')
  await expect(enrol.locator('[name=approverPin]')).toHaveValue('')
  await enrol.locator('[name=approverName]').fill('Petr Druhý')
  await enrol.locator('[name=approverEmail]').fill('petr@example.com')
  await enrol.locator('[name=approverPin]').fill('482100')
  await enrol.getByTestId('approver-add').click()
  await expect(enrol.getByTestId('approver-list')).toContainText('Petr Druhý')
  await shots(page, '33-approvers', 'reset-approvers')
  await openTicket(page, w)
  const qr = await QRCode.toBuffer('DHQR1|SN=7K0A2B3C4D|MAC=00:11:22:33:44:55|N=99af', { scale: 10, margin: 4 })
  // First the customer mailed the QR's text; later the photo of the same QR arrives.
  await page.getByTestId('qr-text').locator('summary').click()
  await page.getByTestId('qr-text-input').fill('DHQR1|SN=7K0A2B3C4D|MAC=00:11:22:33:44:55|N=99af')
  await page.getByTestId('qr-text-use').click()
  await expect(page.getByTestId('payload-raw')).toContainText('DHQR1|SN=7K0A2B3C4D')
  await dropFile(page, qr, 'screen.png', 'image/png')
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await expect(page.getByTestId('payload-raw')).toContainText('DHQR1|SN=7K0A2B3C4D')
  await expect(page.getByTestId('payload-format')).toHaveText('Unknown format')
  await expect(page.getByTestId('validity-state')).toHaveText('Unknown')
  await shots(page, '30-raw-format', 'payload-fields')
  await passOwnership(page, await label())
  await expect(page.getByTestId('reset-stage')).toHaveText('Second-agent approval')
  await shots(page, '31-approval', 'approval')
  // The only approver is chosen already; a wrong PIN approves nothing and leaves no PIN behind.
  await expect(page.getByTestId('approver')).toHaveValue('petr@example.com')
  await page.getByTestId('approver-pin').fill('0000')
  await page.getByTestId('approver-pin').press('Enter')
  await expect(page.getByTestId('toast').last()).toContainText('not Petr Druhý’s PIN; nothing was approved')
  await expect(page.getByTestId('approver-pin')).toHaveValue('')
  await expect(page.getByTestId('reset-stage')).toHaveText('Second-agent approval')
  await page.getByTestId('approver-pin').fill('482100')
  await page.getByTestId('approve').click()
  await expect(page.getByTestId('approval')).toContainText('Approved by Petr Druhý <petr@example.com>')
  await page.getByTestId('code-provider').selectOption('manual')
  await page.getByTestId('manual-code').fill('O0lI1xYz')
  await page.getByTestId('request-code').click()
  await page.getByTestId('code-reveal').click()
  await expect(page.getByTestId('code-spelled')).toContainText('capital O, digit zero, lower-case l, capital I, digit one')
  await shots(page, '32-manual-code', 'security-code')
})

test('the NVR clock read out by the customer corrects the deadline; a newer QR replaces the old one', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-clock'))
  const nvr = w.bench.nvr(0)
  await nvr.clockSkew(3 * 3600)
  nvr.openRetrievePassword()
  await openTicket(page, w)
  await dropFile(page, await customerPhoto(w), 'first.jpg')
  await expect(page.getByTestId('validity-warnings')).toContainText('after the photo arrived')
  // By the QR's own (wrong) time the deadline looks 27 h away…
  await expect(page.getByTestId('countdown-left')).toContainText(/^2[67] h/)
  await page.getByTestId('customer-tz').fill('America/New_York')
  await page.getByTestId('save-tz').click()
  await expect(page.getByTestId('countdown-deadline')).toContainText('America/New_York')
  // The customer reads the NVR clock in New York wall time.
  const deviceWall = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(Date.now() + 3 * 3600_000)).replace(' ', 'T')
  await page.locator('[name=deviceTime]').fill(deviceWall)
  await page.getByRole('button', { name: 'Save NVR time' }).click()
  await expect(page.getByTestId('validity-warnings')).toContainText('The NVR clock is 3 h ahead')
  // …but the NVR expires it by its own clock: 24 h from now in real time.
  await expect(page.getByTestId('countdown-left')).toContainText(/^2[34] h/)
  await shots(page, '40-clock', 'reset-countdown')

  await passOwnership(page, await label())
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('ready')
  // The customer reopened the screen and sends a new photo: the old code is void.
  nvr.openRetrievePassword()
  await dropFile(page, await customerPhoto(w, { minutesAgo: 1 }), 'second.jpg')
  await expect(page.getByTestId('photo-tab')).toHaveCount(2)
  // The old code moves to the history of this ticket, void.
  await page.getByTestId('code-section').locator('summary').click()
  await expect(page.getByText('A newer QR replaced the one this code was issued for.')).toBeVisible()
  await expect(page.getByTestId('reset-stage')).toHaveText('Get the security code')
  await shots(page, '41-new-qr', 'code-section')
})
