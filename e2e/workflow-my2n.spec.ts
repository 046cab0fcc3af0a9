// The My2N move, end to end: Chromium drives the console (a real `serve` child process on its
// own data folder) against the lab bench (2N intercom + My2N simulators on 127.0.9.x).
import { expect, test, type Page } from '@playwright/test'
import { startBench, type Bench } from '../lab/bench'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

let host: ConsoleProcess | null = null
let bench: Bench | null = null
test.afterEach(async () => {
  await host?.stop().catch(() => undefined)
  await bench?.stop()
  host = bench = null
})

async function api(h: ConsoleProcess, method: string, input: unknown) {
  const res = await fetch(`${h.origin}/api/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` }, body: JSON.stringify(input) })
  const body = (await res.json()) as { ok: boolean; value: never; error?: unknown }
  if (!body.ok) throw new Error(JSON.stringify(body.error))
  return body.value as Record<string, unknown>
}

async function shots(page: Page, name: string) {
  for (const theme of ['light', 'dark']) {
    await page.evaluate(`document.documentElement.dataset.theme = '${theme}'`)
    await page.screenshot({ path: `/tmp/shots/${name}-${theme}.png`, fullPage: true })
  }
  await page.evaluate(`document.documentElement.dataset.theme = 'light'`)
}

async function setup(page: Page, seed: string, o: { dataDir?: string; webLockout?: { tries: number; blockMs: number } } = {}) {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed, hostBase: '127.0.9.', firstHost: 10, discovery: false, timing: { rebootMs: 500, applyDelayMs: 500 }, intercomWebLockout: o.webLockout })
  const dataDir = o.dataDir ?? newDataDir()
  const env = { SUPPORT_CONSOLE_MY2N_URL: `${bench.my2n.url}/api/v1`, SUPPORT_CONSOLE_MY2N_KEY: bench.my2n.apiKey, SUPPORT_CONSOLE_REDISCOVER_MS: '30000' }
  host = await startConsole({ dataDir, env })
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  const d = bench.intercom(0)
  const ticket = await api(host, 'tickets.create', { customerName: 'Nováková s.r.o.', externalRef: 'ZD-5001', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move' })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/tickets/${ticket.id}`)
  return { d, bench, host, dataDir, env, ticketId: ticket.id as number }
}

const current = (page: Page) => page.getByTestId('wf-current')
/** The latest visit of a step (not its projected, pending copy). */
const entry = (page: Page, step: string) => page.locator(`[data-testid="wf-entry-${step}"]:not([data-state="pending"])`).last()
async function expectCurrent(page: Page, step: string) {
  await expect(entry(page, step)).toHaveAttribute('data-state', 'current', { timeout: 45_000 })
  await expect(entry(page, step).getByTestId('wf-running')).toHaveCount(0, { timeout: 45_000 })
}
async function fill(page: Page, values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) {
    const el = current(page).getByTestId(`wf-input-${k}`)
    if ((await el.evaluate((x) => x.tagName)) === 'SELECT') await el.selectOption(v)
    else await el.fill(v)
  }
}
async function run(page: Page, step: string, values: Record<string, string> = {}) {
  await expectCurrent(page, step)
  await fill(page, values)
  await current(page).getByTestId('wf-run').click()
}
async function confirmRun(page: Page, step: string, serial: string, values: Record<string, string> = {}) {
  await run(page, step, values)
  const dlg = page.getByTestId('wf-confirm-dialog')
  await expect(dlg).toBeVisible()
  await expect(page.getByTestId('wf-confirm-input')).toBeFocused()
  await page.keyboard.type(serial)
  await page.keyboard.press('Enter')
  await expect(dlg).toBeHidden()
}
/** Serial → bench → My2N check, as every scenario starts. */
async function toMy2nCheck(page: Page, serial: string, host: string) {
  await page.getByTestId('workflow-start-my2n-move').click()
  await expectCurrent(page, 'serial')
  await expect(current(page).getByTestId('wf-input-serial')).toHaveValue(serial) // from the ticket
  await fill(page, { foundAt: 'label' })
  await current(page).getByTestId('wf-outcome-ok').click()
  await run(page, 'bench', { host })
  await expect(entry(page, 'bench')).toHaveAttribute('data-state', 'done')
  await expect(entry(page, 'bench')).toContainText('Device reports the same serial')
}
async function newCodeAndBackup(page: Page, b: Bench, d: ReturnType<Bench['intercom']>) {
  await expectCurrent(page, 'new-code')
  await expect(current(page)).toContainText('System > Auto Provisioning > Generate New')
  await expect(current(page)).toContainText('Integration > Autoprovisioning > My2N')
  await expect(current(page)).toContainText('old My2N security code is no longer valid')
  const code = d.generateMy2nCode()
  await fill(page, { securityCode: code })
  await current(page).getByTestId('wf-input-oldCodeInvalid').check()
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(page.getByTestId('workflow')).toContainText('New security code')
  await expect(page.getByTestId('workflow')).not.toContainText(code) // masked, never shown again
  const c = d.info().credentials
  await run(page, 'backup', { username: c.username, devicePassword: c.password })
  await expectCurrent(page, 'reset')
  void b
}

