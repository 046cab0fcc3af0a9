// Identity of a simulated 2N IP intercom: model list, serial NN-NNNN-NNNN with the family
// prefix seen in official examples, MAC in 2N's OUI 7C-1E-B3 written with dashes as
// /api/system/info does (2n-intercom.md §3.1, §5.2, §6).
import type { SeededRng } from '../core/rng'
import { DIGITS } from '../core/rng'

export interface IntercomModel {
  variant: string
  variantId: number
  devType: string
  hwVersion: string
  serialPrefix: string
  display: boolean
  cardReader: boolean
}

// Prefixes follow the documented examples (54 = IP Verso, 08 = IP Vario, 52 = Indoor Touch 2.0);
// the others are simulation choices.
export const INTERCOM_MODELS: IntercomModel[] = [
  { variant: '2N IP Verso', variantId: 14, devType: '2-14-0-0', hwVersion: '570v1', serialPrefix: '54', display: true, cardReader: true },
  { variant: '2N IP Vario', variantId: 8, devType: '2-8-0-0', hwVersion: '535v1', serialPrefix: '08', display: false, cardReader: false },
  { variant: '2N IP Force', variantId: 11, devType: '2-11-0-0', hwVersion: '545v2', serialPrefix: '51', display: false, cardReader: true },
  { variant: '2N IP Style', variantId: 30, devType: '2-30-0-0', hwVersion: '580v1', serialPrefix: '63', display: true, cardReader: true },
]

export const FIRMWARE_VERSIONS = ['2.40.1.36.7', '2.43.2.52.4', '2.46.0.60.2', '2.50.0.76.2']

export interface IntercomIdentity {
  model: IntercomModel
  serial: string
  mac: string
  swVersion: string
  bootloader: string
}

export function intercomIdentity(rng: SeededRng, index: number): IntercomIdentity {
  const model = INTERCOM_MODELS[index % INTERCOM_MODELS.length]
  const digits = rng.string(DIGITS, 8)
  const serial = `${model.serialPrefix}-${digits.slice(0, 4)}-${digits.slice(4)}`
  const mac = ['7C', '1E', 'B3', ...[...rng.bytes(3)].map((b) => b.toString(16).padStart(2, '0').toUpperCase())].join('-')
  return { model, serial, mac, swVersion: rng.pick(FIRMWARE_VERSIONS), bootloader: '2.40.0.33.4' }
}

/** buildType is empty up to 2.32.1 and "release" for official builds from 2.33.2 on. */
export function buildTypeFor(swVersion: string): string {
  const [a, b, c] = swVersion.split('.').map(Number)
  const n = a * 10000 + b * 100 + c
  return n >= 23302 ? 'release' : ''
}

/** Simulated My2N security code: opaque in reality (2n-intercom.md §5.4), here XXXX-XXXX-XXXX. */
export function newSecurityCode(rng: SeededRng): string {
  const s = rng.string('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 12)
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`
}
