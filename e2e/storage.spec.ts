// The data folder stops taking new files while the console runs (issue 13, finding 11): the
// ticket change still lands in the open database, but the audit head file cannot be replaced.
// The agent sees a banner naming the problem and what to do until a write works again.
import { execFileSync } from 'node:child_process'
import { chmodSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

const isRoot = process.getuid?.() === 0
let host: ConsoleProcess | null = null
let unlock: (() => void) | null = null
test.afterEach(async () => {
  unlock?.()
  unlock = null
  await host?.stop()
  host = null
})

/** As root (which ignores permission bits) the folder is made immutable; as a user, read-only. */
function lockFolder(dir: string): void {
  if (isRoot) execFileSync('chattr', ['+i', dir])
  else chmodSync(dir, 0o500)
  unlock = () => (isRoot ? execFileSync('chattr', ['-i', dir]) : chmodSync(dir, 0o700))
}

test('a data folder that stops taking writes mid-run shows a banner until it is writable again', async ({ page }) => {
  const dataDir = newDataDir()
  host = await startConsole({ dataDir })
  await page.goto(host.url)
  await page.getByRole('link', { name: 'Set your name' }).click()
  await page.locator('[name=agentName]').fill('Eva Agent')
  await page.getByTestId('agent-save').click()
  await expect(page.getByTestId('agent-banner')).toBeHidden()
  await expect(page.getByTestId('storage-banner')).toBeHidden()

  lockFolder(dataDir)
  await page.getByRole('link', { name: 'Tickets' }).click()
  await page.keyboard.press('n')
  await page.getByTestId('ticket-form').locator('[name=customerName]').fill('Locked Folder Ltd')
  await page.getByTestId('ticket-form').locator('[name=customerName]').press('Enter')
  await expect(page.getByTestId('ticket-title')).toContainText('Locked Folder Ltd')

  const banner = page.getByTestId('storage-banner')
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('Changes may not be saved')
  await expect(page.getByTestId('storage-message')).toContainText(`The data folder ${dataDir} cannot be written`)
  await expect(page.getByTestId('storage-hint')).toContainText(isRoot ? `chattr -i ${dataDir}` : 'Make the folder writable again')
  await page.screenshot({ path: 'test-results/screens/storage-banner.png' })
  // It stays: a reload asks the host, which still knows.
  await page.reload()
  await expect(page.getByTestId('storage-banner')).toBeVisible()

  unlock!()
  unlock = null
  // The head write is retried on its own; the first one that works clears the banner.
  await expect(page.getByTestId('storage-banner')).toBeHidden({ timeout: 10_000 })
  expect(host.output()).not.toMatch(/Unexpected error/)
})
