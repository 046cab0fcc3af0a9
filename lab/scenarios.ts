// One table of scenario actions, shared by the HTTP control interface and by the netns
// device processes, so every way of driving the bench understands the same words.
import { SimDevice } from './device'
import { Intercom } from './intercom/intercom'
import { Nvr } from './nvr/nvr'

export const SCENARIOS = [
  'reboot', 'powerOff', 'powerOn', 'slow', 'truncate', 'malformed', 'normal', 'clockSkew', 'moveToAddress',
  'leaveRetrievePasswordScreen', 'openRetrievePassword', 'alreadyInMy2nAccount', 'generateMy2nCode', 'lockout', 'quirk',
] as const
export type Scenario = (typeof SCENARIOS)[number]

export class ScenarioError extends Error {}

export async function runScenario(d: SimDevice, action: string, args: Record<string, unknown> = {}): Promise<unknown> {
  const num = (k: string, dflt?: number) => {
    const v = args[k] ?? dflt
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ScenarioError(`"${k}" must be a number`)
    return v
  }
  const flag = (k: string) => (args[k] === undefined ? true : Boolean(args[k]))
  switch (action as Scenario) {
    case 'reboot': return d.reboot(args.offlineMs === undefined ? undefined : num('offlineMs'))
    case 'powerOff': return d.powerOff()
    case 'powerOn': return d.powerOn()
    case 'slow': return d.slow(num('ms'))
    case 'truncate': return d.truncate(flag('on'))
    case 'malformed': return d.malformed(flag('on'))
    case 'normal': return d.normal()
    case 'clockSkew': return d.clockSkew(num('seconds'))
    case 'moveToAddress':
      if (typeof args.ip !== 'string' || !/^\d+\.\d+\.\d+\.\d+$/.test(args.ip)) throw new ScenarioError('"ip" must be an IPv4 address')
      return d.moveToAddress(args.ip)
    case 'leaveRetrievePasswordScreen': return d.leaveRetrievePasswordScreen()
    case 'openRetrievePassword':
      if (!(d instanceof Nvr)) throw new ScenarioError('only NVRs have a Retrieve Password screen')
      return d.openRetrievePassword()
    case 'alreadyInMy2nAccount': return d.alreadyInMy2nAccount(typeof args.company === 'string' ? args.company : undefined)
    case 'generateMy2nCode':
      if (!(d instanceof Intercom)) throw new ScenarioError('only intercoms have a My2N security code')
      return { securityCode: d.generateMy2nCode() }
    case 'quirk': {
      if (!(d instanceof Intercom)) throw new ScenarioError('quirks exist for intercoms only')
      const name = args.name
      if (typeof name !== 'string' || !(name in d.quirks)) throw new ScenarioError(`"name" must be one of ${Object.keys(d.quirks).join(', ')}`)
      d.quirks[name as keyof Intercom['quirks']] = flag('on')
      return d.quirks
    }
    case 'lockout':
      // Change the login lockout parameters (unknown for 2N, configurable on NVRs).
      if (d instanceof Nvr) { d.lockout.settings = { ...d.lockout.settings, tries: num('tries', d.lockout.settings.tries), lockSeconds: num('lockSeconds', d.lockout.settings.lockSeconds) }; return d.lockout.settings }
      if (d instanceof Intercom) { d.webLockout.tries = num('tries', d.webLockout.tries); d.webLockout.blockMs = num('blockMs', d.webLockout.blockMs); return d.webLockout }
  }
  throw new ScenarioError(`unknown action "${action}"; known: ${SCENARIOS.join(', ')}`)
}
