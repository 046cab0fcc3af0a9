// "An agent's day" (issue 12): the lab bench connected in one step from Settings, then one
// NVR reset and one My2N move carried to the end on two tickets. The tickets' status follows
// the work by itself (waiting on the customer until the photo arrives, open after it, a
// "Resolve the ticket?" prompt when the procedure completes): the manual status buttons are
// never pressed. The ticket's audit card updates live as the work goes, and a PDF report of
// each ticket holds (pdftotext) the exact Czech names used.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import sharp from 'sharp'
import { startBench, type Bench } from '../lab/bench'
import { labConnection, writeConnectionFile } from '../lab/connection-file'
import { api, customerPhoto, dropFile } from './nvr-reset-support'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

let host: ConsoleProcess | null = null
let bench: Bench | null = null
let removeFile = () => {}
test.afterEach(async () => {
  removeFile()
  await host?.stop().catch(() => undefined)
  await bench?.stop()
  host = bench = null
})

const NVR_CUSTOMER = 'Petr Dvořák'
const MOVE_CUSTOMER = 'Jiří Černý'
const AGENT = 'Eva Dvořáková'
const OWNER_NOTE = 'Petr Dvořák is the registered owner (Plzeň-Křimice)'

async function shot(page: Page, name: string, testId: string) {
  await page.getByTestId(testId).first().scrollIntoViewIfNeeded().catch(() => undefined)
  for (const theme of ['light', 'dark']) {
    await page.evaluate(`document.documentElement.dataset.theme = '${theme}'`)
    await page.screenshot({ path: `/tmp/shots/agents-day-${name}-${theme}.png` })
  }
  await page.evaluate(`document.documentElement.dataset.theme = 'light'`)
}

/** The reset panel's three ownership checks, passed with this customer's own evidence. */
async function passOwnership(page: Page, label: Buffer, ownerNote: string) {
  const pass = async (check: string, note: string, file?: { name: string; mimeType: string; buffer: Buffer }) => {
    const row = page.getByTestId(`check-${check}`)
    await row.getByTestId('check-note').fill(note)
    if (file) await row.getByTestId('check-file').setInputFiles(file)
    await row.getByTestId('check-pass').click()
    await expect(row.getByTestId('check-state')).toContainText('passed')
  }
  await pass('label-photo', 'Serial on the label matches the QR', { name: 'štítek.jpg', mimeType: 'image/jpeg', buffer: label })
  await pass('ownership-document', 'Faktura 2024-118, Alarmtech s.r.o., Plzeň', { name: 'faktura.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% faktura 2024-118\n') })
  await pass('requester-is-owner', ownerNote)
}

/** Exports the ticket's PDF through the audit card and returns its text as pdftotext reads it. */
async function pdfText(page: Page, dir: string, name: string): Promise<string> {
  const download = page.waitForEvent('download')
  await page.getByTestId('export-pdf').click()
  const file = join(dir, `${name}.pdf`)
  await (await download).saveAs(file)
  expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-')
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
}

/** The highest audit entry number the ticket's audit card shows now. */
const newestSeq = (page: Page) =>
  page.getByTestId('ticket-audit').locator('tbody[data-testid^="audit-"]').evaluateAll((els) => Math.max(0, ...els.map((e) => Number((e as HTMLElement).dataset.testid!.slice('audit-'.length)))))
/** The ticket's status changes as the audit trail has them: from → to, and who moved it. */
async function statusChanges(h: ConsoleProcess, ticketId: number) {
  const { items } = (await api(h, 'audit.list', { ticketId, limit: 500 })) as unknown as { items: { seq: number; action: string; agent: string; inputs: { from?: string; to?: string; by?: string } }[] }
  return items
    .filter((e) => e.action === 'ticket.status')
    .sort((a, b) => a.seq - b.seq)
    .map((e) => `${e.inputs.from}→${e.inputs.to}${e.inputs.by ? ` (${e.inputs.by})` : ''}`)
}

const entry = (page: Page, step: string) => page.locator(`[data-testid="wf-entry-${step}"]:not([data-state="pending"])`).last()
const current = (page: Page) => page.getByTestId('wf-current')
async function runStep(page: Page, step: string, values: Record<string, string> = {}) {
  await expect(entry(page, step)).toHaveAttribute('data-state', /^(current|blocked)$/, { timeout: 45_000 })
  await expect(entry(page, step).getByTestId('wf-running')).toHaveCount(0, { timeout: 45_000 })
  for (const [k, v] of Object.entries(values)) await current(page).getByTestId(`wf-input-${k}`).fill(v)
  await current(page).getByTestId('wf-run').click()
}

