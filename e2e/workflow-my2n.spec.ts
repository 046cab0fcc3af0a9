// The My2N move, end to end: Chromium drives the console (a real `serve` child process on its
// own data folder) against the lab bench (2N intercom + My2N simulators on 127.0.9.x).
import { createHash } from 'node:crypto'
import { expect, test, type Page } from '@playwright/test'
import { startBench, type Bench } from '../lab/bench'
import { renderConfig } from '../lab/intercom/config-xml'
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
  if (await page.getByTestId('wf-current').count()) await page.getByTestId('wf-current').scrollIntoViewIfNeeded()
  for (const theme of ['light', 'dark']) {
    await page.evaluate(`document.documentElement.dataset.theme = '${theme}'`)
    await page.screenshot({ path: `/tmp/shots/${name}-${theme}.png` })
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
  // A blocked step can be run again once the agent has fixed the cause.
  await expect(entry(page, step)).toHaveAttribute('data-state', /^(current|blocked)$/, { timeout: 45_000 })
  await expect(entry(page, step).getByTestId('wf-running')).toHaveCount(0, { timeout: 45_000 })
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
  // Keyboard flow: the next step's field has the focus; Enter runs the step.
  await expect(current(page).getByTestId('wf-input-host')).toBeFocused()
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
  await expect(entry(page, 'restore-review').getByTestId('wf-diff')).toBeVisible()
  await shots(page, 'wf-restore-diff')
  await confirmRun(page, 'restore', d.serial)
  await expectCurrent(page, 'close-out')
  await current(page).getByTestId('wf-input-customerInformed').check()
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(page.getByTestId('workflow-completed')).toBeVisible()
  await expect(page.getByTestId('workflow-status')).toHaveText('Completed')
  await shots(page, 'wf-completed')
  // The customer calls back without the password: it is shown again, only with a reason.
  await page.getByTestId('wf-reveal-again').click()
  await expect(page.getByTestId('wf-reveal-again-confirm')).toBeDisabled()
  await page.getByTestId('wf-reveal-again-reason').fill('customer lost the note; called back from the registered number')
  await shots(page, 'wf-reveal-again')
  await page.getByTestId('wf-reveal-again-confirm').click()
  await expect(page.getByTestId('wf-reveal-value')).toHaveText(shown!)
  await page.getByTestId('wf-reveal-done').click()
  // The password never reached the page unasked, nor the audit trail (which has the reason).
  const audit = JSON.stringify(await api(h, 'audit.list', { ticketId, limit: 500 }))
  expect(audit).toContain('workflow.step.reset')
  expect(audit).toContain('shown again: customer lost the note')
  expect(audit).not.toContain(shown!)
})

test('wrong serial: typo hints, My2N "does not exist", the device reports another serial, then the right one is added', async ({ page }) => {
  const { d, bench: b } = await setup(page, 'e2e-wf-serial')
  await page.getByTestId('workflow-start-my2n-move').click()
  await expectCurrent(page, 'serial')
  const typo = d.serial.replace(/0/g, 'O').replace(/-/g, '')
  await fill(page, { serial: typo, foundAt: 'certificate' })
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(current(page).getByTestId('wf-error-serial')).toContainText(`Did you mean ${d.serial}?`)
  await expect(current(page).getByTestId('wf-error-serial')).toContainText('dashes were missing')
  await shots(page, 'wf-serial-typo')
  // A well-formed serial of a unit My2N does not know; the device is not on the bench.
  const other = `${d.serial.slice(0, 8)}${String((Number(d.serial.slice(8)) + 1) % 10000).padStart(4, '0')}`
  await fill(page, { serial: other })
  await current(page).getByTestId('wf-outcome-ok').click()
  await run(page, 'bench', { host: '' })
  await expect(entry(page, 'bench')).toContainText('Device not on the bench')
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'serial')
  await expect(entry(page, 'my2n-check')).toContainText('The serial number does not exist')
  await expect(page.getByTestId('wf-why-my2n-check').last()).toContainText('check it for typos')
  await shots(page, 'wf-serial-not-found')
  // Still the wrong serial, but now the device is on the bench: it disagrees.
  await current(page).getByTestId('wf-outcome-ok').click()
  await run(page, 'bench', { host: d.ip })
  await expectCurrent(page, 'serial')
  await expect(entry(page, 'bench')).toContainText('Device reports another serial')
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(current(page).getByTestId('wf-error-serial')).toContainText(`reports ${d.serial}`)
  await fill(page, { serial: d.serial })
  await current(page).getByTestId('wf-outcome-ok').click()
  await run(page, 'bench', { host: d.ip })
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'close-out')
  expect(b.my2nCloud.ownerOf(d.serial)).toBe(b.my2n.companyId)
  const visits = await page.getByTestId('workflow').locator('[data-state="done"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice(9)))
  expect(visits).toEqual(['serial', 'bench', 'my2n-check', 'serial', 'bench', 'serial', 'bench', 'my2n-check'])
})