test('happy path: already added → new security code → backup → reset (new address) → new password → register → restore', async ({ page }) => {
  const { d, bench: b, host: h, ticketId } = await setup(page, 'e2e-wf-happy')
  d.alreadyInMy2nAccount()
  await shots(page, 'wf-start')
  await toMy2nCheck(page, d.serial, d.ip)
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'already-added')
  await expect(entry(page, 'my2n-check')).toContainText('The device is already added')
  await current(page).getByTestId('wf-outcome-new-code').click()
  await newCodeAndBackup(page, b, d)
  await shots(page, 'wf-reset-step')
  const before = d.ip
  await confirmRun(page, 'reset', d.serial)
  await expect(entry(page, 'reset').getByTestId('wf-running')).toBeVisible()
  await shots(page, 'wf-reset-running')
  await expectCurrent(page, 'password')
  expect(d.ip).not.toBe(before)
  await expect(page.getByTestId('wf-fact-deviceAddress')).toHaveText(d.ip)
  await run(page, 'password')
  await expect(page.getByTestId('wf-reveal')).toBeVisible({ timeout: 30_000 })
  const shown = await page.getByTestId('wf-reveal-value').textContent()
  expect(shown).toBe(d.web.password)
  expect(shown).toMatch(/^.{16}$/)
  await shots(page, 'wf-reveal')
  await page.getByTestId('wf-reveal-done').click()
  await run(page, 'register', { site: b.my2n.siteId })
  await expectCurrent(page, 'restore-offer')
  expect(b.my2nCloud.ownerOf(d.serial)).toBe(b.my2n.companyId)
  await current(page).getByTestId('wf-outcome-review').click()
  await run(page, 'restore-review')
  await expectCurrent(page, 'restore')
  await entry(page, 'restore-review').locator('summary').click()
  await expect(entry(page, 'restore-review').getByTestId('wf-diff')).toBeVisible()
  await shots(page, 'wf-restore-diff')
  await confirmRun(page, 'restore', d.serial)
  await expectCurrent(page, 'close-out')
  await current(page).getByTestId('wf-input-customerInformed').check()
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(page.getByTestId('workflow-completed')).toBeVisible()
  await expect(page.getByTestId('workflow-status')).toHaveText('Completed')
  await shots(page, 'wf-completed')
  // The password never reached the page again, nor the audit trail.
  const audit = JSON.stringify(await api(h, 'audit.list', { ticketId, limit: 500 }))
  expect(audit).toContain('workflow.step.reset')
  expect(audit).not.toContain(shown!)
})
