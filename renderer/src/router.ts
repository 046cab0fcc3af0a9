import { createRouter, createWebHashHistory } from 'vue-router'
import TicketsView from './features/tickets/TicketsView.vue'

// Hash history: the same URLs work under the browser host and Electron's app:// scheme.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/tickets' },
    { path: '/tickets', name: 'tickets', component: TicketsView },
    { path: '/tickets/:id(\\d+)', name: 'ticket', component: () => import('./features/tickets/TicketView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
    { path: '/devices', name: 'devices', component: () => import('./features/devices/DevicesView.vue') },
    { path: '/devices/:id(\\d+)', name: 'device', component: () => import('./features/devices/DeviceView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
    { path: '/audit', name: 'audit', component: () => import('./features/audit/AuditView.vue') },
    { path: '/settings', name: 'settings', component: () => import('./features/system/SettingsView.vue') },
    { path: '/:rest(.*)*', redirect: '/tickets' },
  ],
})
