// Words for the alerts' codes: a signal's name and unit from the signals locale (slice SIGNALS
// writes web/src/locales/*/signals.json), severities, statuses and departments from health.json.
import { useI18n } from 'vue-i18n'
import { unitValue } from '@/api/alerts'

export const SEVERITY_TYPE: Record<string, 'info' | 'warning' | 'danger' | 'success'> = {
  low: 'info',
  medium: 'warning',
  high: 'danger',
  critical: 'danger',
}
export const STATUS_TYPE: Record<string, 'info' | 'warning' | 'danger' | 'success'> = {
  open: 'danger',
  acknowledged: 'warning',
  responding: 'warning',
  resolved: 'success',
}

export function useAlertWords() {
  const { t, te } = useI18n()
  const signalName = (k: string) => (te(`signal.${k}.name`) ? t(`signal.${k}.name`) : t('health.alerts.unknownSignal'))
  const signalUnit = (k: string) => (te(`signal.${k}.unit`) ? t(`signal.${k}.unit`) : '')
  const signalDesc = (k: string) => (te(`signal.${k}.desc`) ? t(`signal.${k}.desc`) : '')
  const severity = (s: string) => (te(`health.severity.${s}`) ? t(`health.severity.${s}`) : s)
  const status = (s: string) => (te(`health.status.${s}`) ? t(`health.status.${s}`) : s)
  const dept = (s: string) => (te(`health.dept.${s}`) ? t(`health.dept.${s}`) : s)
  /** "3 visits" from thousandths in the signal's unit */
  const measured = (milli: number | null | undefined, unit: string, signal: string) => {
    const v = unitValue(milli, unit)
    const u = signalUnit(signal)
    return v === '—' || !u ? v : `${v} ${u}`
  }
  return { signalName, signalUnit, signalDesc, severity, status, dept, measured }
}
