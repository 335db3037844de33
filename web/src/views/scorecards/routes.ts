// Appraisal computed from the records (issue 18 F6.3): the scorecards the caller may see, one
// scorecard line by line with the records behind each number, the calibration of a team's
// scores, and the appraisal schemes. The server decides who sees what (a scorecard another
// person may not read answers 404: the not-found screen).
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'scorecards',
    name: 'scorecards',
    component: () => import('./ScorecardsView.vue'),
    meta: { title: 'teamAppraisal.title', can: 'readScorecards', menu: '/scorecards' },
  },
  {
    path: 'scorecards/calibration',
    name: 'scorecards-calibration',
    component: () => import('./CalibrationView.vue'),
    meta: { title: 'teamAppraisal.calibration.title', can: 'readScorecards', menu: '/scorecards' },
  },
  {
    path: 'scorecards/:id(\\d+)',
    name: 'scorecard',
    component: () => import('./ScorecardDetail.vue'),
    meta: { title: 'teamAppraisal.one', can: 'readScorecards', menu: '/scorecards' },
  },
  {
    path: 'appraisal-schemes',
    name: 'appraisal-schemes',
    component: () => import('./SchemesView.vue'),
    meta: { title: 'teamAppraisal.schemes.title', can: 'readSchemes', menu: '/appraisal-schemes' },
  },
]
export default routes
