import { expect, test, type Page } from '@playwright/test'
import { request } from 'node:http'
import { newDataDir, startConsole, type ConsoleProcess } from './support'

let host: ConsoleProcess | null = null
test.afterEach(async () => {
  await host?.stop()
  host = null
})

async function newTicket(page: Page, t: { customer: string; ref: string; serial: string; procedure?: string }) {
  await page.keyboard.press('n')
  const form = page.getByTestId('ticket-form')
  await expect(form).toBeVisible()
  // Typing can start at once: the first field has the focus.
  await expect(form.locator('[name=customerName]')).toBeFocused()
  await form.locator('[name=customerName]').fill(t.customer)
  await form.locator('[name=externalRef]').fill(t.ref)
  await form.locator('[name=deviceSerial]').fill(t.serial)
  if (t.procedure) await form.locator('[name=procedure]').selectOption(t.procedure)
  await form.locator('[name=customerName]').press('Enter')
  await expect(page.getByTestId('ticket-title')).toContainText(t.customer)
}

test('an agent creates, finds and updates tickets, and finds them again after a restart', async ({ page }) => {
  const dataDir = newDataDir()
  host = await startConsole({ dataDir })
  // An English console never loads the Czech or German texts (a third of the renderer).
  const languages: string[] = []
  page.on('request', (r) => /bundle-(cs|de)-/.test(r.url()) && languages.push(r.url()))
  await page.goto(host.url)
  // The token is traded for a session (kept in the tab, never a cookie) and removed from the address bar.
  await expect(page).not.toHaveURL(/token=/)
  await expect(page.getByTestId('agent-banner')).toBeVisible()
  await page.getByRole('link', { name: 'Set your name' }).click()
  await page.locator('[name=agentName]').fill('Eva Agent')
  await page.getByTestId('agent-save').click()
  await expect(page.getByTestId('agent-banner')).toBeHidden()
  await page.getByRole('link', { name: 'Tickets' }).click()
  await expect(page.getByTestId('tickets-empty')).toBeVisible()
  await page.screenshot({ path: 'test-results/screens/tickets-empty.png' })

  await newTicket(page, { customer: 'Jan Novák', ref: 'ZD-48213', serial: '54-0123-4567', procedure: 'my2n-move' })
  await page.keyboard.press('g')
  await page.keyboard.press('t')
  await newTicket(page, { customer: 'Acme Security s.r.o.', ref: 'ZD-48214', serial: '21012345678901234567', procedure: 'nvr-password-reset' })
  // An NVR reset waits on the customer's photo from the start: the status follows the work.
  await expect(page.getByTestId('ticket-status')).toHaveText('Waiting on customer')
  await page.screenshot({ path: 'test-results/screens/ticket.png' })
  await page.goto(`${host.origin}/#/tickets`)
  await newTicket(page, { customer: 'Maria Rossi', ref: 'FD-77', serial: '', procedure: 'other' })

  // Search from anywhere with "/", by diacritic-free prefix and by serial.
  await page.keyboard.press('/')
  await expect(page.getByTestId('ticket-search')).toBeFocused()
  await page.keyboard.type('novak')
  await expect(page.getByTestId('ticket-row')).toHaveCount(1)
  await expect(page.getByTestId('ticket-row')).toContainText('ZD-48213')
  await page.getByTestId('ticket-search').fill('210123')
  await expect(page.getByTestId('ticket-row')).toHaveText([/Acme Security/])
  await page.getByTestId('ticket-search').fill('nobody-here')
  await expect(page.getByTestId('tickets-empty')).toContainText('No ticket matches')
  await page.getByTestId('ticket-search').fill('')
  await expect(page.getByTestId('ticket-row')).toHaveCount(3)
  await page.getByTestId('filter-waiting').click()
  await expect(page.getByTestId('ticket-row')).toHaveText([/Acme Security/])
  await page.getByTestId('filter-active').click()
  await page.screenshot({ path: 'test-results/screens/tickets-list.png' })
  // Keyboard: the list is usable without a mouse.
  await page.getByTestId('ticket-table').focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('ticket-title')).toContainText('Acme Security')

  // T switches the theme, and the choice is kept across a reload.
  const before = await page.evaluate(() => document.documentElement.dataset.theme)
  await page.keyboard.press('t')
  const after = before === 'dark' ? 'light' : 'dark'
  await expect(page.locator('html')).toHaveAttribute('data-theme', after)
  await page.reload()
  await expect(page.locator('html')).toHaveAttribute('data-theme', after)
  if (after === 'light') await page.keyboard.press('t')
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await page.screenshot({ path: 'test-results/screens/ticket-dark.png' })

  // Restart the host on the same data folder: everything is still there.
  await host.stop()
  host = await startConsole({ dataDir })
  await page.goto(host.url)
  await expect(page.getByTestId('ticket-row')).toHaveCount(3)
  await expect(page.getByTestId('agent-banner')).toBeHidden()
  await page.getByTestId('filter-waiting').click()
  await expect(page.getByTestId('ticket-row')).toHaveText([/Acme Security/])
  await page.getByTestId('ticket-search').fill('rossi')
  await page.getByTestId('filter-all').click()
  await expect(page.getByTestId('ticket-row')).toHaveText([/Maria Rossi/])
  expect(languages).toEqual([])
})

