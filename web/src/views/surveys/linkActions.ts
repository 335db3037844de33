// Reissue and revoke of survey links, shared by a survey's links (SurveyLinks.vue) and an
// account's (survey-admin/AccountSurveyLinksTab.vue). A reissued link's new address is shown
// once (`fresh`, to copy into WeChat); revoking that link takes its address off the screen.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessageBox } from 'element-plus'
import { errorText } from '@/composables/errors'
import { surveysApi, type SurveyLink } from './api'

export function useLinkActions(error: Ref<string>, reload: () => unknown) {
  const { t } = useI18n()
  const fresh = ref<SurveyLink | null>(null)
  const copied = ref(false)

  async function reissue(l: SurveyLink) {
    error.value = ''
    try {
      fresh.value = await surveysApi.reissue(l.id)
      copied.value = false
      reload()
    } catch (e) {
      error.value = errorText(e)
    }
  }
  async function revoke(l: SurveyLink) {
    try {
      await ElMessageBox.confirm(t('surveys.links.revokeConfirm', { name: l.contact_name || '—' }), t('common.confirm'), {
        type: 'warning',
        confirmButtonText: t('surveys.links.revoke'),
        cancelButtonText: t('common.cancel'),
      })
    } catch {
      return
    }
    error.value = ''
    try {
      await surveysApi.revoke(l.id)
      if (fresh.value?.id === l.id) fresh.value = null
      reload()
    } catch (e) {
      error.value = errorText(e)
    }
  }
  async function copyFresh() {
    try {
      await navigator.clipboard.writeText(fresh.value?.url ?? '')
      copied.value = true
    } catch {
      copied.value = false
    }
  }
  return { fresh, copied, reissue, revoke, copyFresh }
}
