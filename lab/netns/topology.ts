// Network namespaces for `--netns` benches. Layout (see lab/README.md):
//
//   root ns ── sclab<pid> (169.254.S.1/24) ══ veth ══ [bench ns sc-lab-<pid>-br: bridge br0] ══ veth ══ eth0 in sc-lab-<pid>-d<i> (169.254.S.<10+i>)
//
// The subnet is link-local and exists only on interfaces created here, so nothing reaches a
// real network; S is derived from the pid so parallel benches do not clash. Every name
// carries the owner's pid: namespaces whose owner is dead are removed at the next start.
import { execFileSync } from 'node:child_process'

export interface Topology {
  prefix: string
  subnet: string
  consoleIp: string
  rootIf: string
  bridgeNs: string
  deviceNs: string[]
  deviceIps: string[]
  defaultIps: string[]
}

export const MAX_NETNS_DEVICES = 32

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function tryIp(args: string[]): void {
  try { ip(args) } catch { /* already gone */ }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Remove sc-lab-* namespaces and sclab* links left by processes that no longer exist. */
export function removeStale(): string[] {
  const removed: string[] = []
  let list: string
  try { list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }) } catch { return removed }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0]
    const m = /^sc-lab-(?:[a-z]+-)?(\d+)(?:-|$)/.exec(name)
    if (m && !alive(Number(m[1]))) { tryIp(['netns', 'del', name]); removed.push(name) }
  }
  let links: string
  try { links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }) } catch { return removed }
  for (const m of links.matchAll(/^\d+: (sclab(\d+))[@:]/gm)) {
    if (!alive(Number(m[2]))) { tryIp(['link', 'del', m[1]]); removed.push(m[1]) }
  }
  return removed
}

export function createTopology(count: number, pid = process.pid): Topology {
  if (process.platform !== 'linux') throw new Error('--netns needs Linux')
  if (process.getuid?.() !== 0) throw new Error('--netns needs root (ip netns)')
  if (count > MAX_NETNS_DEVICES) throw new Error(`--netns is limited to ${MAX_NETNS_DEVICES} devices (one process per device)`)
  // 169.254.100-159.x only: never 169.254.169.0/24, where cloud metadata (169.254.169.254) lives.
  const s = 100 + (pid % 60)
  const prefix = `sc-lab-${pid}`
  const t: Topology = {
    prefix, subnet: `169.254.${s}.0/24`, consoleIp: `169.254.${s}.1`, rootIf: `sclab${pid}`, bridgeNs: `${prefix}-br`,
    deviceNs: [], deviceIps: [], defaultIps: [],
  }
  try {
    ip(['netns', 'add', t.bridgeNs])
    ip(['-n', t.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0'])
    ip(['-n', t.bridgeNs, 'link', 'set', 'br0', 'up'])
    // The console's way in: one veth end in the root namespace with a link-local address.
    ip(['link', 'add', t.rootIf, 'type', 'veth', 'peer', 'name', 'up0', 'netns', t.bridgeNs])
    ip(['-n', t.bridgeNs, 'link', 'set', 'up0', 'master', 'br0', 'up'])
    ip(['addr', 'add', `${t.consoleIp}/24`, 'dev', t.rootIf])
    ip(['link', 'set', t.rootIf, 'up'])
    for (let i = 0; i < count; i++) {
      const ns = `${prefix}-d${i}`
      const addr = `169.254.${s}.${10 + i}`
      const dflt = `169.254.${s}.${10 + count + i}`
      ip(['netns', 'add', ns])
      t.deviceNs.push(ns)
      ip(['-n', t.bridgeNs, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      ip(['-n', t.bridgeNs, 'link', 'set', `v${i}`, 'master', 'br0', 'up'])
      ip(['-n', ns, 'link', 'set', 'lo', 'up'])
      ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0'])
      // The "factory default" address must exist on the link for a network reset to land on it.
      ip(['-n', ns, 'addr', 'add', `${dflt}/24`, 'dev', 'eth0'])
      ip(['-n', ns, 'link', 'set', 'eth0', 'up'])
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'])
      t.deviceIps.push(addr)
      t.defaultIps.push(dflt)
    }
  } catch (e) {
    destroyTopology(t)
    throw new Error(`could not build the lab network: ${(e as Error & { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`, { cause: e })
  }
  return t
}

/** Synchronous on purpose: it also runs from process.on('exit'). */
export function destroyTopology(t: Topology): void {
  for (const ns of t.deviceNs) tryIp(['netns', 'del', ns])
  tryIp(['netns', 'del', t.bridgeNs])
  tryIp(['link', 'del', t.rootIf])
}
