// The devices screen end to end: the real host process, Debian's Chromium, and the lab bench
// on 127.0.48.0/24 (loopback only). Scan with progress and diagnostics, open a device, link
// it to a ticket, store a login, back up, and the typed-serial confirmation of a factory reset.
import { expect, test, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBench, type Bench } from '../lab/bench'
import { startConsole, type ConsoleProcess } from './support'

let bench: Bench
let c: ConsoleProcess
// Outside Playwright's outputDir, which every run empties.
const SHOTS = process.env.SC_SCREENSHOTS ?? join(tmpdir(), 'sc-screens', 'devices')

async function rpc(method: string, input: unknown) {
  const r = await fetch(`${c.origin}/api/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) })
  const body = (await r.json()) as { ok: boolean; value?: unknown; error?: unknown }
  if (!body.ok) throw new Error(JSON.stringify(body.error))
  return body.value as Record<string, unknown>
}

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  bench = await startBench({ intercoms: 2, nvrs: 1, seed: 'e2e-devices', hostBase: '127.0.48.', portMode: 'standard', timing: { applyDelayMs: 300, rebootMs: 400 } })
  await bench.intercom(1).malformed(true)
  c = await startConsole()
  await rpc('system.setAgent', { name: 'E2E Agent', email: '' })
  await rpc('tickets.create', { customerName: 'Bench Customer', externalRef: 'ZD-4242', procedure: 'my2n-move' })
})
test.afterAll(async () => {
  await c?.stop()
  await bench?.stop()
})

async function shoot(page: Page, name: string) {
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t
    }, theme)
    await page.screenshot({ path: `${SHOTS}/${name}-${theme}.png`, fullPage: true })
  }
  await page.evaluate(() => {
    document.documentElement.dataset.theme = 'light'
  })
}

test('scan, open a device, link, back up and confirm a factory reset by serial', async ({ page }) => {
  await page.goto(c.url)
  await page.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).click()
  await page.getByTestId('iface-lo').check()
  await page.getByTestId('scan-cidr').fill('127.0.48.0/24')
  await page.getByTestId('scan-timeout').fill('6')
  await page.getByTestId('scan-start').click()
  await expect(page.getByTestId('scan-progress')).toBeVisible()
  const good = bench.intercom(0)
  await expect(page.getByTestId('found-device').filter({ hasText: good.serial })).toBeVisible()
  await expect(page.getByTestId('found-device').filter({ hasText: bench.nvr(0).ip })).toContainText('needs login')
  await expect(page.getByTestId('scan-start')).toBeVisible({ timeout: 15_000 })
  await expect(page.getByTestId('diagnostic').filter({ hasText: bench.intercom(1).ip })).toContainText('broken JSON')
  await expect(page.getByTestId('diagnostic').filter({ hasText: bench.nvr(0).ip })).toContainText('needs a login')
  await expect(page.getByTestId('inventory-device').filter({ hasText: good.serial })).toBeVisible()
  await shoot(page, 'devices-scan')

  await page.getByTestId('found-device').filter({ hasText: good.serial }).click()
  await expect(page.getByTestId('device-serial')).toHaveText(good.serial)
  await page.getByTestId('link-ticket-select').selectOption({ index: 1 })
  await page.getByTestId('link-ticket').click()
  await expect(page.getByTestId('device-tickets')).toContainText('Bench Customer')
  // "Ticket for this work" is the ticket just linked.
  const linked = await page.getByTestId('device-tickets').locator('a').first().getAttribute('href')
  await expect(page.getByTestId('op-ticket')).toHaveValue(linked!.replace(/^.*\//, ''))
  await page.getByTestId('cred-user').fill(good.credentials.username)
  await page.getByTestId('cred-password').fill(good.credentials.password)
  await page.getByTestId('cred-save').click()
  await expect(page.getByTestId('cred-state')).toContainText(`for ${good.credentials.username}`)
  // The password is never sent back to the page.
  expect(await page.content()).not.toContain(good.credentials.password)

  await page.getByTestId('op-backup').click()
  await expect(page.getByTestId('op-outcome')).toContainText('verified')
  await expect(page.getByTestId('device-backups')).toContainText('verified')

  await page.getByTestId('op-factory-reset').click()
  await expect(page.getByTestId('confirm-run')).toBeDisabled()
  await page.getByTestId('confirm-serial').fill('00-0000-0000')
  await expect(page.getByTestId('confirm-run')).toBeDisabled()
  await shoot(page, 'devices-confirm')
  await page.getByTestId('confirm-serial').fill(good.serial)
  await page.getByTestId('confirm-run').click()
  await expect(page.getByTestId('op-outcome')).toContainText('Factory reset')
  await expect(page.getByTestId('device-audit')).toContainText('factoryReset')
  // After a network reset the device comes back elsewhere: find it again from its page.
  await page.getByTestId('op-rediscover').click()
  await expect(page.getByTestId('op-outcome')).toContainText(`Found again at ${bench.intercom(0).defaultIp}`, { timeout: 30_000 })
  await expect(page.getByTestId('device-addresses')).toContainText(bench.intercom(0).defaultIp)
  await shoot(page, 'device-page')
})

test('an NVR that needs a login is added by address with its credentials', async ({ page }) => {
  const n = bench.nvr(0)
  await page.goto(c.url)
  await page.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).click()
  await page.getByTestId('add-device').click()
  await page.getByTestId('add-address').fill(n.ip)
  await page.getByTestId('add-user').fill(n.info().credentials.username)
  await page.getByTestId('add-password').fill(n.info().credentials.password)
  await shoot(page, 'devices-add')
  await page.getByTestId('add-submit').click()
  await expect(page.getByTestId('device-serial')).toHaveText(n.serial)
  await expect(page.getByTestId('cred-state')).toContainText('admin')
  expect(await page.content()).not.toContain(n.info().credentials.password)
  // A wrong address is explained, not added.
  await page.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).click()
  await page.getByTestId('add-device').click()
  await page.getByTestId('add-address').fill('127.0.48.250')
  await page.getByTestId('add-submit').click()
  await expect(page.getByTestId('add-notes')).toContainText('refuses connections')
})

test('Settings says what is real: the discovery interface chosen there is the one the Devices screen scans on', async ({ page }) => {
  await page.goto(c.url)
  await page.getByRole('navigation').getByRole('link', { name: 'Settings', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible()
  await expect(page.locator('main, body').first()).not.toContainText('Coming here')
  // Every card is a setting that exists: identity, discovery, retention, PIN lock, reset-code services, My2N.
  for (const id of ['agent-form', 'discovery-settings', 'retention-form', 'lock-form', 'reset-settings', 'my2n-settings']) await expect(page.getByTestId(id)).toBeVisible()
  await expect(page.getByTestId('secrets-store')).toContainText('key file')
  await expect(page.getByTestId('data-dir')).not.toBeEmpty()
  const d = page.getByTestId('discovery-settings')
  await expect(page.getByTestId('discovery-summary')).toContainText('No interface chosen')
  await page.getByTestId('settings-iface-lo').check()
  await d.locator('[name=discoveryCidr]').fill('127.0.48.0/24')
  await page.getByTestId('discovery-save').click()
  await expect(page.getByTestId('discovery-summary')).toHaveText('Scans use: lo.')
  await shoot(page, 'settings')
  // A fresh visit of the Devices screen starts from that choice.
  await page.reload()
  await page.getByRole('navigation').getByRole('link', { name: 'Devices', exact: true }).click()
  await expect(page.getByTestId('iface-lo')).toBeChecked()
  await expect(page.getByTestId('scan-cidr')).toHaveValue('127.0.48.0/24')
})
