// Shared set-up of the NVR reset e2e specs: a lab bench with one simulated 2MN NVR on
// 127.0.6.x, the console as a child process, a ticket, and helpers to hand files to the page
// the ways an agent does (drop, paste, picker).
import { expect, type Page } from '@playwright/test'
import { startBench, type Bench } from '../lab/bench'
import { exifUtc, phonePhoto } from '../electron/features/nvr-reset/testing/phone-photo'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

export interface World {
  bench: Bench
  host: ConsoleProcess
  ticketId: number
  address: string
  oldPassword: string
}

export async function api(h: ConsoleProcess, method: string, input: unknown) {
  const res = await fetch(`${h.origin}/api/rpc/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` }, body: JSON.stringify(input) })
  const body = (await res.json()) as { ok: boolean; value: never; error?: unknown }
  if (!body.ok) throw new Error(JSON.stringify(body.error))
  return body.value as Record<string, unknown>
}

export async function setup(page: Page, seed: string, o: { labViaApi?: boolean } = {}): Promise<World> {
  const bench = await startBench({ intercoms: 0, nvrs: 1, seed, hostBase: '127.0.6.', firstHost: 10, portMode: 'ephemeral', discovery: false })
  let host: ConsoleProcess
  try {
    host = await startConsole({ dataDir: newDataDir() })
  } catch (e) {
    await bench.stop()
    throw e
  }
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  if (o.labViaApi ?? true) await api(host, 'nvrReset.settings.set', { lab: { url: bench.vendor.url, apiKey: bench.vendor.apiKey } })
  const nvr = bench.nvr(0)
  const ticket = await api(host, 'tickets.create', { customerName: 'Jan Novák', externalRef: 'ZD-6006', deviceSerial: nvr.serial, deviceModel: nvr.model, procedure: 'nvr-password-reset' })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(host.url)
  await expect(page).not.toHaveURL(/token=/)
  return { bench, host, ticketId: ticket.id as number, address: `${nvr.ip}:${nvr.info().httpPort}`, oldPassword: nvr.info().credentials.password }
}

export async function openTicket(page: Page, w: World) {
  await page.goto(`${w.host.origin}/#/tickets/${w.ticketId}`)
  await expect(page.getByTestId('reset-panel')).toBeVisible()
}

/** What the customer sends: the NVR screen photographed with a phone. */
export async function customerPhoto(w: World, o: { minutesAgo?: number } = {}): Promise<Buffer> {
  const png = await w.bench.nvr(0).screenPng()
  if (!png) throw new Error('the Retrieve Password screen is not open')
  return phonePhoto(png, { captured: { local: exifUtc(Date.now() - (o.minutesAgo ?? 2) * 60_000), offset: '+00:00' } })
}

const fileExpr = (b64: string, name: string, type: string) =>
  `(() => { const bin = atob(${JSON.stringify(b64)}); const a = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i); const dt = new DataTransfer(); dt.items.add(new File([a], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} })); return dt })()`

/** Drag and drop onto the ticket page, as from the desktop. */
export async function dropFile(page: Page, data: Buffer, name: string, type = 'image/jpeg') {
  const dt = await page.evaluateHandle(fileExpr(data.toString('base64'), name, type))
  const target = page.getByTestId('ticket-title')
  await target.dispatchEvent('dragenter', { dataTransfer: dt })
  await expect(page.getByTestId('drop-overlay')).toBeVisible()
  await target.dispatchEvent('dragover', { dataTransfer: dt })
  await target.dispatchEvent('drop', { dataTransfer: dt })
}

/** Ctrl+V of an image copied from a chat or mail client. */
export async function pasteFile(page: Page, data: Buffer, name: string, type = 'image/png') {
  await page.evaluate(`(() => { const dt = ${fileExpr(data.toString('base64'), name, type)}; document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true })) })()`)
}

export async function shots(page: Page, name: string, testId = 'reset-panel') {
  await page.getByTestId(testId).first().scrollIntoViewIfNeeded().catch(() => undefined)
  for (const theme of ['light', 'dark']) {
    await page.evaluate(`document.documentElement.dataset.theme = '${theme}'`)
    await page.screenshot({ path: `/tmp/shots/nvr-reset-${name}-${theme}.png` })
  }
  await page.evaluate(`document.documentElement.dataset.theme = 'light'`)
}

export async function passOwnership(page: Page, label: Buffer) {
  const labelRow = page.getByTestId('check-label-photo')
  await labelRow.getByTestId('check-note').fill('Serial on the label matches the QR')
  await labelRow.getByTestId('check-file').setInputFiles({ name: 'label.jpg', mimeType: 'image/jpeg', buffer: label })
  await labelRow.getByTestId('check-pass').click()
  await expect(labelRow.getByTestId('check-state')).toContainText('passed')
  const docRow = page.getByTestId('check-ownership-document')
  await docRow.getByTestId('check-note').fill('Invoice 2024-118 from Alarmtech s.r.o.')
  await docRow.getByTestId('check-file').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% invoice 2024-118\n') })
  await docRow.getByTestId('check-pass').click()
  await expect(docRow.getByTestId('check-state')).toContainText('passed')
  const ownerRow = page.getByTestId('check-requester-is-owner')
  await ownerRow.getByTestId('check-note').fill('Jan Novák is the registered owner (distributor record 5531)')
  await ownerRow.getByTestId('check-pass').click()
  await expect(ownerRow.getByTestId('check-state')).toContainText('passed')
}
