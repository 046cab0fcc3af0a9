// Settings of the reset: the code services (API keys sealed with app.secrets, never returned),
// validity per vendor (vendors differ: 24 h, 48 h; products.md §8), the clock tolerance, the
// default customer time zone and the optional second-agent approval.
import { AppError } from '../../../shared/contract/common'
import type { ResetSettings } from '../../../shared/contract/nvr-reset'
import type { CommonRepos, Recording, Secrets } from '../../infra/ports'
import type { HttpVendorConfig, LabVendorConfig } from './reset-codes/providers'
import { isValidZone } from './validity'

const KEY = 'nvrReset.settings'

/** Saving seals the API keys and audits the change. */
export type SettingsDeps = Pick<CommonRepos, 'settings'> & Secrets & Pick<Recording, 'audit'>

interface Stored {
  lab: { url: string; keySealed: string }
  http: { url: string; keyHeader: string; keyPrefix: string; bodyTemplate: string; codePath: string; keySealed: string }
  validityHours: Record<string, number>
  requireSecondAgent: boolean
  skewToleranceMinutes: number
  defaultTz: string
}

const DEFAULTS: Stored = {
  lab: { url: '', keySealed: '' },
  http: { url: '', keyHeader: 'Authorization', keyPrefix: 'Bearer ', bodyTemplate: '{"payload": "{{payload}}"}', codePath: 'securityCode', keySealed: '' },
  validityHours: { '2m': 24, unknown: 24 },
  requireSecondAgent: false,
  skewToleranceMinutes: 10,
  defaultTz: 'Europe/Prague',
}

export async function loadSettings(deps: Pick<CommonRepos, 'settings'>): Promise<Stored> {
  const s = (await deps.settings.get<Partial<Stored>>(KEY)) ?? {}
  return { ...DEFAULTS, ...s, lab: { ...DEFAULTS.lab, ...s.lab }, http: { ...DEFAULTS.http, ...s.http }, validityHours: { ...DEFAULTS.validityHours, ...s.validityHours } }
}

export function publicSettings(s: Stored): ResetSettings {
  const { keySealed: lk, ...lab } = s.lab
  const { keySealed: hk, ...http } = s.http
  return { ...s, lab: { ...lab, keySet: !!lk }, http: { ...http, keySet: !!hk } }
}

export type SettingsPatch = {
  lab?: { url: string; apiKey?: string }
  http?: { url: string; keyHeader: string; keyPrefix: string; bodyTemplate: string; codePath: string; apiKey?: string }
  validityHours?: Record<string, number>
  requireSecondAgent?: boolean
  skewToleranceMinutes?: number
  defaultTz?: string
}

/** An omitted apiKey keeps the stored one; an empty string removes it. */
export async function saveSettings(deps: SettingsDeps, p: SettingsPatch): Promise<Stored> {
  const s = await loadSettings(deps)
  const sealed = (key: string | undefined, old: string) => (key === undefined ? old : key === '' ? '' : deps.secrets.seal(key))
  for (const u of [p.lab?.url, p.http?.url]) {
    if (u && !/^https?:\/\/[^\s]+$/.test(u)) throw new AppError('VALIDATION', `"${u}" is not an http(s) address.`, { field: 'url', key: 'nvrReset.badUrl', values: { url: u } })
  }
  if (p.defaultTz && !isValidZone(p.defaultTz)) throw new AppError('VALIDATION', `"${p.defaultTz}" is not a time zone (use names like Europe/Prague).`, { field: 'defaultTz', key: 'nvrReset.badZone', values: { zone: p.defaultTz } })
  const next: Stored = {
    ...s,
    ...(p.lab ? { lab: { url: p.lab.url.trim(), keySealed: sealed(p.lab.apiKey, s.lab.keySealed) } } : {}),
    ...(p.http ? { http: { url: p.http.url.trim(), keyHeader: p.http.keyHeader, keyPrefix: p.http.keyPrefix, bodyTemplate: p.http.bodyTemplate, codePath: p.http.codePath, keySealed: sealed(p.http.apiKey, s.http.keySealed) } } : {}),
    ...(p.validityHours ? { validityHours: { ...s.validityHours, ...p.validityHours } } : {}),
    ...(p.requireSecondAgent !== undefined ? { requireSecondAgent: p.requireSecondAgent } : {}),
    ...(p.skewToleranceMinutes !== undefined ? { skewToleranceMinutes: p.skewToleranceMinutes } : {}),
    ...(p.defaultTz ? { defaultTz: p.defaultTz } : {}),
  }
  await deps.settings.set(KEY, next)
  await deps.audit({ action: 'nvrReset.settings', outcome: 'ok', inputs: { labUrl: next.lab.url, httpUrl: next.http.url, labKeyChanged: p.lab?.apiKey !== undefined, httpKeyChanged: p.http?.apiKey !== undefined, requireSecondAgent: next.requireSecondAgent, validityHours: next.validityHours } })
  return next
}

export const labConfig = (deps: Secrets, s: Stored): LabVendorConfig => ({ url: s.lab.url, apiKey: s.lab.keySealed ? deps.secrets.open(s.lab.keySealed) : '' })
export const httpConfig = (deps: Secrets, s: Stored): HttpVendorConfig => ({ ...s.http, apiKey: s.http.keySealed ? deps.secrets.open(s.http.keySealed) : '' })
export type { Stored as StoredSettings }
