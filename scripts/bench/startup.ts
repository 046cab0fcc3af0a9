// Time from starting the console host to an interactive ticket list in Chromium, beside the
// same path for a bare Node HTTP server serving a one-line page (process start + page load).
import { chromium } from 'playwright-core'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App } from '../../electron/core/app'
import { chromiumPath } from '../../e2e/browser'
import { startConsole } from '../../e2e/support'
import { median, report } from './util'

const dataDir = mkdtempSync(join(tmpdir(), 'sc-bench-start-'))
const app = new App({ dataDir, host: 'browser' })
app.db.transaction(() => {
  for (let i = 0; i < 2000; i++) app.tickets.tx().create({ externalRef: `ZD-${i}`, customerName: `Customer ${i}`, contact: '', deviceSerial: '', deviceModel: '', procedure: 'other', notes: '' })
})()
await app.close()

const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
// One start first: builds out/cli if a source changed and fills the compile cache, as any
// earlier start on this machine would have.
await (await startConsole({ dataDir })).stop()
const ours: number[] = []
const anchor: number[] = []
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage()
  const t0 = performance.now()
  const host = await startConsole({ dataDir })
  await page.goto(host.url)
  await page.getByTestId('ticket-row').first().waitFor()
  await page.getByTestId('ticket-search').fill('Customer 1999')
  await page.getByTestId('ticket-row').filter({ hasText: 'ZD-1999' }).waitFor()
  ours.push(performance.now() - t0)
  await host.stop()
  await page.close()

  const p2 = await browser.newPage()
  const t1 = performance.now()
  const bare = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>s.end('<!doctype html><input id=x>')).listen(0,'127.0.0.1',function(){console.log('port '+this.address().port)})"], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((r) => bare.stdout!.on('data', (d) => r(Number(/port (\d+)/.exec(String(d))![1]))))
  await p2.goto(`http://127.0.0.1:${port}/`)
  await p2.locator('#x').fill('x')
  anchor.push(performance.now() - t1)
  bare.kill()
  await p2.close()
}
await browser.close()
report('host start → ticket list interactive (2,000 tickets)', median(ours), 'ms', { name: 'bare node http + page', value: median(anchor) }, '< 700 ms')
