// The NVR "Option 2" reset end to end in Chromium: the customer's phone photo of the simulated
// NVR's Retrieve Password screen is dropped on the ticket, decoded, ownership is recorded, the
// code comes from the lab vendor service and the console applies it on the bench NVR and
// verifies the new password (and that the old one is refused).
import { expect, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import sharp from 'sharp'
import { api, customerPhoto, dropFile, openTicket, passOwnership, setup, shots, type World } from './nvr-reset-support'

let world: World | null = null
test.afterEach(async () => {
  await world?.host.stop().catch(() => undefined)
  await world?.bench.stop()
  world = null
})

test('photo → decoded → ownership → lab code → applied on the bench NVR → verified', async ({ page }) => {
  const w = (world = await setup(page, 'e2e-reset-main', { labViaApi: false }))
  // The agent enters the lab vendor service in Settings (the key is stored sealed).
  await page.goto(`${w.host.origin}/#/settings`)
  const form = page.getByTestId('reset-settings')
  await form.locator('[name=labUrl]').fill(w.bench.vendor.url)
  await form.locator('[name=labKey]').fill(w.bench.vendor.apiKey)
  await form.locator('[name=defaultTz]').fill('Europe/Prague')
  await page.getByTestId('reset-settings-save').click()
  await expect(form.locator('[name=labKey]')).toHaveAttribute('placeholder', /a key is stored/)
  await shots(page, 'settings', 'reset-settings')

  w.bench.nvr(0).openRetrievePassword()
  await openTicket(page, w)
  await expect(page.getByTestId('reset-stage')).toHaveText('Waiting for the QR photo')
  await shots(page, '01-empty')
  // The ticket's one run of the reset (workflow engine) exists from the start and waits for
  // the customer's photo; the ticket waits on the customer. Nothing to click on the card.
  const wf = page.getByTestId('workflow')
  await expect(page.getByTestId('ticket-status')).toContainText('Waiting')
  await expect(page.getByTestId('wf-entry-qr-photo')).toHaveAttribute('data-state', 'current')
  await expect(page.getByTestId('wf-why-qr-photo')).toContainText('Waiting for the customer’s photo')
  await expect(page.getByTestId('wf-observed')).toBeVisible()
  await expect(wf.locator('[data-testid^=wf-outcome-]')).toHaveCount(0)
  await expect(page.getByTestId('workflow-start-nvr-password-reset')).toHaveCount(0)
  await shots(page, '01-run-waiting', 'workflow')

  const photo = await customerPhoto(w)
  await dropFile(page, photo, 'IMG_4711.jpg')
  await expect(page.getByTestId('intake-result')).toContainText('QR code found')
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await expect(page.getByTestId('payload-serial')).toContainText(w.bench.nvr(0).serial)
  await expect(page.getByTestId('payload-serial')).toContainText('matches the ticket')
  await expect(page.getByTestId('payload-format')).toContainText('2MSIM1')
  await expect(page.getByTestId('validity-state')).toHaveText('Valid')
  await expect(page.getByTestId('countdown-left')).toContainText(/2[34] h/)
  await expect(page.getByTestId('countdown-deadline')).toContainText('Europe/Prague')
  await expect(page.getByTestId('reset-stage')).toHaveText('Verify ownership')
  // The photo completed the run's first step by itself; the ticket is back with the agent.
  await expect(page.getByTestId('wf-entry-qr-photo')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('wf-entry-ownership')).toHaveAttribute('data-state', 'current')
  await expect(page.getByTestId('ticket-status')).toContainText('Open')
  await shots(page, '02-decoded', 'qr-photo')

  // The same photo again (the customer re-sent it): recognised, not stored twice.
  await dropFile(page, photo, 'IMG_4711 (1).jpg')
  await expect(page.getByTestId('intake-result')).toContainText('same photo as')
  await expect(page.getByTestId('photo-tab')).toHaveCount(0)

  const label = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer()
  await passOwnership(page, label)
  await expect(page.getByTestId('reset-stage')).toHaveText('Get the security code')
  await expect(page.getByTestId('wf-entry-ownership')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('wf-entry-code')).toHaveAttribute('data-state', 'current')
  await shots(page, '03-ownership', 'ownership')

  await page.getByTestId('code-provider').selectOption('lab')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('ready')
  await expect(page.getByTestId('wf-entry-code')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('wf-entry-apply')).toHaveAttribute('data-state', 'current')
  await page.getByTestId('code-reveal').click()
  const code = (await page.getByTestId('code-value').innerText()).replace(/\s/g, '')
  expect(code).toMatch(/^[A-Za-z0-9]{8}$/)
  await expect(page.getByTestId('code-spelled')).toContainText(/(capital|lower-case|digit) /)
  await page.getByTestId('code-copy').click()
  await expect(page.getByTestId('toast').last()).toContainText('Code copied.')
  await page.getByTestId('message-lang').selectOption('cs')
  await page.getByTestId('make-message').click()
  await expect(page.getByTestId('code-message')).toContainText(code)
  await expect(page.getByTestId('code-message')).toContainText('NEOPOUŠTĚJTE')
  await expect(page.getByTestId('code-message')).toContainText('Europe/Prague')
  // Writing the message sent the code: the code says so and the run's "Code applied" step is done.
  await expect(page.getByTestId('code-sent')).toContainText('Sent to the customer')
  await expect(page.getByTestId('wf-entry-apply')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('wf-entry-verify')).toHaveAttribute('data-state', 'current')
  await shots(page, '04-code', 'security-code')

  // The bench NVR is in the device inventory: the reset that works on it links it to the ticket.
  const [ip, port] = w.address.split(':')
  const added = (await api(w.host, 'devices.addByAddress', { address: ip, port: Number(port), username: 'admin', password: w.oldPassword })) as { device: { id: number } | null }
  expect(added.device).not.toBeNull()
  await page.getByTestId('apply-address').fill(w.address)
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await page.getByTestId('apply-old').fill(w.oldPassword)
  await page.getByTestId('apply-run').click()
  await expect(page.getByTestId('apply-result')).toHaveAttribute('data-outcome', 'verified')
  await expect(page.getByTestId('verified')).toContainText('the old password is refused')
  await expect(page.getByTestId('reset-stage')).toHaveText('Reset verified')
  expect(w.bench.nvr(0).passwordOf('admin')).toBe('N3w-Passw0rd!')
  await shots(page, '05-verified', 'apply')
  // The run completed with the panel, without a click on it: the reset panel and the run agree.
  await expect(page.getByTestId('workflow-status')).toHaveText('Completed')
  for (const s of ['qr-photo', 'ownership', 'code', 'apply', 'verify']) await expect(page.getByTestId(`wf-entry-${s}`)).toHaveAttribute('data-state', 'done')
  // The message to the customer was written before the bench run: that applied the code first.
  await expect(page.getByTestId('wf-entry-apply')).toContainText('Code sent to the customer')
  await expect(page.getByTestId('workflow-completed')).toBeVisible()
  await shots(page, '06-timeline', 'workflow')
  // The procedure is complete: the ticket offers to be resolved.
  await expect(page.getByTestId('resolve-prompt')).toBeVisible()
  await shots(page, '07-resolve-prompt', 'resolve-prompt')
  await page.getByTestId('resolve-now').click()
  await expect(page.getByTestId('ticket-status')).toContainText('Resolved')
  await expect(page.getByTestId('resolve-prompt')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/shots/nvr-reset-08-ticket-after-full.png', fullPage: true })
  // The audit card of the ticket (reloaded) names every step, the code only masked.
  await page.reload()
  await expect(page.getByTestId('ticket-audit')).toContainText('nvrReset.verify')
  await expect(page.getByTestId('ticket-audit')).toContainText('label-photoresultpassed')
  await expect(page.getByTestId('ticket-audit')).not.toContainText(code)

  // The audit trail names the code only masked.
  const trail = await fetch(`${w.host.origin}/api/rpc/audit.list`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${w.host.token}` }, body: JSON.stringify({ ticketId: w.ticketId }) }).then((r) => r.text())
  expect(trail).not.toContain(code)
  expect(trail).toContain('nvrReset.verify')

  // The PDF report: a first page a person can read, the exact Czech name, the code only masked.
  const pdf = Buffer.from(((await api(w.host, 'reports.ticketPdf', { ticketId: w.ticketId })) as { dataBase64: string }).dataBase64, 'base64')
  writeFileSync('/tmp/shots/nvr-reset-report.pdf', pdf)
  execFileSync('pdftoppm', ['-png', '-r', '70', '-l', '2', '/tmp/shots/nvr-reset-report.pdf', '/tmp/shots/nvr-reset-report'])
  const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', '/tmp/shots/nvr-reset-report.pdf', '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
  for (const x of ['Jan Novák', 'ZD-6006', w.bench.nvr(0).serial, 'NVR password reset from a QR photo (Option 2)', 'completed', 'IMG_4711.jpg', 'released NVR security code', 'Jan Novák, message in Czech', 'Audit chain head at export']) expect(first).toContain(x)
  expect(first).not.toContain(code)

  // The device page lists the ticket that worked on it (resolved ones too).
  await page.goto(`${w.host.origin}/#/devices/${added.device!.id}`)
  await expect(page.getByTestId('device-tickets')).toContainText(`#${w.ticketId} · Jan Novák (ZD-6006) · Resolved`)
  await shots(page, '09-device-tickets', 'device-tickets')
  await page.screenshot({ path: '/tmp/shots/nvr-reset-09-device-page.png' })
})
