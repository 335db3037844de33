// Competencies and selection (issue 18 F6.1, docs/TEAM.md "Competencies and selection"): the
// competency model, role profiles and people's levels (tabs), one person's levels, assessments and
// the "assess" dialog; candidates ranked by fit to a role profile, and one candidate's interview
// scores and decision.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'competencies',
    name: 'competencies',
    component: () => import('./CompetenciesView.vue'),
    meta: { title: 'teamComp.title', can: 'readCompetencies' },
  },
  {
    path: 'competencies/people/:id(\\d+)',
    name: 'competency-person',
    component: () => import('./PersonView.vue'),
    meta: { title: 'teamComp.person.title', can: 'readCompetencies', menu: '/competencies' },
  },
  {
    path: 'candidates',
    name: 'candidates',
    component: () => import('./CandidatesView.vue'),
    meta: { title: 'teamComp.cand.title', can: 'readCandidates' },
  },
  {
    path: 'candidates/:id(\\d+)',
    name: 'candidate',
    component: () => import('./CandidateView.vue'),
    meta: { title: 'teamComp.cand.one', can: 'readCandidates', menu: '/candidates' },
  },
]
export default routes
