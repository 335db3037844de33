// The appraisal screens' words and figures (issue 18 F6.3): scores in hundredths (10000 =
// 100.00 = on target), weights in basis points, each indicator's unit (bp, NPS hundredths,
// counts, the manager's value), a line's explanation in the UI's language (the server's English
// text plus its machine key `why` and figures: rebuilt here from them), the records behind a
// line (their kind, side, note in words and the screen each one opens), and the refusals.
import { useI18n } from 'vue-i18n'
import { ApiError } from '@/api/http'
import { errorText } from '@/composables/errors'
import { fmtDate, fmtMoney, fmtNumber } from '@/i18n/format'
import { currentLocale } from '@/i18n'
import { MONEY_KINDS, unitOf, type IndicatorKind, type ScorecardLine, type ScorecardRecord } from '@/api/appraisal'

export const BASE_CURRENCY = 'CNY'

/** Hundredths as "103.50" (locale digits). */
export function hundredths(v: number | null | undefined): string {
  if (v == null) return '—'
  return new Intl.NumberFormat(currentLocale.value, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v / 100)
}
/** Basis points as "30 %" / "101.40 %". */
export function bpPct(v: number | null | undefined, digits = 2): string {
  if (v == null) return '—'
  const whole = v % 100 === 0 && digits === 2
  return `${new Intl.NumberFormat(currentLocale.value, { minimumFractionDigits: whole ? 0 : digits, maximumFractionDigits: digits }).format(v / 100)} %`
}
export const weightPct = (bp: number) => bpPct(bp)

/** A value in the indicator's unit (threshold, target, stretch, actual). */
export function unitValue(kind: IndicatorKind, v: number | null | undefined): string {
  if (v == null) return '—'
  switch (unitOf(kind)) {
    case 'bp':
      return bpPct(v)
    case 'nps':
      return hundredths(v)
    default:
      return fmtNumber(v)
  }
}
/** A measured or basis figure: money for the sales kinds, a count otherwise. */
export function figure(kind: IndicatorKind, v: number | null | undefined): string {
  if (v == null) return '—'
  return MONEY_KINDS.includes(kind) ? fmtMoney({ amount: v, currency: BASE_CURRENCY }) : fmtNumber(v)
}

const num = (s: string, re: RegExp): number | null => {
  const m = re.exec(s)
  return m ? Number(m[1]) : null
}

/** The screen a record opens, where there is one. */
export function recordLink(r: ScorecardRecord): string | null {
  switch (r.ref_kind) {
    case 'visit':
      return `/visits?focus=${r.ref_id}`
    case 'issue':
      return `/issues/${r.ref_id}`
    case 'follow_up':
      return `/follow-ups/${r.ref_id}`
    case 'breach':
      return `/breaches/${r.ref_id}`
    case 'dispute':
      return `/disputes/${r.ref_id}`
    case 'interaction':
      return r.account_id ? `/accounts/${r.account_id}?tab=timeline` : null
    case 'survey_response':
      return r.account_id ? `/accounts/${r.account_id}?tab=satisfaction` : null
    case 'order_line':
    case 'wallet_estimate':
      return r.account_id ? `/accounts/${r.account_id}?tab=behaviour` : null
    default:
      return r.account_id ? `/accounts/${r.account_id}` : null
  }
}

