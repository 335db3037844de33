// Local-calendar arithmetic for the visit calendar (weeks start on Monday).

/** Local midnight of d. */
export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate())
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, d.getHours(), d.getMinutes())
}

export function addMonths(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth() + n, 1)
}

/** Monday of d's week. */
export function startOfWeek(d: Date): Date {
  const s = startOfDay(d)
  return addDays(s, -((s.getDay() + 6) % 7))
}

/** The days a view shows: 7 for a week, 42 (six weeks from the Monday on or before the 1st) for a month. */
export function viewDays(view: 'week' | 'month', anchor: Date): Date[] {
  const first = view === 'week' ? startOfWeek(anchor) : startOfWeek(new Date(anchor.getFullYear(), anchor.getMonth(), 1))
  return Array.from({ length: view === 'week' ? 7 : 42 }, (_, i) => addDays(first, i))
}

/** "YYYY-MM-DD" of a local date (a key, not for display). */
export function dayKey(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export function parseDayKey(s: string | undefined | null): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '')
  if (!m) return null
  const d = new Date(+m[1], +m[2] - 1, +m[3])
  return Number.isNaN(d.getTime()) ? null : d
}

/** A default time on day d for a new visit: 10:00, or the next full hour when d is today. */
export function defaultSlot(d: Date, now = new Date()): Date {
  const s = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 10, 0)
  if (dayKey(d) === dayKey(now) && s.getTime() <= now.getTime())
    return new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours() + 1, 0)
  return s
}

/** Whether d falls on a day before today (local calendar): a visit cannot be planned there. */
export function isPastDay(d: Date, now = new Date()): boolean {
  return startOfDay(d).getTime() < startOfDay(now).getTime()
}
