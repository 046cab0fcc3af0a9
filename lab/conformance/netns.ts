// Throwaway network namespaces for conformance tests. Third-party clients (agsh `onvif`,
// `node-onvif`, onvif-util, nmap) cannot be told which interface to probe on, so they run
// with the bench inside a namespace that has only a loopback interface with a multicast
// route: their WS-Discovery probes cannot leave the machine.
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Loose } from '../test-helpers'

export const ROOT = join(import.meta.dirname, '..', '..')

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Namespaces are shared by everyone on the machine: pid plus a random suffix keeps parallel test files and helpers apart. */
export function uniqueNetnsName(label: string): string {
  return `sc-conf-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
}

const created = new Set<string>()
// A test file that dies before afterAll still removes its namespaces (synchronous, at exit).
process.on('exit', () => { for (const n of created) try { ip('netns', 'del', n) } catch { /* gone */ } })

export function createLoopbackNetns(name: string): void {
  created.add(name)
  try { ip('netns', 'del', name) } catch { /* not there */ }
  ip('netns', 'add', name)
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up')
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'multicast', 'on')
  ip('netns', 'exec', name, 'ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo')
}

export function deleteNetns(name: string): void {
  created.delete(name)
  try { ip('netns', 'del', name) } catch { /* already gone */ }
}

/** Run lab/conformance/in-netns.ts <mode> inside the namespace; resolves with its RESULT line. */
export function runInNetns(name: string, mode: string, timeoutMs = 30_000): Promise<{ result: Loose; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', name, process.execPath, '--import', 'tsx', join(ROOT, 'lab/conformance/in-netns.ts'), mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
      if (!line) return reject(new Error(`no RESULT from "${mode}" (exit ${code})\nstdout:\n${stdout}\nstderr:\n${stderr}`))
      resolve({ result: JSON.parse(line.slice(7)), stdout, stderr })
    })
  })
}

export function haveTool(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
