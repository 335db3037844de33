// Days from today to a calendar date "YYYY-MM-DD" (negative: passed), in the browser's time zone.
export function daysLeft(day: string | null | undefined, now = new Date()): number | null {
  if (!day) return null
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day)
  if (!m) return null
  const d = Date.UTC(+m[1], +m[2] - 1, +m[3])
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())
  return Math.round((d - today) / 86400000)
}
