// Whether a ticket's procedure fits the device it names (issue 12: a My2N move was started
// for an NVR's serial). Only a warning: the agent may know better (a typo in the ticket).
import type { Procedure } from '../../../../shared/contract/index'

const TWO_N_SERIAL = /^\d{2}-?\d{4}-?\d{4}$/
/** NVR serials and models: 2MN-8XXX models, long vendor serials (20 characters and more). */
const NVR_MODEL = /\b(2MN|NVR|DS-\d{4}N|DVR)/i
const LONG_SERIAL = /^[A-Z0-9]{15,}$/i

export type Fit = 'fits' | 'nvr-for-move' | 'intercom-for-reset' | 'unknown'

export function procedureFit(procedure: Procedure, serial: string, model: string): Fit {
  const s = serial.trim()
  const looksNvr = NVR_MODEL.test(model) || (LONG_SERIAL.test(s) && !TWO_N_SERIAL.test(s))
  const looks2n = TWO_N_SERIAL.test(s) || /\b2N\b|IP (Verso|Force|Style|Solo|Base|Vario|One)|Access Unit/i.test(model)
  if (procedure === 'my2n-move' && looksNvr && !looks2n) return 'nvr-for-move'
  if (procedure === 'nvr-password-reset' && looks2n && !looksNvr) return 'intercom-for-reset'
  return s || model ? 'fits' : 'unknown'
}
