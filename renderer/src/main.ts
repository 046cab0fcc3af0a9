// First: takes the start token out of the address before the hash router reads it.
import './bridge/session'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { initLocale } from './i18n/index'
import { router } from './router'
import './styles.css'

// The first screen waits for the agent's language (a separate chunk unless it is English).
void initLocale().then(() => createApp(App).use(createPinia()).use(router).mount('#app'))
