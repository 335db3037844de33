import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import './styles/main.css'
import App from './App.vue'
import { router } from './router'
import { i18n, loadLocale } from './i18n'
import { configureHttp, ApiError } from './api/http'
import { useSessionStore } from './stores/session'
import { useDirectoryStore } from './stores/directory'
import { errorText } from './composables/errors'
import { ElMessage } from 'element-plus'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)

const session = useSessionStore(pinia)
configureHttp({
  csrf: () => session.csrfToken,
  onUnauthenticated: () => {
    // The session ended (expired, logged out elsewhere): back to the login page.
    const wasLoggedIn = session.loggedIn
    session.expire()
    useDirectoryStore(pinia).reset()
    const cur = router.currentRoute.value
    if (cur.name !== 'login') {
      if (wasLoggedIn) ElMessage.warning(i18n.global.t('errors.code.unauthenticated'))
      router.replace({ name: 'login', query: { redirect: cur.fullPath } })
    }
  },
})

// Anything a screen did not handle is still shown, never a blank page.
app.config.errorHandler = (err) => {
  console.warn(err)
  if (err instanceof ApiError && err.status === 401) return
  ElMessage.error(errorText(err))
}
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof ApiError) {
    ev.preventDefault()
    if (ev.reason.status !== 401) ElMessage.error(errorText(ev.reason))
  }
})

// The first navigation (and its screen's chunk) starts now, alongside the messages of the
// language on screen; the app mounts once those are in (only that language is fetched).
app.use(router)
loadLocale(i18n.global.locale.value)
  .catch((e) => console.warn(e))
  .finally(() => app.mount('#app'))
