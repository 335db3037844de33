// The opportunity stages (GET /api/v1/opportunity-stages), loaded once and shared by the pipeline
// screens; a stage's name in the reader's language; the stage move with the win/loss reason.
import { computed, ref } from 'vue'
import { ElMessageBox } from 'element-plus'
import { i18n } from '@/i18n'
import { opportunitiesApi, stageName, type Opportunity, type Stage } from '@/api/opportunities'
import { productsApi } from '@/api/volume'

const stages = ref<Stage[]>([])
let loading: Promise<void> | null = null

export function loadStages(force = false): Promise<void> {
  if (!loading || force)
    loading = opportunitiesApi
      .stages()
      .then((r) => {
        stages.value = r.items
      })
      .catch((e) => {
        loading = null
        throw e
      })
  return loading
}

export function useStages() {
  const active = computed(() => stages.value.filter((s) => s.active))
  const byCode = (code: string) => stages.value.find((s) => s.code === code)
  const name = (code: string) => stageName(byCode(code), String(i18n.global.locale.value), code)
  /** A stage select's options: the active stages plus `current` when it is an inactive one (an
   *  opportunity may stay at a deactivated stage; its name, not its code, shows). */
  const options = (current: string) => {
    const cur = byCode(current)
    return cur && !cur.active ? active.value.concat([cur]) : active.value
  }
  return { stages, active, byCode, name, options }
}

/** Moves o to stage `to`, asking for the reason when `to` closes it (won or lost); null when the
 *  user cancelled. Errors are the caller's. */
export async function moveStage(o: { id: number; version: number }, to: string): Promise<Opportunity | null> {
  const s = stages.value.find((x) => x.code === to)
  const t = i18n.global.t
  const body: { stage: string; version: number; outcome_reason?: string } = { stage: to, version: o.version }
  if (s && s.outcome !== 'open') {
    try {
      const r = await ElMessageBox.prompt(t(`opp.reasonPrompt.${s.outcome}`), t('opp.closeTitle'), {
        inputValidator: (v: string) => (v && v.trim() ? true : t('opp.reasonRequired')),
        inputPlaceholder: t('opp.reasonHint'),
        customClass: 'opp-reason-box',
        confirmButtonText: t('common.save'),
        cancelButtonText: t('common.cancel'),
      })
      body.outcome_reason = String(r.value).trim()
    } catch {
      return null
    }
  }
  return opportunitiesApi.update(o.id, body)
}

/** The currencies the server converts (the base one first). */
const currencies = ref<string[]>([])
export async function loadCurrencies(): Promise<string[]> {
  if (!currencies.value.length) {
    try {
      const r = await productsApi.fx()
      currencies.value = [r.base_currency, ...r.items.map((x) => x.currency).filter((c) => c !== r.base_currency)]
    } catch {
      currencies.value = ['CNY']
    }
  }
  return currencies.value
}
export function useCurrencies() {
  return currencies
}

/** "2026-07" in the reader's language. */
export function fmtMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number)
  if (!y || !mo) return m
  try {
    return new Intl.DateTimeFormat(String(i18n.global.locale.value), { year: 'numeric', month: 'short' }).format(
      new Date(Date.UTC(y, mo - 1, 15)),
    )
  } catch {
    return m
  }
}

/** basis points -> "25%" */
export const pct = (bp: number | null | undefined) => (bp == null ? '' : `${Math.round(bp) / 100}%`)
