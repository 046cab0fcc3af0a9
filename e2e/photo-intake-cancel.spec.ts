// A long photo intake can be cancelled from the ticket (issue 13, finding 12): the customer's
// .eml holds several big photos; the agent presses Cancel in the intake progress and sees plainly
// what was not taken in.
import { expect, test } from '@playwright/test'
import sharp from 'sharp'
import { api } from './nvr-reset-support'
import { startConsole, type ConsoleProcess } from './support'

let host: ConsoleProcess | null = null
test.afterEach(async () => {
  await host?.stop()
  host = null
})

/** An .eml of `n` distinct 36-megapixel solid-colour PNGs: seconds of decoding each. */
async function bigEml(n: number): Promise<Buffer> {
  const parts: string[] = []
  for (let i = 0; i < n; i++) {
    const png = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: { r: 240, g: 240, b: 240 - i } } }).png({ compressionLevel: 9 }).toBuffer()
    parts.push(['--b', `Content-Type: image/png; name="screen-${i + 1}.png"`, 'Content-Transfer-Encoding: base64', '', png.toString('base64').replace(/.{76}/g, '$&\r\n'), ''].join('\r\n'))
  }
  return Buffer.from(['From: customer@example.com', 'Subject: photos', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b', '', ...parts, '--b--', ''].join('\r\n'))
}

test('the agent cancels a long .eml intake and sees what was not taken in', async ({ page }) => {
  host = await startConsole()
  await api(host, 'system.setAgent', { name: 'Eva Agent', email: 'eva@example.com' })
  const ticket = await api(host, 'tickets.create', { customerName: 'Big Photos Ltd', procedure: 'nvr-password-reset' })
  const eml = await bigEml(6)
  await page.goto(host.url)
  await expect(page).not.toHaveURL(/token=/)
  await page.goto(`${host.origin}/#/tickets/${ticket.id as number}`)
  await expect(page.getByTestId('reset-panel')).toBeVisible()
  await page.getByTestId('photo-input').setInputFiles({ name: 'photos.eml', mimeType: 'message/rfc822', buffer: eml })
  const cancel = page.getByTestId('intake-cancel')
  await expect(cancel).toBeVisible()
  await page.screenshot({ path: 'test-results/screens/intake-cancel-busy.png' })
  await cancel.click()
  await expect(page.getByTestId('intake-busy')).toBeHidden({ timeout: 10_000 })
  await expect(page.getByTestId('intake-cancelled')).toContainText(/Intake cancelled: \d photos? (was|were) not taken in/)
  const results = page.getByTestId('intake-result')
  await expect(results).toHaveCount(6)
  await expect(results.last()).toContainText('Cancelled')
  await expect(results.last()).toContainText('the agent cancelled the intake before this photo was decoded')
  await page.getByTestId('intake-results').scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/screens/intake-cancelled.png' })
})
