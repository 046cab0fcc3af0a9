/// <reference types="vite/client" />
import type { Bridge } from '../../shared/contract/index'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    supportConsole?: Pick<Bridge, never> & {
      invoke(method: string, input: unknown): Promise<unknown>
      on(event: string, cb: (payload: unknown) => void): () => void
    }
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
export {}
