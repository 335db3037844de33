// Whole months for the satisfaction filters: readers who may not read responses (finance,
// viewers) may only ask for whole months (svc/needs/satisfaction.h, the differencing rule), so
// the screens pick months and send the 1st and the last day.
const pad = (n: number) => String(n).padStart(2, '0')

/** "YYYY-MM" -> "YYYY-MM-01"; '' -> undefined. */
export function monthFrom(ym: string): string | undefined {
  return ym ? `${ym}-01` : undefined
}

/** "YYYY-MM" -> the month's last day "YYYY-MM-DD"; '' -> undefined. */
export function monthTo(ym: string): string | undefined {
  if (!ym) return undefined
  const [y, m] = ym.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return `${ym}-${pad(last)}`
}

/** The month n months before this one, "YYYY-MM" (China time is close enough for a default). */
export function monthsAgo(n: number, now = new Date()): string {
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() - n, 1))
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`
}
