// Prices (issue 15 item 5): the price lists, the pricing settings and "why this price".
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'prices',
    name: 'prices',
    component: () => import('./PricesView.vue'),
    meta: { title: 'pricing.title' },
  },
  {
    path: 'prices/:id(new|\\d+)',
    name: 'price-list',
    component: () => import('./PriceListView.vue'),
    meta: { title: 'pricing.ed.title' },
  },
]
export default routes
