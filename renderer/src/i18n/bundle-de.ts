// Everything the renderer says in German, in one chunk that is loaded only when German is the
// language (i18n/index.ts): an English console does not parse it at start.
import { de } from './de'
import { guidesDe } from './procedure-guides-de'

export const bundle = { messages: de, guides: guidesDe }
