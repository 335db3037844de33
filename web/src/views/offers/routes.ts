// Offers and quotes (issue 15 items 4-5): the list, the editor (new and existing), the print view.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  { path: 'offers', name: 'offers', component: () => import('./OffersView.vue'), meta: { title: 'offers.title' } },
  { path: 'offers/new', name: 'offer-new', component: () => import('./OfferEditor.vue'), meta: { title: 'offers.newTitle' } },
  {
    path: 'offers/:id(\\d+)',
    name: 'offer',
    component: () => import('./OfferEditor.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
    meta: { title: 'offers.title' },
  },
  {
    path: 'offers/:id(\\d+)/print',
    name: 'offer-print',
    component: () => import('./OfferPrint.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
    meta: { title: 'offers.printTitle' },
  },
]
export default routes