test('already added: the previous owner deletes it after the message template, then My2N accepts it', async ({ page }) => {
  const { d, bench: b } = await setup(page, 'e2e-wf-owner')
  d.alreadyInMy2nAccount()
  await toMy2nCheck(page, d.serial, d.ip)
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'already-added')
  await current(page).getByTestId('wf-outcome-previous-owner').click()
  await expectCurrent(page, 'previous-owner')
  await expect(page.getByTestId('wf-template')).toContainText(d.serial)
  await expect(page.getByTestId('wf-template')).toContainText('Nováková s.r.o.')
  await current(page).getByTestId('wf-note').fill('Sent to the customer by e-mail, ticket reply #3')
  await current(page).getByTestId('wf-add-note').click()
  await shots(page, 'wf-previous-owner')
  // The previous owner deletes it in their My2N account.
  expect(b.my2nCloud.remove(d.serial)).toBe(true)
  await current(page).getByTestId('wf-outcome-deleted').click()
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'close-out')
  await entry(page, 'previous-owner').locator('summary').click()
  await expect(entry(page, 'previous-owner')).toContainText('Sent to the customer by e-mail')
})

/** Through the already-added branch to the reset step, with a verified backup. */
async function toReset(page: Page, d: ReturnType<Bench['intercom']>, b: Bench) {
  d.alreadyInMy2nAccount()
  await toMy2nCheck(page, d.serial, d.ip)
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'already-added')
  await current(page).getByTestId('wf-outcome-new-code').click()
  await newCodeAndBackup(page, b, d)
}

test('the device vanishes during the reset and comes back at another address: the console finds it there', async ({ page }) => {
  const { d, bench: b } = await setup(page, 'e2e-wf-vanish')
  await toReset(page, d, b)
  const before = d.ip
  await confirmRun(page, 'reset', d.serial)
  await expect(entry(page, 'reset').getByTestId('wf-running')).toBeVisible()
  // The reset is applied (the device drops to its default address)… then it loses power.
  await expect.poll(() => d.ip, { timeout: 15_000 }).not.toBe(before)
  await d.powerOff()
  await page.waitForTimeout(3000)
  await expect(entry(page, 'reset').getByTestId('wf-running')).toBeVisible() // still looking for it
  await shots(page, 'wf-reset-looking')
  // …and comes back on a DHCP address nobody expected.
  await d.moveToAddress('127.0.9.40')
  await d.powerOn()
  await expectCurrent(page, 'password')
  await expect(page.getByTestId('wf-fact-deviceAddress')).toHaveText('127.0.9.40')
  await entry(page, 'reset').locator('summary').click()
  await expect(entry(page, 'reset')).toContainText('moved')
  await run(page, 'password')
  await expect(page.getByTestId('wf-reveal')).toBeVisible({ timeout: 30_000 })
  expect(await page.getByTestId('wf-reveal-value').textContent()).toBe(d.web.password)
})

test('lockout risk: a rejected password is not sent again, and the step says why', async ({ page }) => {
  const { d, bench: b } = await setup(page, 'e2e-wf-lockout', { webLockout: { tries: 3, blockMs: 600_000 } })
  await toReset(page, d, b)
  await confirmRun(page, 'reset', d.serial)
  await expectCurrent(page, 'password')
  // Somebody at the site set their own password meanwhile: admin / 2n no longer works.
  d.web.password = 'Someone-Else-1'
  await run(page, 'password')
  await expect(entry(page, 'password')).toHaveAttribute('data-state', 'blocked', { timeout: 30_000 })
  await expect(page.getByTestId('wf-why-password').last()).toContainText(/rejected/)
  expect(d.webFails.size ? [...d.webFails.values()][0].count : 0).toBe(1)
  // The agent presses Run again: the console refuses to send the same rejected login.
  await current(page).getByTestId('wf-run').click()
  await expect(page.getByTestId('wf-why-password').last()).toContainText('will not send it again', { timeout: 30_000 })
  await shots(page, 'wf-lockout')
  expect([...d.webFails.values()][0].count).toBe(1) // the device saw one failure, far from its lockout of 3
  expect(d.log.events.filter((e) => e.event === 'LoginBlocked')).toHaveLength(0)
  // With the password the customer set, the console replaces it with a strong one.
  await run(page, 'password', { currentPassword: 'Someone-Else-1' })
  await expect(page.getByTestId('wf-reveal')).toBeVisible({ timeout: 30_000 })
  expect(await page.getByTestId('wf-reveal-value').textContent()).toBe(d.web.password)
  expect([...d.webFails.values()].reduce((n, f) => n + f.count, 0)).toBeLessThanOrEqual(1)
})