export function useAppraisalWords() {
  const { t, te, locale } = useI18n()
  const w = (k: string, p: Record<string, unknown> = {}) => t(`teamAppraisal.${k}`, p)
  const word = (k: string) => (te(k) ? t(k) : '')

  const statusWord = (s: string | null | undefined) => (s ? word(`team.scorecardStatuses.${s}`) : '')
  const kindWord = (k: string) => word(`teamAppraisal.kinds.${k}`)
  const bandWord = (b: string) => word(`teamAppraisal.bands.${b}`)
  const periodKindWord = (k: string) => word(`teamAppraisal.periodKinds.${k}`)
  const roleWord = (r: string) => word(`role.${r}`)
  const refKindWord = (k: string) => word(`teamAppraisal.refKinds.${k}`)
  const sideWord = (s: string) => word(`teamAppraisal.sides.${s}`)
  /** A period "2026Q3" / "2026" in words. */
  const periodWord = (p: string) => {
    const m = /^(\d{4})Q([1-4])$/.exec(p)
    if (m) return w('quarterOf', { y: m[1], q: m[2] })
    return /^\d{4}$/.test(p) ? w('yearOf', { y: p }) : p
  }
  /** A record's note (a status, a kind, a day) in words. */
  function noteWord(r: ScorecardRecord): string {
    if (!r.note) return ''
    const group: Record<string, string> = {
      visit: 'visit.statuses',
      interaction: 'interaction.kinds',
      issue: 'issue.statuses',
      follow_up: 'followUps.statuses',
      breach: 'contracts.breachStatuses',
    }
    if (r.ref_kind === 'dispute' && /^\d{4}-\d{2}-\d{2}/.test(r.note)) return w('closedOn', { day: fmtDate(r.note) })
    const g = group[r.ref_kind]
    if (g) return word(`${g}.${r.note}`) || word(`teamAppraisal.notes.${r.note}`)
    return /^[a-z_]+$/.test(r.note) ? word(`teamAppraisal.notes.${r.note}`) : r.note
  }
  /** A record's value: money for order lines, targets and wallets, the 0-10 answer of a survey. */
  function recordValue(r: ScorecardRecord): string {
    if (['order_line', 'target_cell', 'wallet_estimate'].includes(r.ref_kind)) return fmtMoney({ amount: r.value, currency: BASE_CURRENCY })
    return fmtNumber(r.value)
  }

  /** The line's explanation in the UI's language: the server's text in English, else rebuilt
   *  from the kind, `why`, the figures and the counts the explanation names (`facts`; a line
   *  computed before the server wrote them has none: those are read from the English text). */
  function explain(l: ScorecardLine): string {
    if (String(locale.value).startsWith('en') && l.explanation) return l.explanation
    const ex = l.explanation ?? ''
    const f = l.facts ?? {}
    const fact = (v: number | undefined, re: RegExp): number | null => (v != null ? v : num(ex, re))
    const m = (v: number | null | undefined) => figure(l.kind, v)
    const pct = bpPct(l.actual)
    if (l.why) {
      const why = w(`why.${l.why}`)
      if (l.kind === 'volume_attainment') return w('ex.volumeNoTarget', { sales: m(l.measured), n: fact(f.order_lines, /on (\d+) order lines/) ?? '—', why })
      return why
    }
    switch (l.kind) {
      case 'manual':
        return w('ex.manual', { v: fmtNumber(l.measured ?? l.actual) })
      case 'volume_attainment':
        return w('ex.volume', { sales: m(l.measured), n: fact(f.order_lines, /on (\d+) order lines/) ?? '—', target: m(l.basis), plan: fact(f.plan_id, /of plan (\d+)/) ?? '—', pct })
      case 'growth':
        return w('ex.growth', { sales: m(l.measured), last: m(l.basis), pct })
      case 'share_of_wallet':
        return w('ex.sow', { sales: m(l.measured), last: m(l.basis), n: fact(f.accounts, /on (\d+) accounts/) ?? '—', pts: pct })
      case 'satisfaction':
        return w('ex.nps', { nps: hundredths(l.actual), n: fmtNumber(l.basis), pro: fact(f.promoters, /(\d+) promoters/) ?? '—', det: fact(f.detractors, /(\d+) detractors/) ?? '—' })
      case 'visits_vs_cadence':
      case 'issue_sla':
      case 'follow_ups_closed':
        return w(`ex.${l.kind}`, { a: fmtNumber(l.measured), b: fmtNumber(l.basis), pct })
      case 'interactions':
      case 'training_completed':
        return w(`ex.${l.kind}`, { n: fmtNumber(l.measured) })
      case 'breaches_disputes':
        return w('ex.breaches_disputes', { n: fmtNumber(l.measured), info: fact(f.cured_or_won, /\((\d+) cured or won/) ?? 0 })
      default:
        return ''
    }
  }

  /** A refusal in words (the appraisal's message keys with the status as a word). */
  function refusal(e: unknown): string {
    if (e instanceof ApiError && e.key) {
      const k = `teamAppraisal.err.${e.key.replace(/\./g, '_')}`
      if (te(k)) return t(k, { ...e.params, status: statusWord(e.params?.status) })
    }
    return errorText(e)
  }

  return { w, statusWord, kindWord, bandWord, periodKindWord, roleWord, refKindWord, sideWord, periodWord, noteWord, recordValue, explain, refusal }
}
