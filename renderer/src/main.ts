// First: takes the start token out of the address before the hash router reads it.
import './bridge/session'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n/index'
import { router } from './router'
import './styles.css'

createApp(App).use(createPinia()).use(router).use(i18n).mount('#app')
