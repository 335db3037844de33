// How the competitor screens show a share (basis points) and a move's severity.
import { fmtNumber } from '@/i18n/format'
import type { MoveSeverity } from '@/api/competitors'

/** 4550 bp -> "45.5 %"; null -> the given word. */
export function sharePct(bp: number | null | undefined, none: string): string {
  return bp == null ? none : `${fmtNumber(bp / 100)} %`
}

/** The tag colour of a move's severity. */
export function severityType(s: MoveSeverity): 'danger' | 'warning' | 'info' {
  return s === 'high' ? 'danger' : s === 'medium' ? 'warning' : 'info'
}
