// Words for the training screens: topics, formats, statuses, need sources, competencies and
// appraisal indicator kinds, so no stored identifier shows as it is (a company's own topic word
// is shown as written; an unknown identifier loses its underscores).
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { trainingApi, type Competency, type TrainingNeed } from '@/api/training'

const competencies = ref<Competency[]>([])
let loading: Promise<void> | null = null
/** The competencies (names), fetched once per page load; empty when the caller may not read them. */
export function loadCompetencies(): Promise<void> {
  loading ??= trainingApi
    .competencies()
    .then((p) => void (competencies.value = p.items))
    .catch(() => {
      loading = null
    })
  return loading
}

export function useTrainingWords() {
  const { t, te, locale } = useI18n()
  const plain = (s: string) => s.replace(/_/g, ' ')
  const zh = () => String(locale.value).startsWith('zh')
  const compName = (c: Competency) => (zh() ? c.name_zh || c.name_en : c.name_en || c.name_zh)
  const competency = (id: number | null | undefined, code = '') => {
    const c = competencies.value.find((x) => x.id === id || (code && x.code === code))
    if (c) return compName(c)
    if (code && te(`teamTraining.competencyCodes.${code}`)) return t(`teamTraining.competencyCodes.${code}`)
    return code ? plain(code) : '—'
  }
  const topic = (s: string) => (te(`teamTraining.topics.${s}`) ? t(`teamTraining.topics.${s}`) : plain(s))
  const format = (s: string) => (te(`team.courseFormats.${s}`) ? t(`team.courseFormats.${s}`) : plain(s))
  const status = (s: string) => (te(`team.enrolmentStatuses.${s}`) ? t(`team.enrolmentStatuses.${s}`) : plain(s))
  const source = (s: string) => (te(`teamTraining.sources.${s}`) ? t(`teamTraining.sources.${s}`) : plain(s))
  const needStatus = (s: string) => (te(`teamTraining.needStatuses.${s}`) ? t(`teamTraining.needStatuses.${s}`) : plain(s))
  const kind = (s: string) => (te(`teamTraining.kinds.${s}`) ? t(`teamTraining.kinds.${s}`) : topic(s))
  /** What a need is about: the competency's name, the indicator's words, or its own topic. */
  const needTopic = (n: TrainingNeed) =>
    n.source === 'competency' ? competency(n.source_id, n.topic) : n.source === 'appraisal' ? kind(n.topic) : topic(n.topic)
  const role = (r: string) => (te(`role.${r}`) ? t(`role.${r}`) : plain(r))
  return { competencies, competency, compName, topic, format, status, source, needStatus, kind, needTopic, role, plain }
}
