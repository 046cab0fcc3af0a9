// Everything the renderer says in Czech, in one chunk that is loaded only when Czech is the
// language (i18n/index.ts): an English console does not parse it at start.
import { cs } from './cs'
import { guidesCs } from './procedure-guides-cs'

export const bundle = { messages: cs, guides: guidesCs }
