// Both procedures end to end with the browser in Czech (the console follows the OS language):
// every screen is photographed for review (test-results/czech-screens/*.png), each procedure
// step shows its instructions in Czech, an error raised in the main process is shown in Czech
// while the log keeps it in English (a refused time zone and a failing reset-code provider), the customer message is written in German for this
// ticket while the UI stays Czech (stored with the ticket), the PDF report is exported in
// Czech, the language can be changed in Settings and stays changed, and the diagnostics zip
// is exported from Settings.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import sharp from 'sharp'
import { startBench, type Bench } from '../lab/bench'
import { api as hostApi, customerPhoto, dropFile, openTicket, setup, type World } from './nvr-reset-support'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

test.use({ locale: 'cs-CZ' })
/** Every screen, for a person to look at (cut or overflowing text). */
const SHOTS = join(import.meta.dirname, '..', 'test-results', 'czech-screens')

let world: World | null = null
let host: ConsoleProcess | null = null
let bench: Bench | null = null
test.afterEach(async () => {
  await world?.host.stop().catch(() => undefined)
  await world?.bench.stop()
  await host?.stop().catch(() => undefined)
  await bench?.stop()
  world = null
  host = bench = null
})

async function shot(page: Page, name: string, testId?: string) {
  if (testId) await page.getByTestId(testId).first().scrollIntoViewIfNeeded().catch(() => undefined)
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

test('NVR reset in Czech: screens, a main-process error in Czech (English in the log), German customer message, language setting, diagnostics zip', async ({ page }) => {
  // Each language's texts are a chunk of their own, loaded only when it is the language.
  const languages: string[] = []
  page.on('request', (r) => {
    const m = /bundle-(cs|de)-/.exec(r.url())
    if (m) languages.push(m[1]!)
  })
  const w = (world = await setup(page, 'e2e-czech-reset'))
  await expect(page.locator('html')).toHaveAttribute('lang', 'cs')
  expect(languages).toEqual(['cs'])
  await expect(page.getByTestId('new-ticket')).toContainText('Nový tiket')
  await shot(page, '01-tickets')

  w.bench.nvr(0).openRetrievePassword()
  await openTicket(page, w)
  await expect(page.getByTestId('reset-stage')).toHaveText('Čeká se na fotku QR kódu')
  await shot(page, '02-ticket-empty')

  await dropFile(page, await customerPhoto(w), 'IMG_4711.jpg')
  await expect(page.getByTestId('qr-outline')).toHaveCount(1)
  await expect(page.getByTestId('validity-state')).toHaveText('Platný')
  await expect(page.getByTestId('countdown-left')).toContainText(/zbývá 2[34] h/)
  await expect(page.getByTestId('reset-stage')).toHaveText('Ověření vlastnictví')
  await shot(page, '04-decoded', 'qr-photo')

  // A time zone the main process refuses: the agent reads Czech, the log keeps English.
  const tz = page.getByTestId('customer-tz')
  await tz.fill('Mars/Olympus')
  await tz.press('Enter')
  await expect(page.getByTestId('toast').last()).toContainText('„Mars/Olympus“ není časové pásmo')
  await shot(page, '03-error-czech')
  const log = readFileSync(join(w.host.dataDir, 'logs', 'support-console.log'), 'utf8')
  expect(log).toMatch(/"level":"warn".*"method":"nvrReset.update".*"key":"nvrReset.badZone".*"msg":"\\"Mars\/Olympus\\" is not a time zone/)
  await tz.fill('Europe/Prague')
  await tz.press('Enter')

  const label = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer()
  const rows: [string, string, Buffer | null][] = [
    ['label-photo', 'Sériové číslo na štítku odpovídá QR kódu', label],
    ['ownership-document', 'Faktura 2024-118 od Alarmtech s.r.o.', Buffer.from('%PDF-1.4\n% faktura\n')],
    ['requester-is-owner', 'Jan Novák je registrovaný vlastník (záznam distributora 5531)', null],
  ]
  for (const [kind, note, file] of rows) {
    const row = page.getByTestId(`check-${kind}`)
    await row.getByTestId('check-note').fill(note)
    if (file) await row.getByTestId('check-file').setInputFiles({ name: kind === 'label-photo' ? 'stitek.jpg' : 'faktura.pdf', mimeType: kind === 'label-photo' ? 'image/jpeg' : 'application/pdf', buffer: file })
    await row.getByTestId('check-pass').click()
    await expect(row.getByTestId('check-state')).toContainText('splněno')
  }
  await expect(page.getByTestId('reset-stage')).toHaveText('Získání bezpečnostního kódu')
  await shot(page, '05-ownership', 'ownership')

  // A reset-code provider failing in the main process (issue 17: every AppError has a key): the
  // agent reads Czech, with the Czech hint; the log keeps the English message and the key.
  await page.getByTestId('code-provider').selectOption('http')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('toast').last()).toContainText('Není nastavené žádné API výrobce.')
  await expect(page.getByTestId('toast').last()).toContainText('nebo zadejte kód ručně')
  await shot(page, '05b-provider-error-czech')
  await expect
    .poll(() => readFileSync(join(w.host.dataDir, 'logs', 'support-console.log'), 'utf8'))
    .toMatch(/"method":"nvrReset.requestCode".*"key":"resetCodes.httpNotConfigured".*"msg":"No vendor API is configured\."/)

  await page.getByTestId('code-provider').selectOption('lab')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('připraven')
  await page.getByTestId('code-reveal').click()
  const code = (await page.getByTestId('code-value').innerText()).replace(/\s/g, '')
  await expect(page.getByTestId('code-spelled')).toContainText(/(velké|malé|číslice) /)
  // This customer is written to in German, whatever the agent's UI language; the choice stays with the ticket.
  await page.getByTestId('message-lang').selectOption('de')
  await page.getByTestId('make-message').click()
  await expect(page.getByTestId('code-message')).toContainText(code)
  await expect(page.getByTestId('code-message')).toContainText('Verlassen Sie den Bildschirm „Retrieve Password“ NICHT')
  await shot(page, '06-code-german-message', 'security-code')
  await page.reload()
  await expect(page.getByTestId('message-lang')).toHaveValue('de')
  expect(await hostApi(w.host, 'tickets.get', { id: w.ticketId })).toMatchObject({ customerLang: 'de' })
  // The procedure's timeline says what it waits for in Czech.
  await expect(page.getByTestId('wf-why-verify')).toContainText('Čeká se na ověření nového hesla: v laboratoři')
  await expect(page.getByTestId('wf-current')).toContainText('V laboratoři panel resetu nastaví nové heslo')
  await expect(page.getByTestId('workflow-procedure-title')).toHaveText('Reset hesla NVR z fotky QR kódu (možnost 2)')
  await shot(page, '06b-workflow-waiting', 'wf-current')

  await page.getByTestId('apply-address').fill(w.address)
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await page.getByTestId('apply-old').fill(w.oldPassword)
  await page.getByTestId('apply-run').click()
  await expect(page.getByTestId('apply-result')).toHaveAttribute('data-outcome', 'verified')
  await expect(page.getByTestId('reset-stage')).toHaveText('Reset ověřen')
  await shot(page, '07-verified', 'apply')
  await shot(page, '07b-workflow-done', 'workflow-status')

  // The PDF report in the agent's language.
  const pdfDownload = page.waitForEvent('download')
  await page.getByTestId('export-pdf').click()
  const pdf = readFileSync((await (await pdfDownload).path())!)
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
  const pdfText = execFileSync('pdftotext', [(await (await pdfDownload).path())!, '-'], { encoding: 'utf8' })
  for (const words of ['Zákazník', 'Postup a výsledek', 'Reset hesla NVR z fotky QR kódu', 'Vydané kódy a hesla', 'Časová osa']) expect(pdfText).toContain(words)
  expect(await hostApi(w.host, 'audit.list', { ticketId: w.ticketId, action: 'report.export', limit: 1 })).toMatchObject({ items: [{ inputs: { format: 'pdf', lang: 'cs' } }] })

  await page.goto(`${w.host.origin}/#/audit`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Auditní záznam')
  await shot(page, '08-audit')
  await page.goto(`${w.host.origin}/#/devices`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Zařízení')
  await shot(page, '09-devices')

  // Settings: the diagnostics zip, then German as the chosen language (kept across a reload).
  await page.goto(`${w.host.origin}/#/settings`)
  await expect(page.getByTestId('language-settings')).toContainText('Podle operačního systému (Čeština)')
  await shot(page, '10-settings')
  const download = page.waitForEvent('download')
  await page.getByTestId('diagnostics-export').click()
  const zip = await download
  expect(zip.suggestedFilename()).toMatch(/^support-console-diagnostics-.*\.zip$/)
  const bytes = readFileSync((await zip.path())!)
  expect(bytes.subarray(0, 4).toString('hex')).toBe('504b0304')
  expect(bytes.includes(Buffer.from('versions.json'))).toBe(true)
  expect(bytes.includes(Buffer.from(code))).toBe(false)
  expect(bytes.includes(Buffer.from('N3w-Passw0rd!'))).toBe(false)
  await expect(page.getByTestId('toast').last()).toContainText('Uloženo support-console-diagnostics-')
  await page.getByTestId('locale-select').selectOption('de')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Einstellungen')
  expect(languages).toContain('de')
  await page.reload()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Einstellungen')
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await shot(page, '11-settings-german')
})

test('My2N move in Czech: every step screen', async ({ page }) => {
  bench = await startBench({ intercoms: 1, nvrs: 0, seed: 'e2e-czech-move', hostBase: '127.0.9.', firstHost: 40, discovery: false, timing: { rebootMs: 500, applyDelayMs: 500 } })
  host = await startConsole({ dataDir: newDataDir(), env: { SUPPORT_CONSOLE_MY2N_URL: `${bench.my2n.url}/api/v1`, SUPPORT_CONSOLE_MY2N_KEY: bench.my2n.apiKey, SUPPORT_CONSOLE_REDISCOVER_MS: '30000' } })
  const api = async (method: string, input: unknown) => {
    const res = await fetch(`${host!.origin}/api/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host!.token}` }, body: JSON.stringify(input) })
    return ((await res.json()) as { value: Record<string, unknown> }).value
  }
  await api('system.setAgent', { name: 'Eva Agentová', email: 'eva@example.com' })
  const d = bench.intercom(0)
  const ticket = await api('tickets.create', { customerName: 'Nováková s.r.o.', externalRef: 'ZD-5001', deviceSerial: d.serial, deviceModel: d.model, procedure: 'my2n-move' })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await page.goto(`${host.origin}/#/tickets/${ticket.id}`)
  d.alreadyInMy2nAccount()
  await expect(page.getByTestId('workflow-start-my2n-move')).toHaveText('Spustit')
  await shot(page, 'm01-start')

  const current = page.getByTestId('wf-current')
  const entry = (step: string) => page.locator(`[data-testid="wf-entry-${step}"]:not([data-state="pending"])`).last()
  const ready = async (step: string) => {
    await expect(entry(step)).toHaveAttribute('data-state', /^(current|blocked)$/, { timeout: 45_000 })
    await expect(entry(step).getByTestId('wf-running')).toHaveCount(0, { timeout: 45_000 })
  }
  const run = async (step: string, values: Record<string, string> = {}) => {
    await ready(step)
    for (const [k, v] of Object.entries(values)) {
      const el = current.getByTestId(`wf-input-${k}`)
      if ((await el.evaluate((x) => x.tagName)) === 'SELECT') await el.selectOption(v)
      else await el.fill(v)
    }
    await current.getByTestId('wf-run').click()
  }
  const confirm = async (step: string) => {
    await run(step)
    await expect(page.getByTestId('wf-confirm-dialog')).toBeVisible()
    await expect(page.getByTestId('wf-confirm-dialog')).toContainText('napište sériové číslo')
    await shot(page, `m-confirm-${step}`)
    await page.keyboard.type(d.serial)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('wf-confirm-dialog')).toBeHidden()
  }

  await page.getByTestId('workflow-start-my2n-move').click()
  await ready('serial')
  await expect(current).toContainText('Zeptejte se zákazníka na sériové číslo zařízení')
  await current.getByTestId('wf-input-foundAt').selectOption('label')
  await shot(page, 'm02-serial', 'wf-current')
  await current.getByTestId('wf-outcome-ok').click()
  await ready('bench')
  await expect(current).toContainText(`porovná ho s ${d.serial}`)
  await shot(page, 'm02b-bench', 'wf-current')
  await run('bench', { host: d.ip })
  await ready('my2n-check')
  await shot(page, 'm02c-my2n-check', 'wf-current')
  await run('my2n-check', { site: bench.my2n.siteId, certificateCode: d.my2nCode })
  await ready('already-added')
  await shot(page, 'm03-already-added', 'wf-current')
  await current.getByTestId('wf-outcome-new-code').click()
  await ready('new-code')
  await current.getByTestId('wf-input-securityCode').fill(d.generateMy2nCode())
  await current.getByTestId('wf-input-oldCodeInvalid').check()
  await shot(page, 'm04-new-code', 'wf-current')
  await current.getByTestId('wf-outcome-ok').click()
  await ready('backup')
  await expect(current).toContainText('Konzole pak zálohu uloží zašifrovanou tímto heslem')
  await shot(page, 'm04b-backup', 'wf-current')
  const c = d.info().credentials
  await run('backup', { username: c.username, devicePassword: c.password })
  await ready('reset')
  await shot(page, 'm05-reset', 'wf-current')
  await confirm('reset')
  await ready('password')
  await shot(page, 'm05b-password', 'wf-current')
  await run('password')
  await expect(page.getByTestId('wf-reveal')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('wf-reveal')).toContainText('Zobrazí se jednou a uchová se jen šifrovaně')
  await expect(page.getByTestId('wf-reveal')).toContainText('Nové heslo admina zařízení')
  await shot(page, 'm06-reveal')
  await page.getByTestId('wf-reveal-done').click()
  await ready('register')
  await expect(current).toContainText('Automatické zřizování My2N může přepsat obnovená nastavení')
  await shot(page, 'm06b-register', 'wf-current')
  await run('register', { site: bench.my2n.siteId })
  await ready('restore-offer')
  await shot(page, 'm07-restore-offer', 'wf-current')
  await current.getByTestId('wf-outcome-review').click()
  await ready('restore-review')
  await shot(page, 'm07b-restore-review', 'wf-current')
  await run('restore-review')
  await ready('restore')
  await entry('restore-review').locator('summary').click()
  await shot(page, 'm08-restore-diff', 'wf-current')
  await confirm('restore')
  await ready('close-out')
  await expect(current).toContainText('Řekněte zákazníkovi')
  await current.getByTestId('wf-input-customerInformed').check()
  await shot(page, 'm08b-close-out', 'wf-current')
  await current.getByTestId('wf-outcome-ok').click()
  await expect(page.getByTestId('workflow-status')).toHaveText('Dokončeno')
  await expect(page.getByTestId('workflow-completed')).toContainText('Postup dokončen.')
  await shot(page, 'm09-completed')
})
