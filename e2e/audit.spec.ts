import { expect, test, type Page } from '@playwright/test'
import BetterSqlite3 from 'better-sqlite3'
import { join } from 'node:path'
import sharp from 'sharp'
import { startConsole, type ConsoleProcess } from './support'

let host: ConsoleProcess | null = null
test.afterEach(async () => {
  await host?.stop()
  host = null
})

async function api(h: ConsoleProcess, method: string, input: unknown) {
  const res = await fetch(`${h.origin}/api/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` }, body: JSON.stringify(input) })
  const body = (await res.json()) as { ok: boolean; value: never; error?: unknown }
  if (!body.ok) throw new Error(JSON.stringify(body.error))
  return body.value as Record<string, unknown>
}
async function shots(page: Page, name: string) {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((th) => (document.documentElement.dataset.theme = th), theme)
    await page.screenshot({ path: `/tmp/shots/${name}-${theme}.png`, fullPage: false })
  }
  await page.evaluate(() => (document.documentElement.dataset.theme = 'light'))
}

test('evidence is added from the ticket page, the trail shows it in plain words, and verify catches tampering', async ({ page }) => {
  host = await startConsole()
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  const ticket = await api(host, 'tickets.create', { customerName: 'Jan Novák', externalRef: 'ZD-48213', deviceSerial: '54-0123-4567', procedure: 'my2n-move' })
  await api(host, 'tickets.setStatus', { id: ticket.id, status: 'waiting' })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/tickets/${ticket.id}`)

  // Upload through the file picker.
  const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 40, g: 110, b: 190 } } }).jpeg().toBuffer()
  await page.getByTestId('evidence-kind').selectOption('label-photo')
  await page.getByTestId('evidence-file').setInputFiles({ name: 'label.jpg', mimeType: 'image/jpeg', buffer: photo })
  const item = page.getByTestId('ticket-evidence').locator('li').first()
  await expect(item).toContainText('label.jpg')
  await expect(item.locator('img.evidence-thumb')).toBeVisible()
  await expect(item).toContainText('1600×1200')
  await page.getByTestId('evidence-file').setInputFiles({ name: 'reply.txt', mimeType: 'text/plain', buffer: Buffer.from('Dear partner, the security code was sent to the registered e-mail.') })
  await expect(page.getByTestId('ticket-evidence').locator('li')).toHaveCount(2)
  // Drag and drop onto the drop zone.
  await page.getByTestId('evidence-kind').selectOption('customer-statement')
  const dt = await page.evaluateHandle(() => {
    const d = new DataTransfer()
    d.items.add(new File(['I confirm I own this intercom. Jan Novak'], 'statement.txt', { type: 'text/plain' }))
    return d
  })
  await page.getByTestId('evidence-drop').dispatchEvent('drop', { dataTransfer: dt })
  await expect(page.getByTestId('ticket-evidence').locator('li')).toHaveCount(3)
  await expect(page.getByTestId('ticket-evidence')).toContainText('statement.txt')
  await expect(page.getByTestId('ticket-evidence')).toContainText('Customer statement')

  const audit = page.getByTestId('ticket-audit')
  await expect(audit).toContainText('Evidence added')
  await expect(audit).toContainText('Ticket status changed')
  await expect(audit).toContainText('Ticket opened')
  await shots(page, 'ticket-evidence-audit')

  // The PDF export downloads a file.
  const download = page.waitForEvent('download')
  await page.getByTestId('export-pdf').click()
  expect((await download).suggestedFilename()).toMatch(/^ticket-\d+-report-.*\.pdf$/)

  // The audit view: filters and the verify button.
  await page.getByTestId('nav-audit').click()
  await expect(page.getByTestId('audit-entries')).toContainText('Evidence added')
  await page.getByTestId('filter-action').selectOption('evidence.')
  await expect(page.getByTestId('audit-total')).toHaveText('3 entries match')
  await page.getByTestId('filter-action').selectOption('')
  await page.getByTestId('verify-trail').click()
  await expect(page.getByTestId('verify-result')).toContainText('The trail is intact')
  await shots(page, 'audit-view')

  // Someone edits the database with another tool: the button names the entry.
  const db = new BetterSqlite3(join(host.dataDir, 'support-console.sqlite'))
  db.exec('DROP TRIGGER audit_no_update')
  db.prepare("UPDATE audit_log SET outcome = 'failed' WHERE action = 'ticket.status'").run()
  const seq = db.prepare("SELECT seq FROM audit_log WHERE action = 'ticket.status'").pluck().get()
  db.close()
  await page.getByTestId('verify-trail').click()
  await expect(page.getByTestId('verify-break')).toContainText(`Entry ${seq} was altered`)
  await shots(page, 'audit-broken')
})

test('the bench PIN locks the console in the browser and the API; retention is set in Settings', async ({ page }) => {
  host = await startConsole()
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: '' })
  await page.goto(host.url)
  await page.getByRole('link', { name: 'Settings' }).click()
  const retention = page.getByTestId('retention-form')
  await retention.locator('[name=retentionDays]').fill('30')
  await retention.getByRole('button', { name: 'Save' }).click()
  await expect(page.getByText('Retention set to 30 days.')).toBeVisible()
  const lock = page.getByTestId('lock-form')
  await lock.locator('[name=newPin]').fill('2468')
  await page.getByTestId('set-pin').click()
  await expect(lock).toContainText('A PIN is set')
  await shots(page, 'settings')

  await lock.getByRole('button', { name: 'Lock now' }).click()
  await expect(page.getByTestId('lock-screen')).toBeVisible()
  await shots(page, 'lock-screen')
  // The host refuses the API too, not just the screen.
  const refused = await fetch(`${host.origin}/api/rpc/tickets.list`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, body: '{}' })
  expect(refused.status).toBe(401)
  await page.getByTestId('lock-pin').fill('1111')
  await page.getByTestId('lock-unlock').click()
  await expect(page.getByTestId('lock-screen')).toContainText('Wrong PIN')
  await page.getByTestId('lock-pin').fill('2468')
  await page.getByTestId('lock-unlock').click()
  await expect(page.getByTestId('lock-screen')).toBeHidden()
  expect((await api(host, 'retention.get', {})).personalDays).toBe(30)
})