test('a backup that does not parse is refused (device and uploaded file), a good one is accepted', async ({ page }) => {
  const { d, bench: b } = await setup(page, 'e2e-wf-backup')
  d.alreadyInMy2nAccount()
  await toMy2nCheck(page, d.serial, d.ip)
  await run(page, 'my2n-check', { site: b.my2n.siteId, certificateCode: d.my2nCode })
  await current(page).getByTestId('wf-outcome-new-code').click()
  await expectCurrent(page, 'new-code')
  await fill(page, { securityCode: d.generateMy2nCode() })
  await current(page).getByTestId('wf-input-oldCodeInvalid').check()
  await current(page).getByTestId('wf-outcome-ok').click()
  // The device sends garbage instead of its configuration.
  d.malformed(true)
  const c = d.info().credentials
  await run(page, 'backup', { username: c.username, devicePassword: c.password })
  await expect(page.locator('[data-testid="wf-entry-backup"][data-state="failed"]')).toHaveCount(1, { timeout: 30_000 })
  await expectCurrent(page, 'backup')
  await expect(page.getByTestId('wf-why-backup').first()).not.toBeEmpty()
  // The reset stays locked: no verified backup.
  await shots(page, 'wf-backup-failed')
  d.normal()
  // The agent falls back to the file the customer downloads: first a damaged one.
  await d.powerOff()
  await run(page, 'backup', { username: c.username, devicePassword: c.password })
  await expectCurrent(page, 'backup-upload')
  await current(page).getByTestId('wf-attach-backup').setInputFiles({ name: 'backup.xml', mimeType: 'application/xml', buffer: Buffer.from('<?xml version="1.0"?>\n<DeviceDatabase Version="45"><Network><DhcpEnabled>1</Dhcp') })
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(page.locator('.toast.error')).toContainText('does not parse')
  // The file as the device's web interface exports it.
  const good = Buffer.from(renderConfig(d.id, d.config, d.ip))
  await current(page).getByTestId('wf-attach-backup').setInputFiles({ name: 'backup-good.xml', mimeType: 'application/xml', buffer: good })
  await current(page).getByTestId('wf-outcome-ok').click()
  await expectCurrent(page, 'reset')
  // Both attached files are the ticket's evidence (the refused one too: it was received), with their hashes.
  const ev = page.getByTestId('ticket-evidence')
  await expect(ev).toContainText('backup-good.xml')
  await expect(ev).toContainText('backup.xml')
  const listed = (await api(host!, 'evidence.list', { ticketId: 1 })) as unknown as { items: { name: string; kind: string; sha256: string; source: string }[] }
  const kept = listed.items.find((i) => i.name === 'backup-good.xml')!
  expect(kept).toMatchObject({ kind: 'config-backup', source: 'workflow:my2n-move:backup-upload' })
  expect(kept.sha256).toBe(createHash('sha256').update(good).digest('hex'))
  await ev.scrollIntoViewIfNeeded()
  await shots(page, 'wf-evidence')
})

