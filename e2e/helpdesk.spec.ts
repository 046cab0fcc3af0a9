// The helpdesk as the system of record, end to end in Chromium against a real Request
// Tracker: connect RT in Settings, pick the customer's RT ticket from the list of open RT
// tickets with the keyboard (a resolved one is not offered, a linked one is marked), run the NVR
// reset from the photo pulled from RT; when it is verified the report lands in RT (an internal
// comment with the PDF and the bundle) and the public reply after the preview is confirmed.
import { expect, test, type Page } from '@playwright/test'
import sharp from 'sharp'
import { startBench, type Bench } from '../lab/bench'
import { RtInstance } from '../lab/helpdesk/rt'
import { exifUtc, phonePhoto } from '../electron/features/nvr-reset/testing/phone-photo'
import { api, passOwnership } from './nvr-reset-support'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

let rt: RtInstance | null = null
let bench: Bench | null = null
let host: ConsoleProcess | null = null
test.afterEach(async () => {
  await host?.stop().catch(() => undefined)
  await bench?.stop()
  await rt?.close()
  rt = bench = host = null
})

async function shots(page: Page, name: string, testId: string) {
  await page.getByTestId(testId).first().scrollIntoViewIfNeeded().catch(() => undefined)
  for (const theme of ['light', 'dark']) {
    await page.evaluate(`document.documentElement.dataset.theme = '${theme}'`)
    await page.screenshot({ path: `/tmp/shots/helpdesk-${name}-${theme}.png` })
  }
  await page.evaluate(`document.documentElement.dataset.theme = 'light'`)
}

