// Survey answers (issue 14): a survey's verbatims (and, with ?enter=<link id>, the phone-entry
// dialog). The public answer page (/s) is outside the signed-in layout: router/index.ts and its
// own entry s.html.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'surveys/:id(\\d+)/responses',
    name: 'survey-responses',
    component: () => import('./ResponsesView.vue'),
    props: (r) => ({ id: Number(r.params.id) }),
    meta: { title: 'surveyAnswer.responses', can: 'readResponses', menu: '/surveys' },
  },
]
export default routes
