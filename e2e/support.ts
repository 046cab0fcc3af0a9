// Starts the real console host as a child process, the way `support-console serve` runs
// for an agent, on a data folder of the test's own.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NODE = process.execPath

export interface ConsoleProcess {
  url: string
  origin: string
  port: number
  token: string
  dataDir: string
  child: ChildProcess
  output(): string
  /** Graceful stop (SIGTERM), as Ctrl-C would. */
  stop(): Promise<void>
  /** SIGKILL: a crash. */
  kill(): Promise<void>
}

export const newDataDir = () => mkdtempSync(join(tmpdir(), 'sc-e2e-'))

export async function startConsole(o: { dataDir?: string; port?: number; token?: string; env?: Record<string, string> } = {}): Promise<ConsoleProcess> {
  const dataDir = o.dataDir ?? newDataDir()
  const token = o.token ?? `e2e-${Math.random().toString(36).slice(2)}`
  const child = spawn(NODE, [join(ROOT, 'bin', 'support-console.mjs'), 'serve', '--port', String(o.port ?? 0), '--data-dir', dataDir, '--token', token], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (c) => (out += c))
  child.stderr!.on('data', (c) => (out += c))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console did not start in 20 s:\n${out}`)), 20_000)
    const check = () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', check)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`console exited with ${code}:\n${out}`))
    })
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const origin = `http://127.0.0.1:${port}`
  return {
    // The start link: the token rides in the fragment; the page trades it for a session.
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    dataDir,
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}