test('pick an RT ticket from the open list, reset the NVR from the photo pulled from RT, see the report land in RT', async ({ page }) => {
  test.setTimeout(240_000)
  rt = await RtInstance.create()
  bench = await startBench({ intercoms: 0, nvrs: 1, seed: 'e2e-helpdesk', hostBase: '127.0.6.', firstHost: 40, portMode: 'ephemeral', discovery: false })
  host = await startConsole({ dataDir: newDataDir() })
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  await api(host, 'nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
  const nvr = bench.nvr(0)
  nvr.openRetrievePassword()
  const photo = await phonePhoto((await nvr.screenPng())!, { captured: { local: exifUtc(Date.now() - 120_000), offset: '+00:00' } })
  const remoteId = await rt.createTicket({
    subject: 'Reset hesla NVR',
    requester: { email: 'zdenek@example.cz', realName: 'Zdeněk Řehoř', phone: '+420 602 000 111' },
    content: 'Dobrý den, v příloze fotka QR kódu.',
    files: [{ name: 'IMG_0815.jpg', mime: 'image/jpeg', data: photo }],
  })
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(host.url)
  await expect(page).not.toHaveURL(/token=/)

  // Settings → Helpdesk: RT with its auth token (checked, then stored sealed).
  await page.goto(`${host.origin}/#/settings`)
  await page.getByTestId('helpdesk-provider').selectOption('rt')
  await page.getByTestId('helpdesk-url').fill(rt.url)
  await page.getByTestId('helpdesk-token').fill(rt.token)
  await page.getByTestId('helpdesk-save').click()
  await expect(page.getByTestId('helpdesk-configured')).toContainText(rt.url)
  await expect(page.getByTestId('helpdesk-token')).toHaveValue('')
  await shots(page, 'settings', 'helpdesk-settings')

  // Other RT tickets: one already linked to a console ticket, one resolved, and a newer open one.
  const requester = { email: 'alena@example.cz', realName: 'Alena Veselá' }
  const linked = await rt.createTicket({ subject: 'Starší tiket, už propojený', requester, content: 'x', files: [] })
  await api(host, 'helpdesk.import', { ref: linked })
  const resolved = await rt.createTicket({ subject: 'Vyřešený tiket', requester, content: 'x', files: [] })
  await rt.api(`ticket/${resolved}`, { method: 'PUT', body: { Status: 'resolved' } })
  await new Promise((r) => setTimeout(r, 1100)) // RT's LastUpdated has whole seconds: the next one is newer
  const newer = await rt.createTicket({ subject: 'Nový dotaz na kameru', requester, content: 'x', files: [] })

  // The ticket list: pick the customer's ticket from the open RT tickets with the keyboard.
  await page.goto(`${host.origin}/#/tickets`)
  await page.getByTestId('helpdesk-import').click()
  const list = page.getByTestId('helpdesk-open-list')
  const option = (id: string) => list.getByTestId(`helpdesk-open-rt-${id}`)
  await expect(option(remoteId)).toContainText('Zdeněk Řehoř')
  await expect(option(remoteId)).toContainText('Reset hesla NVR')
  await expect(option(linked)).toContainText(/already linked to ticket #\d+/)
  await expect(option(linked)).toHaveAttribute('aria-disabled', 'true')
  await expect(option(resolved)).toHaveCount(0)
  // Newest update first: the newer ticket is selected; the arrow moves past the linked one to ours.
  await expect(option(newer)).toHaveAttribute('aria-selected', 'true')
  await page.getByTestId('helpdesk-ref').press('ArrowDown') // from the paste field into the list
  await expect(list).toBeFocused()
  await list.press('ArrowDown')
  await expect(option(remoteId)).toHaveAttribute('aria-selected', 'true')
  await list.press('ArrowUp')
  await expect(option(newer)).toHaveAttribute('aria-selected', 'true')
  await list.press('ArrowDown')
  await shots(page, 'pick', 'helpdesk-open-list')
  await list.press('Enter')
  // Fetching the ticket and decoding its photo can take a while on a loaded machine (progress is shown).
  await expect(page.getByTestId('ticket-title')).toContainText('Zdeněk Řehoř', { timeout: 90_000 })
  const panel = page.getByTestId('helpdesk-panel')
  await expect(panel.getByTestId('helpdesk-open')).toHaveAttribute('href', `${rt.url}/Ticket/Display.html?id=${remoteId}`)
  await expect(panel.getByTestId('helpdesk-requester')).toContainText('Zdeněk Řehoř · zdenek@example.cz · +420 602 000 111')
  // The photo came from RT into the Option 2 intake by itself (an NVR reset ticket).
  await expect(panel.getByTestId('helpdesk-attachment')).toContainText(/IMG_0815\.jpg.*in evidence #\d+/)
  await expect(page.getByTestId('payload-serial')).toContainText(nvr.serial)
  await expect(page.getByTestId('validity-state')).toHaveText('Valid')
  await shots(page, 'imported', 'helpdesk-panel')

  // The reset, as in nvr-reset.spec.ts.
  const label = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ddd' } }).jpeg().toBuffer()
  await passOwnership(page, label)
  await page.getByTestId('code-provider').selectOption('lab')
  await page.getByTestId('request-code').click()
  await expect(page.getByTestId('code-status')).toHaveText('ready')
  await page.getByTestId('apply-address').fill(`${nvr.ip}:${nvr.info().httpPort}`)
  await page.getByTestId('apply-new').fill('N3w-Passw0rd!')
  await page.getByTestId('apply-old').fill(nvr.info().credentials.password)
  await page.getByTestId('apply-run').click()
  await expect(page.getByTestId('apply-result')).toHaveAttribute('data-outcome', 'verified')

  // The reset is verified: the report goes to RT by itself (queued, sent by the outbox) as one internal comment.
  await expect(panel.getByTestId('helpdesk-outbox-item')).toHaveCount(1, { timeout: 30_000 })
  await expect(panel.getByTestId('helpdesk-outbox-item').first()).toHaveAttribute('data-status', 'sent', { timeout: 60_000 })
  await expect(panel.getByTestId('helpdesk-outbox-item').first()).toContainText('Internal note')
  const comments = (await rt.messages(remoteId)).filter((m) => m.type === 'Comment')
  expect(comments).toHaveLength(1)
  expect(comments[0].files.map((f) => f.name)).toEqual([expect.stringMatching(/\.pdf$/), expect.stringMatching(/\.json$/)])
  const bundle = JSON.parse(comments[0].files[1].data.toString('utf8')) as { chainHead: { hash: string } }
  expect(comments[0].content).toContain(bundle.chainHead.hash)

  // The public reply: the reset message in Czech, previewed, then confirmed.
  await panel.getByTestId('helpdesk-reply').click()
  await page.getByTestId('helpdesk-reply-lang').selectOption('cs')
  await page.getByTestId('helpdesk-reply-from-code').click()
  await expect(page.getByTestId('helpdesk-reply-text')).toHaveValue(/NEOPOUŠTĚJTE/)
  await page.getByTestId('helpdesk-reply-preview').click()
  await expect(page.getByTestId('helpdesk-reply-shown')).toContainText('NEOPOUŠTĚJTE')
  expect((await rt.messages(remoteId)).filter((m) => m.type === 'Correspond')).toHaveLength(0)
  await shots(page, 'reply-preview', 'helpdesk-reply-shown')
  await page.getByTestId('helpdesk-reply-confirm').click()
  await expect(panel.getByTestId('helpdesk-outbox-item')).toHaveCount(2)
  await expect(panel.getByTestId('helpdesk-outbox-item').nth(1)).toHaveAttribute('data-status', 'sent', { timeout: 60_000 })
  const replies = (await rt.messages(remoteId)).filter((m) => m.type === 'Correspond')
  expect(replies).toHaveLength(1)
  expect(replies[0].content).toContain('NEOPOUŠTĚJTE')
  await shots(page, 'sent', 'helpdesk-panel')
})