test('earlier runs of the ticket stay listed, collapsed, with their outcome and time, and open from the keyboard', async ({ page }) => {
  await setup(page, 'e2e-wf-earlier')
  await page.getByTestId('workflow-start-my2n-move').click()
  await expectCurrent(page, 'serial')
  await page.getByTestId('workflow-abandon').click()
  await page.getByTestId('workflow-abandon-reason').fill('Customer called back: wrong device')
  await page.getByTestId('workflow-abandon-confirm').click()
  await expect(page.getByTestId('workflow-status')).toHaveText('Abandoned')
  await expect(page.getByTestId('workflow-earlier')).toHaveCount(0) // the only run is the one shown
  // Start again asks first: cancelling changes nothing.
  await page.getByTestId('workflow-restart').click()
  await page.getByTestId('workflow-restart-cancel').click()
  await expect(page.getByTestId('workflow-status')).toHaveText('Abandoned')
  await page.getByTestId('workflow-restart').click()
  await page.getByTestId('workflow-restart-confirm').click()
  await expectCurrent(page, 'serial')
  await expect(page.getByTestId('workflow-status')).toHaveText('In progress')
  const earlier = page.getByTestId('workflow-earlier')
  await expect(earlier).toContainText('Earlier runs on this ticket (1)')
  const first = earlier.locator('details').first()
  await expect(first.getByTestId('workflow-earlier-status')).toHaveText('Abandoned')
  await expect(first).toContainText('ended just now')
  await expect(first).not.toHaveAttribute('open', '')
  await expect(first.locator('ol')).toBeHidden()
  // Keyboard: focus the summary, Enter opens it and shows the steps of that run.
  await first.locator('summary').focus()
  await page.keyboard.press('Enter')
  await expect(first).toHaveAttribute('open', '')
  await expect(first.locator('ol')).toContainText('Serial number')
  await expect(first.locator('.wf-earlier-last')).toHaveText('Stopped at: Serial number')
  await first.scrollIntoViewIfNeeded()
  await shots(page, 'wf-earlier-runs')
})

test('crash in the middle of the reset: the host is killed, restarted on the same data, and the run resumes where it was', async ({ page }) => {
  const { d, bench: b, dataDir, env, host: h } = await setup(page, 'e2e-wf-crash')
  await toReset(page, d, b)
  const before = d.ip
  await confirmRun(page, 'reset', d.serial)
  await expect(entry(page, 'reset').getByTestId('wf-running')).toBeVisible()
  await h.kill() // SIGKILL while the reset is in flight
  host = null
  await expect.poll(() => d.ip, { timeout: 15_000 }).not.toBe(before) // the device goes on with it
  host = await startConsole({ dataDir, env, token: h.token })
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/tickets/1`)
  // Re-checked, not re-run: the device is found at its new address in factory state.
  await expectCurrent(page, 'password')
  await expect(page.getByTestId('wf-fact-deviceAddress')).toHaveText(d.ip)
  const audit = JSON.stringify(await api(host, 'audit.list', { ticketId: 1, limit: 500 }))
  expect(audit).toContain('interrupted')
  expect((audit.match(/"devices\.factoryReset"/g) ?? []).length).toBeLessThanOrEqual(2) // one attempt (+ its result), never a second reset
  await run(page, 'password')
  await expect(page.getByTestId('wf-reveal')).toBeVisible({ timeout: 30_000 })
})

test('My2N is configured in Settings (key stored sealed) and the workflow uses it', async ({ page }) => {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed: 'e2e-wf-settings', hostBase: '127.0.9.', firstHost: 10, discovery: false, timing: { rebootMs: 500, applyDelayMs: 500 } })
  host = await startConsole()
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: '' })
  const d = bench.intercom(0)
  const ticket = await api(host, 'tickets.create', { customerName: 'Settings Test', deviceSerial: d.serial, procedure: 'my2n-move' })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/settings`)
  const form = page.getByTestId('my2n-settings')
  await expect(page.getByTestId('my2n-status')).toContainText('Not configured')
  await form.locator('[name=my2nKind]').selectOption('lab')
  await form.locator('[name=my2nUrl]').fill(`${bench.my2n.url}/api/v1`)
  await form.locator('[name=my2nKey]').fill(bench.my2n.apiKey)
  await page.getByTestId('my2n-save').click()
  await expect(page.getByTestId('my2n-status')).toContainText('In use: Lab simulator')
  await form.scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/shots/wf-my2n-settings-light.png' })
  expect(JSON.stringify(await api(host, 'workflows.my2nStatus', {}))).not.toContain(bench.my2n.apiKey)
  await page.goto(`${host.origin}/#/tickets/${ticket.id}`)
  await toMy2nCheck(page, d.serial, d.ip)
  await run(page, 'my2n-check', { site: bench.my2n.siteId, certificateCode: d.my2nCode })
  await expectCurrent(page, 'close-out')
  expect(bench.my2nCloud.ownerOf(d.serial)).toBe(bench.my2n.companyId)
})
