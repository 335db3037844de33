// Opportunities (商机, issue 15): the pipeline (kanban by stage and a table) and one opportunity.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'pipeline',
    name: 'pipeline',
    component: () => import('./PipelineView.vue'),
    meta: { title: 'opp.pipelineTitle' },
  },
  {
    path: 'pipeline/stages',
    name: 'pipeline-stages',
    component: () => import('./StagesView.vue'),
    meta: { title: 'opp.stagesTitle' },
  },
  {
    path: 'opportunities/:id(\\d+)',
    name: 'opportunity',
    component: () => import('./OpportunityView.vue'),
    meta: { title: 'opp.title' },
  },
]
export default routes