test('an agent’s day: lab bench in one step, an NVR reset and a My2N move to the end, live audit, PDF reports with Czech names', async ({ page }) => {
  test.setTimeout(180_000)
  const dir = newDataDir()
  // The lab bench as `support-console lab` runs it, with its connection file beside it.
  bench = await startBench({ intercoms: 1, nvrs: 1, seed: 'e2e-agents-day', hostBase: '127.0.44.', firstHost: 10, portMode: 'ephemeral', discovery: false, timing: { rebootMs: 500, applyDelayMs: 500 } })
  const connectionFile = join(dir, 'lab-connection.json')
  removeFile = writeConnectionFile(connectionFile, labConnection(bench))
  host = await startConsole({ env: { SUPPORT_CONSOLE_LAB_FILE: connectionFile, SUPPORT_CONSOLE_REDISCOVER_MS: '30000' } })
  await page.setViewportSize({ width: 1280, height: 800 })
  await api(host, 'system.setAgent', { name: AGENT, email: 'eva@example.com' })
  await page.goto(host.url)

  // 1. Settings → Use the running lab bench: My2N, vendor service and device accounts at once.
  await page.goto(`${host.origin}/#/settings`)
  await page.getByTestId('use-lab').click()
  await expect(page.getByTestId('lab-my2n')).toContainText('Works: My2N simulator at 127.0.0.1:')
  await expect(page.getByTestId('lab-vendor')).toContainText('Works: The vendor service at 127.0.0.1:')
  await expect(page.getByTestId('lab-devices').locator('li')).toHaveCount(2)
  await expect(page.getByTestId('my2n-status')).toContainText(`Lab simulator (127.x) at ${bench.my2n.url}`)
  await page.getByTestId('my2n-test').click()
  await expect(page.getByTestId('my2n-test-result')).toContainText('Works:')
  await page.getByTestId('vendor-test').click()
  await expect(page.getByTestId('vendor-test-result')).toContainText('accepted the API key')
  await shot(page, 'settings-lab', 'lab-connection')

  // 2. The NVR reset on the first ticket.
  const nvr = bench.nvr(0)
  const t1 = (await api(host, 'tickets.create', { customerName: NVR_CUSTOMER, externalRef: 'ZD-7101', contact: 'petr.dvorak@example.cz', deviceSerial: nvr.serial, deviceModel: nvr.model, procedure: 'nvr-password-reset' })).id as number
  nvr.openRetrievePassword()
  await page.goto(`${host.origin}/#/tickets/${t1}`)
  await expect(page.getByTestId('reset-panel')).toBeVisible()
  const audit = page.getByTestId('ticket-audit')
  await expect(audit).toContainText('Ticket opened')
  // The ticket's one reset run waits for the customer's photo, and so does the ticket.
  await expect(page.getByTestId('ticket-status')).toHaveText('Waiting on customer')
  await expect(page.getByTestId('set-status-waiting')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('wf-entry-qr-photo')).toHaveAttribute('data-state', 'current')
  await expect(page.getByTestId('workflow-start-nvr-password-reset')).toHaveCount(0)
  await expect(audit).toContainText('waiting for the customer’s photo of the QR')
  await shot(page, 'nvr-waiting', 'workflow')
  const beforePhoto = await newestSeq(page)
  expect(beforePhoto).toBeGreaterThan(0)
  await dropFile(page, await customerPhoto({ bench } as never), 'IMG_0001.jpg')
  await expect(page.getByTestId('reset-stage')).toHaveText('Verify ownership')
  // The photo completed the run's first step and put the ticket back with the agent.
  await expect(page.getByTestId('wf-entry-qr-photo')).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('ticket-status')).toHaveText('Open')
  await expect(page.getByTestId('set-status-open')).toHaveAttribute('aria-pressed', 'true')
  // Live: the decoded photo's entry and the status change are on the audit card without a reload.
  await expect.poll(() => newestSeq(page), { timeout: 30_000 }).toBeGreaterThan(beforePhoto)
  await expect(audit).toContainText('NVR reset: payload decoded')
  await expect(audit).toContainText('nvrReset.payload')
  await expect(audit).toContainText('the customer’s photo arrived')
  await passOwnership(page, await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer(), OWNER_NOTE)
  await page.getByTestId('code-provider').selectOption('lab')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('ready')
  // The bench address is known from the inventory (the lab connection stored the NVR).
  await expect(page.getByTestId('apply-address')).toHaveValue(`${nvr.ip}:${nvr.info().httpPort}`)
  await expect(page.getByTestId('apply-address-source')).toHaveText('from the device inventory')
  await shot(page, 'nvr-apply', 'apply-address')
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await page.getByTestId('apply-old').fill(nvr.info().credentials.password)
  const beforeApply = await newestSeq(page)
  await page.getByTestId('apply-run').click()
  await expect(page.getByTestId('reset-stage')).toHaveText('Reset verified', { timeout: 60_000 })
  expect(nvr.passwordOf('admin')).toBe('N3w-Passw0rd!')
  await expect.poll(() => newestSeq(page), { timeout: 30_000 }).toBeGreaterThan(beforeApply)
  await expect(audit).toContainText('nvrReset.verify')
  // The run completed from the work alone; the ticket offers to be resolved.
  await expect(page.getByTestId('workflow-status')).toHaveText('Completed', { timeout: 30_000 })
  for (const s of ['qr-photo', 'ownership', 'code', 'apply', 'verify']) await expect(page.getByTestId(`wf-entry-${s}`)).toHaveAttribute('data-state', 'done')
  await expect(page.getByTestId('ticket-status')).toHaveText('Open')
  await expect(page.getByTestId('resolve-prompt')).toContainText('The procedure is complete. Resolve the ticket?')
  await shot(page, 'nvr-resolve-prompt', 'resolve-prompt')
  await page.getByTestId('resolve-now').click()
  await expect(page.getByTestId('ticket-status')).toHaveText('Resolved')
  await expect(page.getByTestId('resolve-prompt')).toHaveCount(0)
  await expect(audit).toContainText('Ticket status changed')
  expect(await statusChanges(host, t1)).toEqual(['open→waiting (the work)', 'waiting→open (the work)', 'open→resolved'])
  await shot(page, 'nvr-done', 'ticket-audit')
  await shot(page, 'nvr-resolved', 'ticket-title')
  const nvrReport = await pdfText(page, dir, 'nvr')
  expect(nvrReport).toContain(NVR_CUSTOMER)
  expect(nvrReport).toContain(AGENT)
  expect(nvrReport.replace(/\s+/g, ' ')).toContain(OWNER_NOTE)
  // The evidence list names the files as the agent received them.
  expect(nvrReport).toContain('štítek.jpg')
  expect(nvrReport).toContain('faktura.pdf')
  expect(nvrReport).toContain(nvr.serial)

  // 3. The My2N move on the second ticket.
  const d = bench.intercom(0)
  const t2 = (await api(host, 'tickets.create', { customerName: MOVE_CUSTOMER, externalRef: 'ZD-7102', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move' })).id as number
  await page.goto(`${host.origin}/#/tickets/${t2}`)
  // An edit lists only what changed, with the old and new value.
  await api(host, 'tickets.update', { id: t2, patch: { customerName: MOVE_CUSTOMER, externalRef: 'ZD-7102', contact: '+420 603 111 222', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move', notes: '' } })
  await expect(audit.getByTestId('edit-contact')).toContainText('Contact (e-mail or phone):')
  await expect(audit.getByTestId('edit-contact').locator('del')).toHaveText('(empty)')
  await expect(audit.getByTestId('edit-contact').locator('ins')).toHaveText('+420 603 111 222')
  await expect(audit.getByTestId('edit-diff').first().locator('li')).toHaveCount(1)
  await expect(page.getByTestId('ticket-status')).toHaveText('Open')
  await page.getByTestId('workflow-start-my2n-move').click()
  await expect(entry(page, 'serial')).toHaveAttribute('data-state', 'current', { timeout: 45_000 })
  await current(page).getByTestId('wf-input-foundAt').selectOption('label')
  await current(page).getByTestId('wf-outcome-ok').click()
  const beforeBench = await newestSeq(page)
  await runStep(page, 'bench', { host: d.ip })
  await expect(entry(page, 'bench')).toContainText('Device reports the same serial', { timeout: 45_000 })
  // Live: the step's entry is on the audit card without a reload.
  await expect.poll(() => newestSeq(page), { timeout: 30_000 }).toBeGreaterThan(beforeBench)
  await expect(audit).toContainText('workflow.step.bench')
  // The site comes from the account's list (one site: filled in); the address the lab
  // printed (no /api/v1) works as it is.
  await expect(entry(page, 'my2n-check')).toHaveAttribute('data-state', 'current', { timeout: 45_000 })
  await expect(current(page).getByTestId('wf-my2n-sites')).toContainText(`${bench.my2n.siteId} (New site)`)
  await expect(current(page).getByTestId('wf-input-site')).toHaveValue(bench.my2n.siteId)
  await shot(page, 'move-site', 'wf-current')
  await runStep(page, 'my2n-check', { certificateCode: d.my2nCode })
  await expect(entry(page, 'close-out')).toHaveAttribute('data-state', 'current', { timeout: 45_000 })
  expect(bench.my2nCloud.ownerOf(d.serial)).toBe(bench.my2n.companyId)
  await expect(audit).toContainText('workflow.step.my2n-check')
  await current(page).getByTestId('wf-input-customerInformed').check()
  await current(page).getByTestId('wf-outcome-ok').click()
  await expect(page.getByTestId('workflow-status')).toHaveText('Completed', { timeout: 45_000 })
  await expect(page.getByTestId('resolve-prompt')).toContainText('The procedure is complete. Resolve the ticket?')
  await page.getByTestId('resolve-now').click()
  await expect(page.getByTestId('ticket-status')).toHaveText('Resolved')
  await expect(page.getByTestId('set-status-resolved')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('resolve-prompt')).toHaveCount(0)
  expect(await statusChanges(host, t2)).toEqual(['open→resolved'])
  await shot(page, 'move-done', 'ticket-audit')
  await shot(page, 'move-resolved', 'ticket-title')
  const moveReport = await pdfText(page, dir, 'move')
  expect(moveReport).toContain(MOVE_CUSTOMER)
  expect(moveReport).toContain(AGENT)
  expect(moveReport).toContain(d.serial)

  // 4. Search finds both by a piece of what the agent has: the end of a serial, a phone.
  await page.goto(`${host.origin}/#/tickets`)
  await page.getByTestId('filter-all').click()
  // Both resolved, the latest activity first.
  const rows = page.getByTestId('ticket-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText(MOVE_CUSTOMER)
  await expect(rows.nth(1)).toContainText(NVR_CUSTOMER)
  for (const i of [0, 1]) await expect(rows.nth(i)).toContainText('Resolved')
  await shot(page, 'ticket-list', 'ticket-table')
  const search = page.getByTestId('ticket-search')
  await search.fill(nvr.serial.slice(-5))
  await expect(page.getByTestId('ticket-row')).toHaveCount(1)
  await expect(page.getByTestId('ticket-row')).toContainText(NVR_CUSTOMER)
  await search.fill('111 222')
  await expect(page.getByTestId('ticket-row')).toHaveCount(1)
  await expect(page.getByTestId('ticket-row')).toContainText(MOVE_CUSTOMER)
})

test('a procedure that does not fit the device is flagged before it starts', async ({ page }) => {
  host = await startConsole()
  await api(host, 'system.setAgent', { name: 'Eva Dvořáková' })
  const t = (await api(host, 'tickets.create', { customerName: 'Zofia Wójcik', deviceSerial: '21023582TYPDUZDHY31F', deviceModel: '2MN-8016', procedure: 'my2n-move' })).id as number
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/tickets/${t}`)
  await expect(page.getByTestId('workflow-misfit')).toContainText('21023582TYPDUZDHY31F looks like an NVR, not a 2N intercom')
  await shot(page, 'misfit', 'workflow')
  // Fixed in the ticket: the warning goes.
  await api(host, 'tickets.update', { id: t, patch: { procedure: 'nvr-password-reset' } })
  await page.reload()
  await expect(page.getByTestId('reset-panel')).toBeVisible()
  await expect(page.getByTestId('workflow-misfit')).toHaveCount(0)
  // The edit's entry names the one field changed, with both values.
  const edit = page.getByTestId('ticket-audit').getByTestId('edit-diff').first()
  await expect(edit.locator('li')).toHaveCount(1)
  await expect(edit.getByTestId('edit-procedure').locator('del')).toHaveText('my2n-move')
  await expect(edit.getByTestId('edit-procedure').locator('ins')).toHaveText('nvr-password-reset')
  await shot(page, 'edit-diff', 'ticket-audit')
})