test('a long list is drawn whole (the first screenful first, the rest once the page settles), the keyboard reaches row 80 at once, a live change keeps every row', async ({ page }) => {
  host = await startConsole()
  const h = host
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${h.origin}/api/rpc/tickets.create`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` }, body: JSON.stringify({ externalRef: `ZD-${i}`, customerName: `Customer ${i}`, contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }) })
    expect(res.status).toBe(200)
  }
  await page.goto(h.url)
  await expect(page.getByTestId('ticket-row').first()).toBeVisible()
  // At once, before the rest of the rows is drawn: the cursor draws the rows it moves to.
  await page.getByTestId('ticket-table').focus()
  // Past the first slice (25 rows) before the page settles: the rows near the screen are there
  // (drawn as they come near, or by the key that moves to them).
  for (let i = 0; i < 30; i++) await page.keyboard.press('j')
  expect(await page.locator('[data-row="30"]').count()).toBe(1)
  for (let i = 30; i < 80; i++) await page.keyboard.press('j')
  await expect(page.locator('[data-row="80"]')).toHaveClass(/cursor/)
  await expect(page.locator('[data-row="80"]')).toBeInViewport()
  await expect(page.getByTestId('ticket-row')).toHaveCount(120)
  await expect(page.getByTestId('ticket-total')).toContainText('120')
  // A live change later keeps all rows (only the first draw is cut).
  await fetch(`${h.origin}/api/rpc/tickets.create`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` }, body: JSON.stringify({ externalRef: 'ZD-new', customerName: 'Customer new', contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' }) })
  await expect(page.getByTestId('ticket-row').first()).toContainText('Customer new')
  await expect(page.getByTestId('ticket-row')).toHaveCount(121)
})

test('a field the host refuses is shown next to the field, and nothing is lost', async ({ page }) => {
  host = await startConsole()
  await page.goto(host.url)
  await page.keyboard.press('n')
  const form = page.getByTestId('ticket-form')
  await form.locator('[name=customerName]').fill('   ')
  await form.locator('[name=externalRef]').fill('ZD-1')
  await page.getByTestId('ticket-submit').click()
  await expect(form.locator('.field-error')).toHaveText(/Customer name is required/)
  await expect(form.locator('[name=externalRef]')).toHaveValue('ZD-1')
  await form.locator('[name=customerName]').fill('Fixed Name')
  await page.getByTestId('ticket-submit').click()
  await expect(page.getByTestId('ticket-title')).toContainText('Fixed Name')
})

function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('the host refuses requests without the token, from foreign hosts and from other sites', async ({ page, browser }) => {
  host = await startConsole()
  const h = `127.0.0.1:${host.port}`
  expect(await raw(host.port, '/api/rpc/tickets.list', { host: h, 'content-type': 'application/json', origin: host.origin }, 'POST', '{}')).toBe(401)
  expect(await raw(host.port, '/api/rpc/tickets.list', { host: `rebind.example:${host.port}`, 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, 'POST', '{}')).toBe(421)
  expect(await raw(host.port, '/api/rpc/tickets.list', { host: h, origin: 'https://evil.example', 'content-type': 'application/json', authorization: `Bearer ${host.token}` }, 'POST', '{}')).toBe(403)

  // A browser without the token sees an explanation, not the console.
  const stranger = await browser.newPage()
  await stranger.goto(host.origin)
  await expect(stranger.locator('body')).toContainText('URL (including its token) printed in the terminal')
  await stranger.close()

  // A page of another origin in the same browser cannot read or write through the agent's session.
  await page.goto(host.url)
  await expect(page.getByTestId('new-ticket')).toBeVisible()
  const other = await startConsole()
  await page.goto(other.url)
  const status = await page.evaluate(async (target) => {
    try {
      const r = await fetch(`${target}/api/rpc/tickets.create`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerName: 'csrf' }) })
      return r.status
    } catch {
      return 'blocked'
    }
  }, host.origin)
  expect([403, 'blocked']).toContain(status)
  await other.stop()
  await page.goto(host.url)
  await page.getByTestId('filter-all').click()
  await expect(page.getByTestId('tickets-empty')).toBeVisible()
})
