// The public answer page's own entry (s.html, served by kam for /s): a customer opening a survey
// link from WeChat or an e-mail gets this page alone -- Vue and the page, without the signed-in
// app's router, store, UI library and message chunks. (The app's router also knows /s, for the
// dev server and for a kam built without this entry.)
import { createApp } from 'vue'
import PublicSurvey from './PublicSurvey.vue'
import { navigationEnded } from '@/composables/ready'

document.body.style.margin = '0'
createApp(PublicSurvey).mount('#app')
navigationEnded() // no router here: the one "navigation" is this mount
