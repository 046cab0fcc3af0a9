// Identity of a simulated 2M Technology 2MN-8XXX NVR (nvr-reset.md §1): the four models the
// 2M knowledge base lists, a 20-character serial starting "210" (letters and digits, like
// the Uniview serials the platform probably comes from), a MAC and a firmware string.
import type { SeededRng } from '../core/rng'
import { ALNUM_UPPER, DIGITS } from '../core/rng'

export interface NvrModel { name: string; channels: number; poe: number }

export const NVR_MODELS: NvrModel[] = [
  { name: '2MN-8004-P4', channels: 4, poe: 4 },
  { name: '2MN-8008-P8', channels: 8, poe: 8 },
  { name: '2MN-8116-P16', channels: 16, poe: 16 },
  { name: '2MN-8232-P16', channels: 32, poe: 16 },
]

export const NVR_FIRMWARE = ['NVR-B3601.16.10.240318', 'NVR-B3601.17.2.240812', 'NVR-B3702.4.1.250114']

export interface NvrIdentity { model: NvrModel; serial: string; mac: string; firmware: string; deviceId: string }

export function nvrIdentity(rng: SeededRng, index: number): NvrIdentity {
  const model = NVR_MODELS[index % NVR_MODELS.length]
  // "210235" is the Uniview-style prefix, then a 2-letter batch code and 12 mixed characters.
  const serial = `210235${rng.string(DIGITS, 2)}${rng.string('ABCDEFGHJKLMNPRSTUVWXYZ', 2)}${rng.string(ALNUM_UPPER, 10)}`
  // Locally administered prefix 02:4D:32 ("M2"): a deliberate simulation choice, the real
  // OEM's OUI is not documented.
  const mac = ['02', '4d', '32', ...[...rng.bytes(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':')
  const h = rng.hex(32)
  const deviceId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
  return { model, serial, mac, firmware: rng.pick(NVR_FIRMWARE), deviceId }
}
